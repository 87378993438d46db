"""Pages of the province's own index: methodology and tree, the round, self-assessment,
appraisal, explanation, results and analysis, exports."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable

from csp.decorators import csp_replace
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db.models import Count, Prefetch, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from cchc_portal.concurrency import STALE_MESSAGE, StaleObjectError
from cchc_portal.files import private_storage
from provinces.models import Agency

from . import exporting, forms
from .models import (
    ADJUSTMENT_KINDS,
    STAGE_ORDER,
    AreaAssignment,
    Assessment,
    Criterion,
    CriterionTask,
    Methodology,
    NodeKind,
    NotApplicable,
    Round,
    Score,
    ScoreEvidence,
    Stage,
)
from .results import round_publish, round_results
from .scoring import (
    appraisal_save,
    appraised_area_ids,
    assessment_submit,
    criterion_task_link,
    deadline_extend,
    evidence_link,
    evidence_remove,
    evidence_upload,
    explanation_answer_save,
    explanation_request,
    explanation_submit,
    is_secretary,
    linkable_task_evidence,
    linkable_tasks,
    missing_for_submit,
    not_applicable_add,
    not_applicable_remove,
    round_open,
    round_subjects,
    self_score_save,
)
from .survey import plan_survey_import, survey_import_commit
from .trees import methodology_copy_forward, plan_tree_import, sample_methodology, tree_import_commit

MAX_SHEET_BYTES = 5 * 1024 * 1024


# --- scoping helpers ----------------------------------------------------------------------------


def _get_methodology_for_user(request: HttpRequest, pk: int, *, manage: bool = False) -> Methodology:
    methodology = get_object_or_404(Methodology.objects.for_user(request.user).select_related("province"), pk=pk)
    if manage and not request.user.can_manage_province(methodology.province_id):
        raise PermissionDenied
    return methodology


def _get_round_for_user(request: HttpRequest, pk: int, *, manage: bool = False) -> Round:
    round_ = get_object_or_404(Round.objects.for_user(request.user).select_related("methodology__province"), pk=pk)
    if manage and not is_secretary(request.user, round_):
        raise PermissionDenied
    return round_


def _get_assessment_for_user(request: HttpRequest, pk: int) -> Assessment:
    return get_object_or_404(
        Assessment.objects.for_user(request.user).select_related("round__methodology__province", "agency", "unit"),
        pk=pk,
    )


def _get_score_for_user(request: HttpRequest, pk: int) -> Score:
    return get_object_or_404(
        Score.objects.for_user(request.user).select_related(
            "criterion", "assessment__round__methodology__province", "assessment__agency", "assessment__unit"
        ),
        pk=pk,
    )


def _refused(request: HttpRequest, exc: Exception) -> None:
    if isinstance(exc, StaleObjectError):
        messages.error(request, STALE_MESSAGE)
    elif isinstance(exc, ValidationError):
        for text in exc.messages:
            messages.error(request, text)


def _form_errors(request: HttpRequest, form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


def _post(
    request: HttpRequest,
    back,
    call: Callable[[dict], object],
    *,
    form=None,
    success: str | Callable[[object], str] = "",
    done: Callable[[object], object] | None = None,
) -> HttpResponse:
    """The POST views' one shape: check the form, make the call, turn a refusal (a ValidationError or a
    stale version) into messages on the page the user came from; on success say so and go to `done(result)`.

    `back` and `done(...)` are anything `redirect()` takes (a model, a URL).
    """
    if form is not None and not form.is_valid():
        _form_errors(request, form)
        return redirect(back)
    try:
        result = call(form.cleaned_data if form is not None else {})
    except (ValidationError, StaleObjectError) as exc:
        _refused(request, exc)
        return redirect(back)
    if success:
        messages.success(request, success if isinstance(success, str) else success(result))
    return redirect(done(result) if done else back)


def _versioned(cleaned_data: dict) -> dict:
    """A versioned form's data as the save functions take it: `version` apart from the fields."""
    data = dict(cleaned_data)
    return {"version": data.pop("version"), "data": data}


def _stage_at_least(round_: Round, stage: str) -> bool:
    return STAGE_ORDER.index(round_.stage) >= STAGE_ORDER.index(stage)


