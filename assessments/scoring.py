"""Writes of a scoring round: opening, stages, self-assessment, appraisal, explanation.

Each function checks who may write and whether the stage is open, validates through the
model (`full_clean`), saves with the version the user started from, and audits the change
with the stage in the note. A refusal raises ValidationError (or StaleObjectError) before
anything is stored.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.log import record_change, snapshot
from audit.models import AuditAction, AuditSource
from cchc_portal.concurrency import save_versioned
from cchc_portal.files import validate_upload
from cchc_portal.scoping import scope_for
from provinces.models import AdministrativeUnit, Agency, AgencyKind

from .models import (
    ADJUSTMENT_KINDS,
    DEADLINE_FIELDS,
    Assessment,
    Criterion,
    DeadlineExtension,
    EvidenceStage,
    Methodology,
    NodeKind,
    NotApplicable,
    Round,
    Score,
    ScoreEvidence,
    Stage,
    TargetGroup,
)
from .trees import guard_editable

SELF_FIELDS = ["answer", "declared_value", "self_score", "self_explanation", "self_note"]
APPRAISAL_FIELDS = ["appraised_score", "appraisal_note", "internal_note"]
EXPLANATION_FIELDS = ["explanation_answer"]


def _stage_closed(round_: Round, stage: str) -> ValidationError:
    deadline = round_.deadline(stage)
    if round_.stage == stage and deadline is not None:
        return ValidationError(
            _("The %(stage)s stage closed on %(date)s. Nothing was saved.")
            % {"stage": Stage(stage).label.lower(), "date": deadline.strftime("%d/%m/%Y")}
        )
    return ValidationError(
        _("The round is at the “%(current)s” stage, not “%(stage)s”. Nothing was saved.")
        % {"current": round_.get_stage_display(), "stage": Stage(stage).label}
    )


def _require_stage(round_: Round, *stages: str) -> str:
    for stage in stages:
        if round_.stage_open(stage):
            return stage
    raise _stage_closed(round_, stages[0] if round_.stage not in stages else round_.stage)


# --- who may write ------------------------------------------------------------------------


def is_secretary(user, round_: Round) -> bool:
    """Home Affairs staff of the round's province (the council secretary), or a national admin."""
    return user.can_manage_province(round_.methodology.province_id)


def appraised_area_ids(user, round_: Round) -> set[int]:
    if is_secretary(user, round_):
        return set(round_.methodology.criteria.filter(kind=NodeKind.AREA).values_list("pk", flat=True))
    agencies = scope_for(user).agency_ids
    return set(round_.assignments.filter(agency_id__in=agencies).values_list("area_id", flat=True))


def can_appraise(user, score: Score) -> bool:
    return score.area_id in appraised_area_ids(user, score.assessment.round) or (
        score.kind in ADJUSTMENT_KINDS and is_secretary(user, score.assessment.round)
    )


# --- opening a round ------------------------------------------------------------------------


def round_subjects(methodology: Methodology) -> tuple[str, list]:
    """The units a methodology assesses, by its target group: the departments index covers the province's
    departments, boards and sectors (sở, ban, ngành), never the provincial people's committee nor the communes'
    people's committees (the communes have an index of their own); the communes index the province's communes;
    the PAR INDEX the province. Used when the round opens and by the "not applicable" card."""
    date = dt.date(methodology.year, 12, 31)
    if methodology.group == TargetGroup.AGENCY:
        return "agency", list(
            Agency.objects.filter(province_id=methodology.province_id, kind=AgencyKind.DEPARTMENT).valid_on(date)
        )
    if methodology.group == TargetGroup.COMMUNE:
        return "unit", list(
            AdministrativeUnit.objects.communes().filter(province_id=methodology.province_id).valid_on(date)
        )
    return "unit", [methodology.province]


