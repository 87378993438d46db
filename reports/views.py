"""Pages of the reporting cycle: rounds, the tracking board, a unit's report, the province's report."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from audit.log import record_change, snapshot
from audit.models import AuditEvent
from cchc_portal.concurrency import STALE_MESSAGE, StaleObjectError, save_versioned
from cchc_portal.lib.periods import ORDER, ReportingPeriod, period_for
from cchc_portal.scoping import primary_province_id
from cchc_portal.widgets import DateInputError, parse_date_input
from provinces.models import AdministrativeUnit

from . import documents
from .consolidation import consolidate, contributions, outline_draft
from .jobs import enqueue_round_reminder
from .models import (
    Action,
    ReportAttachment,
    ReportRefused,
    ReportRound,
    ReportStatus,
    UnitReport,
    display_value,
    round_open,
    today,
)


def _get_round_for_user(request: HttpRequest, pk: int) -> ReportRound:
    """Rounds are read by province staff, leaders, viewers and national administrators; officers see their report."""
    rnd = get_object_or_404(ReportRound.objects.for_user(request.user).select_related("province", "template"), pk=pk)
    if request.user.is_agency_officer:
        raise PermissionDenied(_("Unit officers see their own unit's report only."))
    return rnd


def _get_report_for_user(request: HttpRequest, pk: int) -> UnitReport:
    return get_object_or_404(
        UnitReport.objects.for_user(request.user).select_related("round__template", "round__province", "agency"),
        pk=pk,
    )


def _download(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- rounds ---


def _openable_periods(on: dt.date) -> list[ReportingPeriod]:
    current = period_for(on)
    periods = [ReportingPeriod(current.year, k.value) for k in ORDER]
    return [p for p in periods if p.window_start <= on + dt.timedelta(days=120)]


@login_required
def round_list(request: HttpRequest) -> HttpResponse:
    return _round_list_page(request)


def _round_list_page(request: HttpRequest, *, posted=None, errors=None, status: int = 200) -> HttpResponse:
    """The rounds; after a refused opening, `posted` is the form as sent (the period chosen, the deadline as
    typed) and `errors` the messages beside its fields ("round": a refusal of the round itself)."""
    user = request.user
    rounds = ReportRound.objects.for_user(user).select_related("province").with_counts().order_by("-year", "-kind")
    my_reports = []
    if user.is_agency_officer:
        my_reports = (
            UnitReport.objects.for_user(user).select_related("round__province", "agency").order_by("-round__year")
        )
        rounds = rounds.none()
    province_id = primary_province_id(user) if user.is_province_admin else None
    context = {
        "rounds": rounds,
        "my_reports": my_reports,
        "can_open": province_id is not None,
        "periods": _openable_periods(today()) if province_id else [],
        "chosen_period": posted.get("period", "") if posted is not None else "",
        "deadline_text": posted.get("internal_deadline", "") if posted is not None else None,
        "errors": errors or {},
    }
    return render(request, "reports/round_list.html", context, status=status)


@login_required
@require_POST
def round_open_view(request: HttpRequest) -> HttpResponse:
    """Open a round; a bad period or deadline shows the list again (400) with the form as typed and the
    message beside the field, nothing created."""
    user = request.user
    province_id = primary_province_id(user)
    if not user.is_province_admin or province_id is None:
        raise PermissionDenied(_("Only the province's Home Affairs staff open reporting rounds."))
    period = ReportingPeriod.from_slug(request.POST.get("period", ""))
    errors = {}
    if period is None:
        errors["period"] = _("Choose one of the periods listed.")
    deadline = None
    try:
        deadline = parse_date_input(request.POST.get("internal_deadline", ""))
    except DateInputError as exc:
        errors["internal_deadline"] = exc.message_or(_("The deadline for units is not a valid date (type dd/mm/yyyy)."))
    if period is not None and deadline is not None and deadline > period.due_date:
        errors["internal_deadline"] = _(
            "The deadline for units must be on or before the Ministry's due date (%(date)s)."
        ) % {"date": period.due_date.strftime("%d/%m/%Y")}
    if not errors:
        province = AdministrativeUnit.objects.get(pk=province_id)
        try:
            rnd = round_open(province=province, period=period, internal_deadline=deadline, by=user)
        except ValidationError as exc:
            errors["round"] = exc.messages[0]
        else:
            messages.success(
                request, _("The round is open: %(n)d units are expected to report.") % {"n": rnd.reports.count()}
            )
            return redirect(rnd)
    messages.error(request, _("The round was not opened; see the messages in the form."))
    return _round_list_page(request, posted=request.POST, errors=errors, status=400)


BOARD_FILTERS = {
    "missing": {"status__in": [ReportStatus.NOT_STARTED, ReportStatus.DRAFT]},
    "review": {"status__in": [ReportStatus.SUBMITTED, ReportStatus.RESUBMITTED]},
    "returned": {"status": ReportStatus.RETURNED},
    "accepted": {"status": ReportStatus.ACCEPTED},
}


BOARD_PAGE_SIZE = 50


def _board_rows(rnd: ReportRound, params):
    """The round's unit reports under the board's filters, as a queryset (paginated on the page, whole in the export)."""
    reports = (
        UnitReport.objects.filter(round=rnd)
        .select_related("agency", "submitted_by")
        .order_by("agency__kind", "agency__name")
    )
    state = params.get("state", "")
    if state in BOARD_FILTERS:
        reports = reports.filter(**BOARD_FILTERS[state])
    kind = params.get("kind", "")
    if kind in {"department", "commune_committee"}:
        reports = reports.filter(agency__kind=kind)
    if params.get("timing") == "late":  # UnitReport.is_late in SQL, so the pages count only late units
        late = Q(first_submitted_at__date__gt=rnd.internal_deadline)
        if rnd.is_past_deadline():
            late |= Q(first_submitted_at__isnull=True)
        reports = reports.filter(late)
    return reports


def _with_round(rows, rnd: ReportRound) -> list[UnitReport]:
    """Each row's round is the board's: `is_late` reads it without a query per row."""
    rows = list(rows)
    for report in rows:
        report.round = rnd
    return rows


def _counts_sentence(counts: dict) -> str:
    return _("%(submitted)d/%(expected)d submitted, %(late)d late, %(missing)d not submitted") % {
        "submitted": counts["n_submitted_any"],
        "expected": counts["n_expected"],
        "late": counts["n_late"],
        "missing": counts["n_missing"],
    }


@login_required
def board(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = _get_round_for_user(request, pk)
    rows = _board_rows(rnd, request.GET)
    if request.GET.get("format") == "xlsx":
        return _board_xlsx(rnd, _with_round(rows, rnd))
    page = Paginator(rows, BOARD_PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = _with_round(page.object_list, rnd)
    filters = request.GET.copy()
    filters.pop("page", None)
    counts = rnd.counts()
    can_review = rnd.can_review(request.user)
    addable = []
    if can_review:
        from provinces.models import Agency

        listed = UnitReport.objects.filter(round=rnd).values("agency_id")
        addable = Agency.objects.current().filter(province=rnd.province).exclude(pk__in=listed).order_by("name")
    context = {
        "round": rnd,
        "page": page,
        "addable": addable,
        "counts": counts,
        "sentence": _counts_sentence(counts),
        "can_review": can_review,
        "params": request.GET,
        "query_string": filters.urlencode(),
    }
    return render(request, "reports/board.html", context)


def _board_xlsx(rnd: ReportRound, rows: list[UnitReport]) -> HttpResponse:
    headers = [_("Unit"), _("State"), _("Timing"), _("Submitted at"), _("Submitted by")]
    data = [
        [
            r.agency.name,
            r.get_status_display(),
            _("late") if r.is_late else (_("on time") if r.first_submitted_at else ""),
            r.first_submitted_at.strftime("%d/%m/%Y %H:%M") if r.first_submitted_at else "",
            (r.submitted_by.get_full_name() or r.submitted_by.username) if r.submitted_by else "",
        ]
        for r in rows
    ]
    return _download(documents.sheet_bytes(rnd.period.code, headers, data), f"bang-theo-doi-{rnd.period.code}.xlsx",
                     documents.XLSX_TYPE)  # fmt: skip


@login_required
@require_POST
def board_remind(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = _get_round_for_user(request, pk)
    if not rnd.can_review(request.user):
        raise PermissionDenied(_("Only the province's Home Affairs staff send reminders."))
    enqueue_round_reminder(rnd.pk)
    record_change(rnd, actor=request.user, changes={}, action="update", note=gettext_noop("reminder sent"))
    messages.success(request, _("Reminders are being sent to the units that have not submitted."))
    return redirect(rnd)


@login_required
@require_POST
def board_units(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a unit to the expected list, or take off one that has not started."""
    from provinces.models import Agency

    rnd = _get_round_for_user(request, pk)
    if not rnd.can_review(request.user):
        raise PermissionDenied(_("Only the province's Home Affairs staff change who is expected to report."))
    add, remove = request.POST.get("add", ""), request.POST.get("remove", "")
    with transaction.atomic():
        if add.isdigit():
            agency = Agency.objects.current().filter(province=rnd.province, pk=int(add)).first()
            if agency is None:
                raise Http404
            report, created = UnitReport.objects.get_or_create(round=rnd, agency=agency,
                                                               defaults={"province": rnd.province})  # fmt: skip
            if created:
                record_change(report, actor=request.user, action="create")
                messages.success(request, _("%(unit)s is now expected to report.") % {"unit": agency.name})
        elif remove.isdigit():
            report = get_object_or_404(UnitReport, round=rnd, pk=int(remove))
            if report.status != ReportStatus.NOT_STARTED:
                messages.error(request, _("Only a unit that has not started its report can be taken off the list."))
                return redirect(rnd)
            record_change(report, actor=request.user, action="delete", before=snapshot(report))
            report.delete()
            messages.success(request, _("%(unit)s is no longer expected to report.") % {"unit": report.agency.name})
    return redirect(rnd)