# --- methodologies and trees -----------------------------------------------------------------------


@login_required
def round_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    methodologies = list(
        Methodology.objects.for_user(user).select_related("province", "round").annotate(nodes=Count("criteria"))
    )
    own = list(
        Assessment.objects.for_user(user)
        .filter(Q(agency_id__in=_scope(user).agency_ids) | Q(unit_id__in=_scope(user).commune_ids))
        .select_related("round__methodology", "agency", "unit")
    )
    can_manage = any(user.can_manage_province(m.province_id) for m in methodologies) or user.is_province_admin
    context = {"methodologies": methodologies, "own": own, "can_manage": can_manage, "form": forms.MethodologyForm()}
    return render(request, "assessments/round_list.html", context)


def _scope(user):
    from cchc_portal.scoping import scope_for

    return scope_for(user)


@login_required
@require_POST
def methodology_create(request: HttpRequest) -> HttpResponse:
    from cchc_portal.scoping import primary_province_id

    province_id = primary_province_id(request.user)
    if not request.user.can_manage_province(province_id):
        raise PermissionDenied
    form = forms.MethodologyForm(request.POST)
    if request.POST.get("sample"):
        from provinces.models import AdministrativeUnit

        methodology = sample_methodology(
            AdministrativeUnit.objects.get(pk=province_id),
            int(request.POST.get("year") or 0) or 2026,
            actor=request.user,
        )
        messages.success(request, _("The SAMPLE tree was created: adapt it to your province's decision."))
        return redirect(methodology)
    form.instance.province_id = province_id
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("assessments:round_list")
    methodology = form.save()
    from audit.log import record_change
    from audit.models import AuditAction

    record_change(methodology, actor=request.user, action=AuditAction.CREATE)
    return redirect(methodology)


def _tree_rows(methodology: Methodology) -> list[dict]:
    nodes = list(methodology.criteria.all())
    children = defaultdict(list)
    links = defaultdict(list)
    for link in CriterionTask.objects.filter(criterion__methodology=methodology).select_related("task__area"):
        links[link.criterion_id].append(link.task)
    for node in nodes:
        children[node.parent_id].append(node)
    rows = []

    def walk(parent_id, depth):
        for node in children.get(parent_id, []):
            rows.append({"node": node, "depth": depth, "leaf": not children.get(node.pk), "tasks": links[node.pk]})
            walk(node.pk, depth + 1)

    walk(None, 0)
    return rows


@login_required
def methodology_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _methodology_page(request, _get_methodology_for_user(request, pk))


def _methodology_page(request: HttpRequest, methodology: Methodology, *, open_form=None, status: int = 200):
    """The methodology's page; `open_form` is the round-opening form as posted when it was refused (the
    dates as typed, the messages beside them)."""
    round_ = Round.objects.filter(methodology=methodology).first()
    can_manage = request.user.can_manage_province(methodology.province_id)
    context = {
        "methodology": methodology,
        "rows": _tree_rows(methodology),
        "problems": methodology.tree_problems(),
        "round": round_,
        "can_manage": can_manage,
        # The "not applicable to a unit" card: the marks so far, and the units to choose from while the tree
        # can still change (the round's scores are made from them when it opens).
        "exclusions": NotApplicable.objects.filter(criterion__methodology=methodology)
        .select_related("criterion", "agency", "unit")
        .order_by("criterion__order", "criterion__code", "agency__name", "unit__name"),
        "subjects": sorted(round_subjects(methodology)[1], key=lambda s: s.name) if can_manage and not round_ else [],
        "upload_form": forms.TreeUploadForm(),
        "open_form": open_form or forms.RoundOpenForm(),
        "maximum": methodology.maximum,
        "tasks": list(linkable_tasks(methodology)[:500]) if can_manage else [],
    }
    return render(request, "assessments/methodology_detail.html", context, status=status)