@transaction.atomic
def round_open(
    methodology: Methodology, *, deadlines: dict[str, dt.date], actor=None, subjects: list | None = None
) -> Round:
    """Create the round, one assessment per unit and one score row per leaf (applicability resolved)."""
    methodology.validate_tree()
    if Round.objects.filter(methodology=methodology).exists():
        raise ValidationError(_("This methodology already has a scoring round."))
    round_ = Round(methodology=methodology, **deadlines)
    round_.full_clean(exclude=["methodology"])
    round_.save()
    field, found = round_subjects(methodology)
    subjects = found if subjects is None else subjects
    assessments = Assessment.objects.bulk_create(Assessment(round=round_, **{field: s}) for s in subjects)
    nodes = list(methodology.criteria.all())
    by_id = {n.pk: n for n in nodes}
    parents = {n.parent_id for n in nodes if n.parent_id}
    excluded: dict[int, set[int]] = {}
    for criterion_id, subject_id in NotApplicable.objects.filter(criterion__methodology=methodology).values_list(
        "criterion_id", f"{field}_id"
    ):
        excluded.setdefault(subject_id, set()).add(criterion_id)

    def ancestry(node):
        while node is not None:
            yield node
            node = by_id.get(node.parent_id)

    leaves = [n for n in nodes if n.pk not in parents]
    rows = []
    for assessment in assessments:
        skip = excluded.get(getattr(assessment, f"{field}_id"), set())
        for leaf in leaves:
            chain = list(ancestry(leaf))
            rows.append(
                Score(
                    assessment=assessment,
                    criterion=leaf,
                    area=chain[-1] if leaf.kind not in ADJUSTMENT_KINDS else None,
                    kind=leaf.kind,
                    max_points=leaf.max_points,
                    by_survey=any(n.by_survey for n in chain),
                    applicable=not any(n.pk in skip for n in chain),
                )
            )
    Score.objects.bulk_create(rows, batch_size=2000)
    record_change(round_, actor=actor, action=AuditAction.CREATE, note=_("round opened"))
    return round_


# --- stages -----------------------------------------------------------------------------------


@transaction.atomic
def round_advance(round_: Round, *, actor=None, source: str = AuditSource.WEB) -> str:
    """Close the current stage and open the next (the job when a deadline passes, or the secretary)."""
    round_ = Round.objects.select_for_update().get(pk=round_.pk)
    target = round_.next_stage()
    if target is None or target == Stage.PUBLISHED:
        raise ValidationError(_("The round is published by recording the decision, not by closing a stage."))
    before = round_.stage
    if target == Stage.APPRAISAL_1:
        # Appraisers start from the unit's own figures and change only what they disagree with.
        Score.objects.filter(
            assessment__round=round_, appraised_score__isnull=True, self_score__isnull=False, applicable=True
        ).update(appraised_score=F("self_score"))
    Round.objects.filter(pk=round_.pk).update(stage=target, version=F("version") + 1)
    round_.stage = target
    record_change(round_, actor=actor, source=source, changes={"stage": [before, target]}, note=_("stage closed"))
    notify_stage(round_, before, target)
    return target


def rounds_lock_due(today: dt.date | None = None) -> list[tuple[int, str]]:
    """Advance every round whose stage deadline has passed (and open rounds whose day has come).

    Safe to run twice: a round only moves while its current deadline lies before today.
    """
    today = today or timezone.localdate()
    moved = []
    for round_ in Round.objects.filter(stage=Stage.DRAFT, self_opens__lte=today):
        moved.append((round_.pk, round_advance(round_, source=AuditSource.JOB)))
    for stage, field in DEADLINE_FIELDS.items():
        for round_ in Round.objects.filter(stage=stage, **{f"{field}__lt": today}):
            current = round_
            while current.stage in DEADLINE_FIELDS and current.deadline() < today:
                moved.append((current.pk, round_advance(current, source=AuditSource.JOB)))
                current = Round.objects.get(pk=current.pk)
    return moved


@transaction.atomic
def deadline_extend(round_: Round, *, stage: str, new_date: dt.date, reason: str, actor) -> DeadlineExtension:
    if not is_secretary(actor, round_):
        raise PermissionDenied
    field = DEADLINE_FIELDS.get(stage)
    if field is None:
        raise ValidationError(_("This stage has no deadline."))
    if not (reason or "").strip():
        raise ValidationError(_("Give the reason for the extension."))
    if round_.stage_order_index(stage) < round_.stage_order_index(round_.stage):
        raise ValidationError(_("That stage has already closed; its deadline can no longer be extended."))
    old = getattr(round_, field)
    if new_date <= old:
        raise ValidationError(_("The new deadline must be later than %(date)s.") % {"date": old.strftime("%d/%m/%Y")})
    before = snapshot(round_)
    setattr(round_, field, new_date)
    try:
        round_.full_clean(exclude=["methodology"])
    except ValidationError as exc:
        raise ValidationError(
            _("The new deadline would come after the next stage's deadline; extend that one first.")
        ) from exc
    round_.save(update_fields=[field])
    extension = DeadlineExtension.objects.create(
        round=round_, stage=stage, old_date=old, new_date=new_date, reason=reason.strip(), by=actor
    )
    record_change(round_, actor=actor, before=before, note=_("deadline extended: %(reason)s") % {"reason": reason})
    return extension


# --- self-assessment ------------------------------------------------------------------------------