@login_required
@require_POST
def board_deadline(request: HttpRequest, pk: int) -> HttpResponse:
    """Move the round's deadline for units (reminders then count from the new date)."""
    rnd = _get_round_for_user(request, pk)
    if not rnd.can_review(request.user):
        raise PermissionDenied(_("Only the province's Home Affairs staff change the deadline."))
    try:
        deadline = parse_date_input(request.POST.get("internal_deadline", ""))
    except DateInputError as exc:
        if exc.year_out_of_range:
            messages.error(request, _("Deadline for units: %(error)s") % {"error": exc.message})
        else:  # the board has no period to choose: the round-opening message would not fit
            messages.error(request, _("The deadline for units is not a valid date (type dd/mm/yyyy)."))
        return redirect(rnd)
    if deadline > rnd.due_date:
        messages.error(request, _("The deadline for units must be on or before the Ministry's due date (%(date)s).")
                       % {"date": rnd.due_date.strftime("%d/%m/%Y")})  # fmt: skip
        return redirect(rnd)
    before = snapshot(rnd, ["internal_deadline"])
    rnd.internal_deadline = deadline
    version = request.POST.get("version", "")
    try:
        with transaction.atomic():
            save_versioned(rnd, int(version) if version.isdigit() else -1, ["internal_deadline"])
            record_change(rnd, actor=request.user, before=before, after=snapshot(rnd, ["internal_deadline"]))
    except StaleObjectError:
        messages.error(request, STALE_MESSAGE)
        return redirect(rnd)
    messages.success(request, _("The deadline for units is now %(date)s.") % {"date": deadline.strftime("%d/%m/%Y")})
    return redirect(rnd)