@login_required
@require_POST
def not_applicable_create(request: HttpRequest, pk: int) -> HttpResponse:
    methodology = _get_methodology_for_user(request, pk, manage=True)
    form = forms.NotApplicableForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect(methodology)
    criterion = methodology.criteria.filter(pk=form.cleaned_data["criterion"]).first()
    subjects = {str(s.pk): s for s in round_subjects(methodology)[1]}
    subject = subjects.get(form.cleaned_data["subject"])
    if criterion is None or subject is None:
        messages.error(request, _("Choose a criterion of this methodology and a unit assessed by it."))
        return redirect(methodology)
    return _post(
        request,
        methodology,
        lambda data: not_applicable_add(criterion, subject, actor=request.user, reason=form.cleaned_data["reason"]),
        success=_("Criterion %(code)s does not apply to %(unit)s any more.")
        % {"code": criterion.code, "unit": subject.name},
    )


@login_required
@require_POST
def not_applicable_delete(request: HttpRequest, pk: int, exclusion_pk: int) -> HttpResponse:
    """Take a mark off: the criterion applies to the unit again (only the methodology's own marks; 404 else)."""
    methodology = _get_methodology_for_user(request, pk, manage=True)
    exclusion = get_object_or_404(
        NotApplicable.objects.filter(criterion__methodology=methodology).select_related("criterion", "agency", "unit"),
        pk=exclusion_pk,
    )
    subject = exclusion.agency or exclusion.unit
    return _post(
        request,
        methodology,
        lambda data: not_applicable_remove(exclusion, actor=request.user),
        success=_("Criterion %(code)s applies to %(unit)s again.")
        % {"code": exclusion.criterion.code, "unit": subject.name},
    )


@login_required
@require_POST
def criterion_task_add(request: HttpRequest, pk: int) -> HttpResponse:
    from tasks.models import Task

    methodology = _get_methodology_for_user(request, pk, manage=True)
    criterion = methodology.criteria.filter(pk=request.POST.get("criterion") or 0).first()
    task = Task.objects.filter(pk=request.POST.get("task") or 0).first()
    if criterion is None:
        messages.error(request, _("Choose a criterion of this methodology."))
        return redirect(methodology)
    return _post(request, methodology, lambda data: criterion_task_link(criterion, task, actor=request.user))


def _read_upload(request: HttpRequest, upload) -> bytes | None:
    """The upload's bytes; the import toolkit checks them (size, type by content, ZIP limits, macros)."""
    if upload.size > 4 * MAX_SHEET_BYTES:  # not even read into memory; the toolkit refuses over its own limit
        messages.error(request, _("The file is larger than 5 MB."))
        return None
    return upload.read()


@login_required
def tree_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload → preview (nothing saved) → confirm (all or nothing)."""
    methodology = _get_methodology_for_user(request, pk, manage=True)
    session_key = f"assessments-tree-{methodology.pk}"
    if request.method == "POST" and request.POST.get("confirm"):
        name = request.session.get(session_key)
        if not name or not private_storage.exists(name):
            messages.error(request, _("The uploaded file has expired; upload it again."))
            return redirect(methodology)
        with private_storage.open(name) as handle:
            preview = plan_tree_import(handle.read(), name)
        try:
            count = tree_import_commit(methodology, preview, actor=request.user)
        except ValidationError as exc:
            _refused(request, exc)
            return redirect(methodology)
        private_storage.delete(name)
        messages.success(request, _("%(n)d criteria imported.") % {"n": count})
        return redirect(methodology)
    if request.method != "POST":
        return redirect(methodology)
    form = forms.TreeUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect(methodology)
    upload = form.cleaned_data["file"]
    content = _read_upload(request, upload)
    if content is None:
        return redirect(methodology)
    preview = plan_tree_import(content, upload.name)
    if preview.ok:
        name = private_storage.save(f"assessments/imports/{uuid.uuid4().hex}.xlsx", ContentFile(content))
        request.session[session_key] = name
    context = {"methodology": methodology, "preview": preview}
    return render(request, "assessments/tree_preview.html", context)


@login_required
@require_POST
def methodology_copy(request: HttpRequest, pk: int) -> HttpResponse:
    methodology = _get_methodology_for_user(request, pk, manage=True)
    return _post(
        request,
        methodology,
        lambda data: methodology_copy_forward(methodology, actor=request.user),
        success=lambda copy: _("Copied to %(year)s.") % {"year": copy.year},
        done=lambda copy: copy,
    )


@login_required
@require_POST
def round_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Open the round; a bad or out-of-order date shows the page again with the dates as typed and the
    message beside them (nothing created), a refusal about the methodology (a round exists, the tree does not
    add up) goes back to its page with the message."""
    methodology = _get_methodology_for_user(request, pk, manage=True)
    form = forms.RoundOpenForm(request.POST)
    if form.is_valid():
        try:
            round_ = round_open(methodology, deadlines=form.cleaned_data, actor=request.user)
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                _refused(request, exc)
                return redirect(methodology)
            for field, errors in exc.error_dict.items():  # Round.full_clean: the dates' order
                form.add_error(field if field in form.fields else None, errors)
        else:
            return redirect(round_)
    messages.error(request, _("The round was not opened; see the messages beside the dates."))
    return _methodology_page(request, methodology, open_form=form, status=400)