def _check_member(user, assessment: Assessment) -> None:
    if not assessment.is_member(user):
        raise PermissionDenied


@transaction.atomic
def self_score_save(score: Score, *, actor, version: int, data: dict, source: str = AuditSource.WEB) -> Score:
    assessment = score.assessment
    _check_member(actor, assessment)
    _require_stage(assessment.round, Stage.SELF)
    if assessment.submitted_at:
        raise ValidationError(_("Your self-assessment has been submitted and is locked. Nothing was saved."))
    if score.by_survey:
        raise ValidationError(
            _("Criterion %(code)s is scored by the survey; it is not self-scored.") % {"code": score.criterion.code}
        )
    if not score.applicable:
        raise ValidationError(_("Criterion %(code)s does not apply to your unit.") % {"code": score.criterion.code})
    before = snapshot(score, SELF_FIELDS)
    for field in SELF_FIELDS:
        if field in data:
            setattr(score, field, data[field])
    score.full_clean(exclude=["assessment", "criterion", "area"])
    save_versioned(score, version, SELF_FIELDS)
    record_change(
        score, actor=actor, before=before, after=snapshot(score, SELF_FIELDS), source=source, note=Stage.SELF.label
    )
    return score


def _evidence_stage(score: Score, actor) -> str:
    assessment = score.assessment
    _check_member(actor, assessment)
    round_ = assessment.round
    if round_.stage_open(Stage.SELF) and not assessment.submitted_at:
        return EvidenceStage.SELF
    if round_.stage_open(Stage.EXPLANATION) and assessment.explanation_requested_at and not assessment.explained_at:
        return EvidenceStage.EXPLANATION
    raise _stage_closed(round_, Stage.SELF if round_.stage in (Stage.DRAFT, Stage.SELF) else Stage.EXPLANATION)


@transaction.atomic
def evidence_upload(score: Score, *, actor, upload, location: str = "") -> ScoreEvidence:
    stage = _evidence_stage(score, actor)
    evidence = ScoreEvidence(score=score, location=location.strip()[:255], stage=stage, added_by=actor)
    evidence.store(upload)
    evidence.save()
    record_change(evidence, actor=actor, action=AuditAction.CREATE, note=str(score))
    return evidence


@transaction.atomic
def evidence_link(score: Score, *, actor, task_evidence, location: str = "") -> ScoreEvidence:
    """Link a file already filed as a task's progress evidence of the same unit."""
    from tasks.models import Evidence

    stage = _evidence_stage(score, actor)
    if not isinstance(task_evidence, Evidence) or task_evidence.pk not in linkable_task_evidence(
        score.assessment
    ).values_list("pk", flat=True):
        raise ValidationError(_("Only a file of one of your unit's own tasks can be linked as evidence."))
    evidence = ScoreEvidence.objects.create(
        score=score, task_evidence=task_evidence, location=location.strip()[:255], stage=stage, added_by=actor
    )
    record_change(evidence, actor=actor, action=AuditAction.CREATE, note=str(score))
    return evidence


def linkable_task_evidence(assessment: Assessment):
    """Progress files of the unit's tasks in plans of the round's year (and the year before)."""
    from tasks.models import Evidence

    year = assessment.round.methodology.year
    qs = Evidence.objects.filter(task__plan__year__in=[year, year - 1])
    if assessment.agency_id:
        qs = qs.filter(Q(task__lead_agency_id=assessment.agency_id) | Q(task__plan__agency_id=assessment.agency_id))
    else:
        qs = qs.filter(task__plan__unit_id=assessment.unit_id)
    return qs.select_related("task").order_by("-uploaded_at")


@transaction.atomic
def evidence_remove(evidence: ScoreEvidence, *, actor) -> None:
    _evidence_stage(evidence.score, actor)
    record_change(evidence, actor=actor, action=AuditAction.DELETE, before=snapshot(evidence))
    evidence.delete()


def missing_for_submit(assessment: Assessment) -> list[str]:
    """What stops a submission: unscored criteria; scores without evidence nor explanation."""
    problems = []
    scores = (
        assessment.scores.filter(applicable=True, by_survey=False)
        .exclude(kind__in=ADJUSTMENT_KINDS)
        .select_related("criterion")
        .prefetch_related("evidence")
    )
    unscored = [s.criterion.code for s in scores if s.self_score is None]
    if unscored:
        problems.append(_("Not scored yet: %(codes)s.") % {"codes": ", ".join(unscored)})
    bare = [
        s.criterion.code for s in scores if s.self_score and not s.evidence.all() and not s.self_explanation.strip()
    ]
    if bare:
        problems.append(
            _("Scored without evidence and without an explanation: %(codes)s.") % {"codes": ", ".join(bare)}
        )
    return problems