# --- the province's report ---


@login_required
def consolidated(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = _get_round_for_user(request, pk)
    can_edit = rnd.can_review(request.user)
    sections = list(rnd.template.active_sections())
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied(_("Only the province's Home Affairs staff edit the province's report."))
        return _save_consolidated(request, rnd, sections)
    draft = outline_draft(rnd) if request.GET.get("prefill") == "1" else {}
    for section in sections:
        section.text = (rnd.texts or {}).get(section.code) or draft.get(section.code, "")
    return _consolidated_page(request, rnd, sections, can_edit=can_edit)


def _consolidated_page(request: HttpRequest, rnd: ReportRound, sections, *, can_edit: bool, posted=None,
                       errors=None, status: int = 200, extra=None) -> HttpResponse:  # fmt: skip
    """The province's report; after a refused save, `rnd` holds what was typed (not saved), `posted` the
    form as sent (the date as typed, the version the user started from) and `errors` the field messages."""
    context = {
        "round": rnd,
        "rows": consolidate(rnd),
        "sections": sections,
        "can_edit": can_edit,
        "counts": rnd.counts(),
        "version": posted.get("version", "") if posted is not None else rnd.version,
        "document_date_text": posted.get("document_date", "") if posted is not None else None,
        "errors": errors or {},
        "conflict": [],
        **(extra or {}),
    }
    return render(request, "reports/consolidated.html", context, status=status)


CONSOLIDATED_LABELS = {
    "document_number": gettext_noop("Number"),
    "document_date": gettext_noop("Date"),
    "signer_title": gettext_noop("Signing on behalf"),
    "signer_position": gettext_noop("Position"),
    "signer_name": gettext_noop("Signer"),
    "recipients": gettext_noop("Recipients"),
}


def _last_saved_by(rnd: ReportRound) -> AuditEvent | None:
    """The latest audit event that changed a field of the round (the report's texts, its document fields or
    the deadline on the board: each moves the version): who saved it and when."""
    for event in AuditEvent.objects.for_object(rnd).order_by("-at", "-pk")[:50]:
        if event.changes:  # not a note-only event such as "reminder sent"
            return event
    return None


def _consolidated_conflict(request: HttpRequest, typed: ReportRound, sections) -> HttpResponse:
    """Someone saved the province's report after this user opened it: nothing saved; the page again (409) with
    what they typed in the form, the version saved now (saving again applies their form over it), who saved and when,
    field by field, what they typed beside what is saved now, to merge by hand."""
    saved = _get_round_for_user(request, typed.pk)
    conflict = []
    for section in sections:
        yours, now = (typed.texts or {}).get(section.code, ""), (saved.texts or {}).get(section.code, "")
        if yours.strip() != now.strip():
            conflict.append({"label": f"{section.code}. {section.title}", "yours": yours, "saved": now})
    for name, label in CONSOLIDATED_LABELS.items():
        yours, now = getattr(typed, name), getattr(saved, name)
        if name == "document_date":
            yours, now = (d.strftime("%d/%m/%Y") if d else "" for d in (yours, now))
        if (yours or "") != (now or ""):
            conflict.append({"label": _(label), "yours": yours or "", "saved": now or ""})
    event = _last_saved_by(saved)
    if event is not None:
        who = (event.actor.get_full_name() or event.actor.username) if event.actor else _("an automatic job")
        messages.error(request, _("%(who)s saved changes to this round at %(when)s, after you opened this page.")
                       % {"who": who, "when": timezone.localtime(event.at).strftime("%H:%M %d/%m/%Y")})  # fmt: skip
    messages.error(request, STALE_MESSAGE)
    for section in sections:
        section.text = typed.texts.get(section.code, "")
    posted = request.POST.copy()
    posted["version"] = str(saved.version)
    return _consolidated_page(request, typed, sections, can_edit=True, posted=posted, status=409,
                              extra={"conflict": conflict, "stale": True})  # fmt: skip


def _save_consolidated(request: HttpRequest, rnd: ReportRound, sections) -> HttpResponse:
    fields = [
        "texts",
        "document_number",
        "document_date",
        "signer_title",
        "signer_position",
        "signer_name",
        "recipients",
    ]
    before = snapshot(rnd, fields)
    rnd.texts = {s.code: request.POST.get(f"text-{s.code}", "").strip()[:20000] for s in sections}
    for name in ["document_number", "signer_title", "signer_position", "signer_name", "recipients"]:
        rnd.__dict__[name] = request.POST.get(name, "").strip()[: ReportRound._meta.get_field(name).max_length or 2000]
    raw_date = request.POST.get("document_date", "")
    try:
        rnd.document_date = parse_date_input(raw_date) if raw_date.strip() else None
    except DateInputError as exc:
        # Nothing saved; the page again with everything as typed and the reason beside the date.
        message = exc.message_or(_("Enter the document date as dd/mm/yyyy."))
        messages.error(request, _("The province's report was not saved; see the message beside the document date."))
        for section in sections:
            section.text = rnd.texts.get(section.code, "")
        return _consolidated_page(request, rnd, sections, can_edit=True, posted=request.POST,
                                  errors={"document_date": message}, status=400)  # fmt: skip
    version = request.POST.get("version", "")
    try:
        with transaction.atomic():
            save_versioned(rnd, int(version) if version.isdigit() else -1, fields)
            record_change(rnd, actor=request.user, before=before, after=snapshot(rnd, fields))
    except StaleObjectError:
        return _consolidated_conflict(request, rnd, sections)
    messages.success(request, _("The province's report was saved."))
    return redirect("reports:consolidated", rnd.pk)


@login_required
def contribution(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    rnd = _get_round_for_user(request, pk)
    figure = rnd.template.figures.filter(code=code).first()
    if figure is None:
        raise Http404
    rows = contributions(rnd, figure)
    total = next((r for r in consolidate(rnd, with_province_auto=False) if r["code"] == code), None)
    return render(request, "reports/contribution.html", {"round": rnd, "figure": figure, "rows": rows, "total": total})


@login_required
def round_docx(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = _get_round_for_user(request, pk)
    return _download(documents.round_docx(rnd), f"bao-cao-cchc-{rnd.period.code}.docx", documents.DOCX_TYPE)


@login_required
def round_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = _get_round_for_user(request, pk)
    return _download(documents.annex_xlsx(rnd), f"phu-luc-cchc-{rnd.period.code}.xlsx", documents.XLSX_TYPE)


# --- a unit's report ---


def _form_rows(report: UnitReport, posted=None, errors=None) -> list[dict]:
    errors = errors or {}
    rows = []
    for figure in report.figures():
        stored = report.values.get(figure.code)
        auto = report.auto_values.get(figure.code)
        if posted is not None:
            shown = posted.get(f"fig-{figure.code}", "")
            reason = posted.get(f"reason-{figure.code}", "")
        else:
            shown = stored if stored is not None else (auto or "")
            shown = display_value(figure, shown).rstrip("%") if shown not in ("", None) else ""
            shown = "" if shown == "–" else shown
            reason = report.override_reasons.get(figure.code, "")
        rows.append(
            {
                "figure": figure,
                "value": shown,
                "display": display_value(figure, stored),
                "auto": display_value(figure, auto) if auto is not None else "",
                "reason": reason,
                "error": errors.get(figure.code, ""),
            }
        )
    return rows


def _section_rows(report: UnitReport, posted=None, errors=None) -> list[dict]:
    errors = errors or {}
    return [
        {"section": s, "text": posted.get(f"text-{s.code}", "") if posted is not None else report.texts.get(s.code, ""),
         "error": errors.get(s.code, "")}
        for s in report.round.template.active_sections()
    ]  # fmt: skip


@login_required
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = _get_report_for_user(request, pk)
    posted, errors = None, {}
    if request.method == "POST":
        outcome = _apply_posted(request, report)
        if outcome is None:
            return redirect(report)
        posted, errors = request.POST, outcome
    elif report.can_edit(request.user):
        report.refresh_auto_values()
    can_edit = report.can_edit(request.user)
    history = AuditEvent.objects.for_object(report)[:30]
    context = {
        "report": report,
        "round": report.round,
        "figure_rows": _form_rows(report, posted, errors),
        "section_rows": _section_rows(report, posted, errors),
        "can_edit": can_edit,
        "actions": report.allowed_actions(request.user),
        "changes": report.changes_since_acceptance(),
        "history": history,
        "attachments": report.attachments.all(),
    }
    return render(request, "reports/report.html", context)


def _apply_posted(request: HttpRequest, report: UnitReport) -> dict | None:
    """Runs the posted action; None when done (redirect), or the field errors to show beside the form."""
    action = request.POST.get("action", "")
    version = request.POST.get("version", "")
    expected = int(version) if version.isdigit() else -1
    kwargs = {"user": request.user, "expected_version": expected, "reason": request.POST.get("reason", "")}
    if action in (Action.SAVE, Action.SUBMIT):
        figures = report.figures()
        report.refresh_auto_values()
        kwargs["values"] = {f.code: request.POST.get(f"fig-{f.code}", "") for f in figures}
        kwargs["reasons"] = {f.code: request.POST.get(f"reason-{f.code}", "") for f in figures}
        kwargs["texts"] = {
            s.code: request.POST.get(f"text-{s.code}", "") for s in report.round.template.active_sections()
        }
    try:
        with transaction.atomic():
            report.apply(action, **kwargs)
            upload = request.FILES.get("attachment")
            if upload is not None and action in (Action.SAVE, Action.SUBMIT):
                _store_attachment(report, upload, request.user)
    except StaleObjectError:
        messages.error(request, STALE_MESSAGE)
        return None
    except ReportRefused as exc:
        messages.error(request, exc.messages[0])
        return None
    except ValidationError as exc:
        report.refresh_from_db()
        if hasattr(exc, "error_dict"):
            messages.error(request, _("Some figures need correcting; see the messages beside them."))
            return {code: errs[0].messages[0] for code, errs in exc.error_dict.items()}
        messages.error(request, exc.messages[0])
        return {}
    messages.success(request, _("Done: the report is now “%(state)s”.") % {"state": report.get_status_display()})
    return None


def _store_attachment(report: UnitReport, upload, user) -> ReportAttachment:
    attachment = ReportAttachment(report=report, uploaded_by=user)
    attachment.store(upload)
    attachment.save()
    record_change(attachment, actor=user, action="create")
    return attachment


@login_required
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    attachment = get_object_or_404(
        ReportAttachment.objects.filter(report__in=UnitReport.objects.for_user(request.user)), pk=pk
    )
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404(_("The file is no longer stored.")) from exc
    response = FileResponse(handle, as_attachment=True, filename=attachment.original_name)
    response["Content-Type"] = attachment.content_type
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def report_docx(request: HttpRequest, pk: int) -> HttpResponse:
    report = _get_report_for_user(request, pk)
    return _download(documents.unit_docx(report), f"bao-cao-{report.pk}-{report.round.period.code}.docx",
                     documents.DOCX_TYPE)  # fmt: skip


@login_required
def report_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    report = _get_report_for_user(request, pk)
    return _download(documents.unit_xlsx(report), f"phu-luc-{report.pk}-{report.round.period.code}.xlsx",
                     documents.XLSX_TYPE)  # fmt: skip


@login_required
def dashboard_block(request: HttpRequest) -> HttpResponse:
    """The leader dashboard's block for the current round, loaded after the (cached) dashboard page."""
    rounds = ReportRound.objects.for_user(request.user).select_related("province").with_counts()
    code = request.GET.get("province", "")  # the official code, as everywhere
    if code:
        rounds = rounds.filter(province__code=code, province__valid_to__isnull=True)
    rnd = rounds.order_by("-year", "-internal_deadline").first()
    counts = None
    if rnd is not None:
        submitted = rnd.n_submitted + rnd.n_resubmitted + rnd.n_returned + rnd.n_accepted
        counts = {"submitted": submitted, "late": rnd.n_late, "missing": rnd.n_not_started + rnd.n_draft,
                  "expected": rnd.n_expected, "accepted": rnd.n_accepted}  # fmt: skip
    return render(request, "reports/_dashboard_block.html", {"round": rnd, "counts": counts})