# --- the round ------------------------------------------------------------------------------------


@login_required
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = _get_round_for_user(request, pk)
    secretary = is_secretary(request.user, round_)
    assessments = list(
        Assessment.objects.for_user(request.user)
        .filter(round=round_)
        .select_related("agency", "unit")
        .annotate(
            scored=Count("scores", filter=Q(scores__self_score__isnull=False)),
            to_score=Count(
                "scores",
                filter=Q(scores__applicable=True, scores__by_survey=False) & ~Q(scores__kind__in=ADJUSTMENT_KINDS),
            ),
        )
        .order_by("agency__name", "unit__name")
    )
    areas = list(round_.methodology.criteria.filter(kind=NodeKind.AREA).order_by("order"))
    my_areas = appraised_area_ids(request.user, round_)
    context = {
        "round": round_,
        "methodology": round_.methodology,
        "secretary": secretary,
        "assessments": assessments,
        "areas": areas,
        "my_areas": [a for a in areas if a.pk in my_areas],
        "assignments": round_.assignments.select_related("area", "agency").order_by("area__order"),
        "extensions": round_.extensions.select_related("by")[:20],
        "agencies": Agency.objects.filter(province_id=round_.methodology.province_id).valid_on().order_by("name")
        if secretary
        else [],
        "extension_form": forms.ExtensionForm(),
        "publish_form": forms.PublishForm(initial={"version": round_.version}),
        "stages": [(s, s.label, round_.deadline(s)) for s in Stage],
    }
    return render(request, "assessments/round_detail.html", context)


@login_required
@require_POST
def round_close_stage(request: HttpRequest, pk: int) -> HttpResponse:
    """The secretary closes the current stage now; the job does it (after commit) as the deadline job would."""
    from .jobs import enqueue_round_advance

    round_ = _get_round_for_user(request, pk, manage=True)
    if round_.stage in (Stage.FINALISING, Stage.PUBLISHED):
        messages.error(request, _("The round is published by recording the decision, not by closing a stage."))
        return redirect(round_)
    enqueue_round_advance(round_.pk, round_.stage, request.user.pk)
    messages.success(request, _("The stage “%(stage)s” is being closed.") % {"stage": round_.get_stage_display()})
    return redirect(round_)