@transaction.atomic
def assessment_submit(assessment: Assessment, *, actor, signed_report, version: int) -> Assessment:
    _check_member(actor, assessment)
    _require_stage(assessment.round, Stage.SELF)
    if assessment.submitted_at:
        raise ValidationError(_("This self-assessment has already been submitted."))
    if not signed_report:
        raise ValidationError(_("Attach the signed self-assessment report (PDF)."))
    if validate_upload(signed_report) != "application/pdf":
        raise ValidationError(_("The signed report must be a PDF file."))
    problems = missing_for_submit(assessment)
    if problems:
        raise ValidationError(problems)
    signed_report.seek(0)
    assessment.signed_report.save(signed_report.name, signed_report, save=False)
    assessment.signed_report_name = signed_report.name[:255]
    assessment.submitted_at = timezone.now()
    assessment.submitted_by = actor
    save_versioned(assessment, version, ["signed_report", "signed_report_name", "submitted_at", "submitted_by"])
    record_change(
        assessment, actor=actor, changes={"submitted_at": [None, assessment.submitted_at.isoformat()]},
        note=_("self-assessment submitted"),
    )  # fmt: skip
    return assessment


# --- appraisal and explanation ---------------------------------------------------------------------


@transaction.atomic
def appraisal_save(score: Score, *, actor, version: int, data: dict, source: str = AuditSource.WEB) -> Score:
    round_ = score.assessment.round
    stage = _require_stage(round_, Stage.APPRAISAL_1, Stage.APPRAISAL_2)
    if not can_appraise(actor, score) or score.assessment.is_member(actor):
        # Nobody appraises their own unit (and its internal notes are not theirs to read).
        raise PermissionDenied
    if score.by_survey and data.get("appraised_score") is not None:
        raise ValidationError(
            _("Criterion %(code)s is scored by the survey; it is not appraised.") % {"code": score.criterion.code}
        )
    before = snapshot(score, APPRAISAL_FIELDS)
    for field in APPRAISAL_FIELDS:
        if field in data:
            setattr(score, field, data[field])
    score.full_clean(exclude=["assessment", "criterion", "area"])
    save_versioned(score, version, APPRAISAL_FIELDS)
    record_change(
        score,
        actor=actor,
        before=before,
        after=snapshot(score, APPRAISAL_FIELDS),
        source=source,
        note=Stage(stage).label,
    )
    return score


@transaction.atomic
def explanation_request(assessment: Assessment, *, actor, text: str) -> Assessment:
    """The one consolidated request to a unit: each appraiser's part is added to it."""
    round_ = assessment.round
    _require_stage(round_, Stage.APPRAISAL_1)
    if not appraised_area_ids(actor, round_) or assessment.is_member(actor):
        raise PermissionDenied
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("Write what the unit should explain."))
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    before = assessment.explanation_request
    part = f"{actor.get_full_name() or actor.username}: {text}"
    assessment.explanation_request = f"{before}\n\n{part}".strip()
    if not assessment.explanation_requested_at:
        assessment.explanation_requested_at = timezone.now()
        assessment.explanation_requested_by = actor
    assessment.save(update_fields=["explanation_request", "explanation_requested_at", "explanation_requested_by"])
    record_change(assessment, actor=actor, changes={"explanation_request": [before, assessment.explanation_request]})
    return assessment


@transaction.atomic
def explanation_answer_save(score: Score, *, actor, version: int, text: str) -> Score:
    assessment = score.assessment
    _check_member(actor, assessment)
    _require_stage(assessment.round, Stage.EXPLANATION)
    if not assessment.explanation_requested_at:
        raise ValidationError(_("No explanation was requested from your unit."))
    if assessment.explained_at:
        raise ValidationError(_("Your explanation has been sent and is locked."))
    before = snapshot(score, EXPLANATION_FIELDS)
    score.explanation_answer = (text or "").strip()
    save_versioned(score, version, EXPLANATION_FIELDS)
    record_change(
        score, actor=actor, before=before, after=snapshot(score, EXPLANATION_FIELDS), note=Stage.EXPLANATION.label
    )
    return score


@transaction.atomic
def explanation_submit(assessment: Assessment, *, actor) -> Assessment:
    _check_member(actor, assessment)
    _require_stage(assessment.round, Stage.EXPLANATION)
    if not assessment.explanation_requested_at:
        raise ValidationError(_("No explanation was requested from your unit."))
    if assessment.explained_at:
        raise ValidationError(_("Your explanation has already been sent."))
    assessment.explained_at = timezone.now()
    assessment.save(update_fields=["explained_at"])
    record_change(assessment, actor=actor, changes={"explained_at": [None, assessment.explained_at.isoformat()]})
    return assessment