@login_required
@require_POST
def round_extend(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = _get_round_for_user(request, pk, manage=True)
    return _post(
        request,
        round_,
        lambda data: deadline_extend(round_, actor=request.user, **data),
        form=forms.ExtensionForm(request.POST),
        success=_("Deadline extended."),
    )


@login_required
@require_POST
def assignment_add(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = _get_round_for_user(request, pk, manage=True)
    form = forms.AssignmentForm(request.POST)
    if form.is_valid():
        area = round_.methodology.criteria.filter(kind=NodeKind.AREA, pk=form.cleaned_data["area"]).first()
        agency = Agency.objects.filter(
            province_id=round_.methodology.province_id, pk=form.cleaned_data["agency"]
        ).first()
        if area and agency:
            from audit.log import record_change
            from audit.models import AuditAction

            assignment, created = AreaAssignment.objects.get_or_create(round=round_, area=area, agency=agency)
            if created:
                record_change(assignment, actor=request.user, action=AuditAction.CREATE)
            return redirect(round_)
    messages.error(request, _("Choose an area of this methodology and an agency of the province."))
    return redirect(round_)


@login_required
@require_POST
def round_publish_view(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = _get_round_for_user(request, pk, manage=True)
    return _post(
        request,
        round_,
        lambda data: round_publish(round_, actor=request.user, **data),
        form=forms.PublishForm(request.POST),
        success=_("The results are published."),
        done=lambda _result: reverse("assessments:round_results", args=[round_.pk]),
    )


@login_required
def survey_import(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = _get_round_for_user(request, pk, manage=True)
    if request.method != "POST":
        return redirect(round_)
    form = forms.SurveyUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect(round_)
    upload = form.cleaned_data["file"]
    content = _read_upload(request, upload)
    if content is None:
        return redirect(round_)
    preview = plan_survey_import(round_, content, upload.name)
    if request.POST.get("confirm") and preview.ok:
        try:
            count = survey_import_commit(round_, preview, actor=request.user)
        except ValidationError as exc:
            _refused(request, exc)
            return redirect(round_)
        messages.success(request, _("%(n)d survey scores saved.") % {"n": count})
        return redirect(round_)
    return render(request, "assessments/survey_preview.html", {"round": round_, "preview": preview})


# --- a unit's self-assessment and explanation -------------------------------------------------------


def _grouped_scores(scores: list[Score]) -> list[dict]:
    """Scores grouped by area, with progress (scored / to score) per area."""
    groups: dict = {}
    for score in scores:
        key = score.area_id or 0
        group = groups.setdefault(
            key,
            {"area": score.area, "scores": [], "done": 0, "total": 0},
        )
        group["scores"].append(score)
        if score.applicable and not score.by_survey and score.kind not in ADJUSTMENT_KINDS:
            group["total"] += 1
            group["done"] += score.self_score is not None
    return list(groups.values())


def _scores_for_page(assessment: Assessment, area_ids=None) -> list[Score]:
    qs = (
        assessment.scores.select_related("criterion__parent", "area")
        .prefetch_related(Prefetch("evidence", queryset=ScoreEvidence.objects.select_related("task_evidence__task")))
        .order_by("criterion__order")
    )
    if area_ids is not None:
        qs = qs.filter(area_id__in=area_ids)
    return list(qs)


@login_required
def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _get_assessment_for_user(request, pk)
    round_ = assessment.round
    member = assessment.is_member(request.user)
    secretary = is_secretary(request.user, round_)
    if not (member or secretary or round_.is_published):
        # Appraisers work on their area pages.
        raise PermissionDenied
    scores = _scores_for_page(assessment)
    self_open = member and round_.stage_open(Stage.SELF) and not assessment.submitted_at
    explain_open = (
        member
        and round_.stage_open(Stage.EXPLANATION)
        and assessment.explanation_requested_at is not None
        and assessment.explained_at is None
    )
    context = {
        "assessment": assessment,
        "round": round_,
        "groups": _grouped_scores(scores),
        "member": member,
        "self_open": self_open,
        "explain_open": explain_open,
        "show_appraisal": _stage_at_least(round_, Stage.EXPLANATION),
        "linkable": list(linkable_task_evidence(assessment)[:200]) if (self_open or explain_open) else [],
        "missing": missing_for_submit(assessment) if self_open else [],
        "submit_form": forms.SubmitForm(initial={"version": assessment.version}),
    }
    return render(request, "assessments/assessment_detail.html", context)


def _back(score: Score) -> str:
    return f"{score.assessment.get_absolute_url()}#c-{score.pk}"


@login_required
@require_POST
def score_self(request: HttpRequest, pk: int) -> HttpResponse:
    score = _get_score_for_user(request, pk)
    return _post(
        request,
        _back(score),
        lambda data: self_score_save(score, actor=request.user, **_versioned(data)),
        form=forms.SelfScoreForm(request.POST),
        success=_("Criterion %(code)s saved.") % {"code": score.criterion.code},
    )


@login_required
@require_POST
def evidence_add(request: HttpRequest, pk: int) -> HttpResponse:
    score = _get_score_for_user(request, pk)
    try:
        if request.FILES.get("file"):
            form = forms.EvidenceUploadForm(request.POST, request.FILES)
            if form.is_valid():
                evidence_upload(
                    score, actor=request.user, upload=form.cleaned_data["file"], location=form.cleaned_data["location"]
                )
            else:
                _form_errors(request, form)
        else:
            form = forms.EvidenceLinkForm(request.POST)
            if not form.is_valid():
                _form_errors(request, form)
                return redirect(_back(score))
            from tasks.models import Evidence

            task_evidence = Evidence.objects.filter(pk=form.cleaned_data["task_evidence"]).first()
            evidence_link(
                score, actor=request.user, task_evidence=task_evidence, location=form.cleaned_data["location"]
            )
    except ValidationError as exc:
        _refused(request, exc)
    return redirect(_back(score))


@login_required
@require_POST
def evidence_delete(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = get_object_or_404(ScoreEvidence.objects.filter(score__in=Score.objects.for_user(request.user)), pk=pk)
    return _post(request, _back(evidence.score), lambda data: evidence_remove(evidence, actor=request.user))


@login_required
@xframe_options_sameorigin
@csp_replace({"frame-ancestors": ["'self'"], "object-src": ["'self'"]})
def evidence_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The file (a PDF or an image may be shown inline, framed by our own appraisal page only)."""
    evidence = get_object_or_404(
        ScoreEvidence.objects.filter(score__in=Score.objects.for_user(request.user)).select_related("task_evidence"),
        pk=pk,
    )
    inline = request.GET.get("inline") == "1" and evidence.previewable
    response = FileResponse(
        evidence.stored_file.open("rb"),
        content_type=evidence.content_type,
        as_attachment=not inline,
        filename=evidence.original_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def signed_report_download(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _get_assessment_for_user(request, pk)
    if not assessment.signed_report:
        raise Http404
    return FileResponse(
        assessment.signed_report.open("rb"),
        content_type="application/pdf",
        as_attachment=True,
        filename=assessment.signed_report_name or "bao-cao.pdf",
    )


@login_required
@require_POST
def assessment_submit_view(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _get_assessment_for_user(request, pk)
    return _post(
        request,
        assessment,
        lambda data: assessment_submit(
            assessment, actor=request.user, signed_report=data["signed_report"], version=data["version"]
        ),
        form=forms.SubmitForm(request.POST, request.FILES),
        success=_("Your self-assessment is submitted and locked."),
    )


@login_required
@require_POST
def explanation_answer(request: HttpRequest, pk: int) -> HttpResponse:
    score = _get_score_for_user(request, pk)
    return _post(
        request,
        _back(score),
        lambda data: explanation_answer_save(
            score, actor=request.user, version=data["version"], text=data["explanation_answer"]
        ),
        form=forms.ExplanationAnswerForm(request.POST),
        success=_("Criterion %(code)s saved.") % {"code": score.criterion.code},
    )


@login_required
@require_POST
def explanation_submit_view(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _get_assessment_for_user(request, pk)
    return _post(
        request,
        assessment,
        lambda data: explanation_submit(assessment, actor=request.user),
        success=_("Your explanation is sent."),
    )


# --- appraisal --------------------------------------------------------------------------------------


@login_required
def appraisal_area(request: HttpRequest, pk: int, area_pk: int) -> HttpResponse:
    """An appraiser's area: one unit at a time, each criterion's guide, figure, score, note and evidence side by side."""
    round_ = _get_round_for_user(request, pk)
    if area_pk not in appraised_area_ids(request.user, round_):
        raise PermissionDenied
    area = get_object_or_404(Criterion, pk=area_pk, methodology_id=round_.methodology_id)
    # An appraiser's own unit is appraised by someone else: left out of the list.
    units = [
        a
        for a in round_.assessments.select_related("agency", "unit").order_by("agency__name", "unit__name")
        if not a.is_member(request.user)
    ]
    chosen = request.GET.get("unit")
    assessment = next((a for a in units if str(a.pk) == chosen), units[0] if units else None)
    scores = _scores_for_page(assessment, [area.pk]) if assessment else []
    appraisal_open = round_.stage_open(Stage.APPRAISAL_1) or round_.stage_open(Stage.APPRAISAL_2)
    context = {
        "round": round_,
        "area": area,
        "units": units,
        "assessment": assessment,
        "scores": scores,
        "appraisal_open": appraisal_open,
        "request_open": round_.stage_open(Stage.APPRAISAL_1),
        "request_form": forms.ExplanationRequestForm(),
    }
    return render(request, "assessments/appraisal_area.html", context)


@login_required
@require_POST
def score_appraise(request: HttpRequest, pk: int) -> HttpResponse:
    score = _get_score_for_user(request, pk)
    back = (
        reverse("assessments:appraisal_area", args=[score.assessment.round_id, score.area_id or 0])
        + f"?unit={score.assessment_id}#c-{score.pk}"
    )
    return _post(
        request,
        back,
        lambda data: appraisal_save(score, actor=request.user, **_versioned(data)),
        form=forms.AppraisalForm(request.POST),
        success=_("Criterion %(code)s saved.") % {"code": score.criterion.code},
    )


@login_required
@require_POST
def explanation_request_view(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _get_assessment_for_user(request, pk)
    form = forms.ExplanationRequestForm(request.POST)
    area = request.POST.get("area") or ""
    back = (
        reverse("assessments:appraisal_area", args=[assessment.round_id, int(area)]) + f"?unit={assessment.pk}"
        if area.isdigit()
        else assessment.round.get_absolute_url()
    )
    return _post(
        request,
        back,
        lambda data: explanation_request(assessment, actor=request.user, text=data["text"]),
        form=form,
        success=_("The request for explanation was added to the unit's one request."),
    )


# --- results, analysis and exports -------------------------------------------------------------------


def _can_see_results(user, round_: Round) -> bool:
    return round_.is_published or is_secretary(user, round_)


@login_required
def results_page(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = _get_round_for_user(request, pk)
    if not _can_see_results(request.user, round_):
        raise PermissionDenied
    rows = round_results(round_)
    fmt = request.GET.get("format")
    if fmt == "xlsx":
        return exporting.results_xlsx(round_, rows)
    if fmt == "docx":
        return exporting.results_docx(round_, rows)
    analysis = _analysis(round_)
    for row in rows:
        row["weakest"] = analysis["weakest"].get(row["assessment"].pk)
    context = {"round": round_, "methodology": round_.methodology, "rows": rows, "analysis": analysis}
    return render(request, "assessments/results.html", context)


def _analysis(round_: Round) -> dict:
    from django.db.models import F, Sum

    base = Score.objects.filter(assessment__round=round_, applicable=True, by_survey=False).exclude(
        kind__in=ADJUSTMENT_KINDS
    )
    losses = list(
        base.filter(appraised_score__isnull=False)
        .values("criterion__code", "criterion__name", "max_points")
        .annotate(
            lost=Sum(F("max_points") - F("appraised_score")),
            losing=Count("pk", filter=Q(appraised_score__lt=F("max_points"))),
            gap=Sum(F("self_score") - F("appraised_score")),
        )
        .order_by("-lost", "criterion__code")[:10]
    )
    areas = list(
        base.values("assessment_id", "area__code", "area__name")
        .annotate(got=Sum("appraised_score"), max=Sum("max_points"))
        .order_by("assessment_id", "area__code")
    )
    weakest: dict[int, dict] = {}
    for row in areas:
        if not row["max"]:
            continue
        share = (row["got"] or 0) / row["max"]
        current = weakest.get(row["assessment_id"])
        if current is None or share < current["share"]:
            weakest[row["assessment_id"]] = {**row, "share": share * 100}
    return {"losses": losses, "weakest": weakest}


@login_required
def assessment_export(request: HttpRequest, pk: int) -> HttpResponse:
    """A unit's scoring sheet (.docx or .xlsx): never the internal notes."""
    assessment = _get_assessment_for_user(request, pk)
    round_ = assessment.round
    if not (assessment.is_member(request.user) or is_secretary(request.user, round_) or round_.is_published):
        raise PermissionDenied
    scores = _scores_for_page(assessment)
    show_appraisal = _stage_at_least(round_, Stage.EXPLANATION)
    if request.GET.get("format") == "xlsx":
        return exporting.sheet_xlsx(assessment, scores, show_appraisal)
    return exporting.sheet_docx(assessment, scores, show_appraisal)