# --- notifications ----------------------------------------------------------------------------------


def _recipients(round_: Round):
    """Officers of the assessed units and of the appraising agencies, and the province's Home Affairs staff."""
    User = get_user_model()
    agency_ids = set(round_.assessments.filter(agency__isnull=False).values_list("agency_id", flat=True))
    agency_ids |= set(round_.assignments.values_list("agency_id", flat=True))
    unit_ids = set(round_.assessments.filter(unit__isnull=False).values_list("unit_id", flat=True))
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(agencies__in=agency_ids)
            | Q(units__in=unit_ids)
            | Q(role="province_admin", units=round_.methodology.province_id)
        )
        .distinct()
    )


def notify_stage(round_: Round, before: str, after: str) -> int:
    """Tell the users concerned that a stage closed (the project's notifications app: in-app and e-mail)."""
    from notifications.notify import notify

    deadline = round_.deadline(after)
    title = _("%(round)s: the “%(before)s” stage is closed") % {"round": round_, "before": Stage(before).label}
    body = _("The round %(round)s is now at the stage “%(after)s”.") % {"round": round_, "after": Stage(after).label}
    if deadline:
        body += " " + _("Deadline: %(date)s.") % {"date": deadline.strftime("%d/%m/%Y")}
    created = notify(
        _recipients(round_),
        kind="assessment_stage",
        title=title,
        body=body,
        url=round_.get_absolute_url(),
        dedupe_key=f"assessment-round-{round_.pk}-{after}",
    )
    return len(created)


def parse_points(raw) -> Decimal | None:
    """'12,5' and '12.5' are the same; empty is None; anything else is a readable error."""
    from cchc_portal.lib.numbers import AmbiguousNumber, parse_score

    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, Decimal | int | float):
        return Decimal(str(raw))
    try:
        value = parse_score(raw)
    except (AmbiguousNumber, ValueError, ArithmeticError):
        value = None
    if value is None:
        raise ValidationError(_("“%(value)s” is not a number of points.") % {"value": raw})
    return value


# --- links from plan tasks to criteria ---------------------------------------------------------------


def linkable_tasks(methodology: Methodology):
    """Tasks of the province's plans (the province's and its agencies') of the methodology's year."""
    from tasks.models import Task

    return (
        Task.objects.filter(plan__province_id=methodology.province_id, plan__year=methodology.year)
        .select_related("area")
        .order_by("area__order", "order")
    )


@transaction.atomic
def criterion_task_link(criterion: Criterion, task, *, actor):
    """Link a plan task to the criterion it serves (the dashboard's "criteria at risk" reads these links)."""
    from .models import CriterionTask

    methodology = criterion.methodology
    if not actor.can_manage_province(methodology.province_id):
        raise PermissionDenied
    if task is None or not linkable_tasks(methodology).filter(pk=task.pk).exists():
        raise ValidationError(_("Choose a task of the province's %(year)s plans.") % {"year": methodology.year})
    link, created = CriterionTask.objects.get_or_create(criterion=criterion, task=task)
    if created:
        record_change(link, actor=actor, action=AuditAction.CREATE)
    return link


@transaction.atomic
def not_applicable_add(criterion: Criterion, subject, *, actor, reason: str = "") -> NotApplicable:
    """Mark a criterion (and everything under it) as not applying to a unit; only before the round opens."""
    methodology = criterion.methodology
    if not actor.can_manage_province(methodology.province_id):
        raise PermissionDenied
    guard_editable(methodology)
    field, subjects = round_subjects(methodology)
    if subject not in subjects:
        raise ValidationError(_("Choose a unit assessed by this index."))
    exclusion, created = NotApplicable.objects.get_or_create(
        criterion=criterion, **{field: subject}, defaults={"reason": reason[:255]}
    )
    if created:
        record_change(exclusion, actor=actor, action=AuditAction.CREATE)
    return exclusion


@transaction.atomic
def not_applicable_remove(exclusion: NotApplicable, *, actor) -> None:
    """The criterion applies to the unit again; only before the round opens (the scores are made then)."""
    methodology = exclusion.criterion.methodology
    if not actor.can_manage_province(methodology.province_id):
        raise PermissionDenied
    guard_editable(methodology)
    record_change(exclusion, actor=actor, action=AuditAction.DELETE, before=snapshot(exclusion))
    exclusion.delete()
