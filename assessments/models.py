"""The province's own CCHC index: methodology (criteria tree), scoring round, scores and evidence.

A `Methodology` is one year's index for one target group (departments, communes, or the
province itself for the Ministry's PAR INDEX), issued by a UBND decision. Its `Criterion`
tree runs area → criterion → sub-criterion; bonus and penalty items sit beside the areas.
A `Round` takes the methodology through its stages (self-assessment, first appraisal,
explanation, second appraisal, finalising, published); each unit has an `Assessment` with
one `Score` row per leaf criterion. Publication writes the results into `indices`
(an edition with scores and rankings), which stays the read side for rankings, unit
pages, the API and the leader dashboard.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cchc_portal.files import StoredFile, private_storage
from cchc_portal.scoping import scope_for

POINTS = {"max_digits": 8, "decimal_places": 2}


def fmt_points(value: Decimal | None) -> str:
    """Vietnamese figure for messages: 12,5 rather than 12.50."""
    if value is None:
        return "–"
    text = f"{Decimal(value).normalize():f}"
    return text.replace(".", ",")


class TargetGroup(models.TextChoices):
    AGENCY = "agency", _("Departments and agencies")
    COMMUNE = "commune", _("Communes")
    PROVINCE = "province", _("The province (PAR INDEX)")


class NodeKind(models.TextChoices):
    AREA = "area", _("Area")
    CRITERION = "criterion", _("Criterion")
    SUB_CRITERION = "sub_criterion", _("Sub-criterion")
    BONUS = "bonus", _("Bonus item")
    PENALTY = "penalty", _("Penalty item")


SCORED_KINDS = (NodeKind.AREA, NodeKind.CRITERION, NodeKind.SUB_CRITERION)
ADJUSTMENT_KINDS = (NodeKind.BONUS, NodeKind.PENALTY)


# --- methodology ---------------------------------------------------------------------


class MethodologyQuerySet(models.QuerySet):
    def for_user(self, user):
        scope = scope_for(user)
        if scope.all:
            return self
        return self.filter(province_id__in=scope.province_ids)


DEFAULT_BANDS = [
    {"code": "XS", "label": "Xuất sắc", "min": 90},
    {"code": "T", "label": "Tốt", "min": 80},
    {"code": "K", "label": "Khá", "min": 65},
    {"code": "TB", "label": "Trung bình", "min": 50},
    {"code": "Y", "label": "Yếu", "min": 0},
]


def default_bands() -> list[dict]:
    return [dict(b) for b in DEFAULT_BANDS]


class Methodology(models.Model):
    """One year's index for one target group of one province (an "edition")."""

    province = models.ForeignKey(
        "provinces.AdministrativeUnit",
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        related_name="assessment_methodologies",
        limit_choices_to={"level": "province"},
    )
    year = models.PositiveSmallIntegerField(_("year"))
    group = models.CharField(_("target group"), max_length=10, choices=TargetGroup.choices)
    name = models.CharField(_("name"), max_length=255)
    decision_ref = models.CharField(_("issuing decision"), max_length=255, blank=True)
    bonus_cap = models.DecimalField(_("bonus cap"), default=Decimal(0), **POINTS)
    penalty_cap = models.DecimalField(_("penalty cap"), default=Decimal(0), **POINTS)
    # [{"code": "T", "label": "Tốt", "min": 80}, ...]: a percent falls in the highest band whose min it reaches.
    bands = models.JSONField(_("classification bands"), default=default_bands, blank=True)
    is_sample = models.BooleanField(_("sample"), default=False, help_text=_("A sample tree shipped for the demo."))
    version = models.PositiveIntegerField(default=0, editable=False)

    objects = MethodologyQuerySet.as_manager()

    class Meta:
        verbose_name = _("index methodology")
        verbose_name_plural = _("index methodologies")
        ordering = ["-year", "group"]
        constraints = [
            models.UniqueConstraint(fields=["province", "year", "group"], name="methodology_one_per_year_group"),
            models.CheckConstraint(condition=Q(bonus_cap__gte=0), name="methodology_bonus_cap_not_negative"),
            models.CheckConstraint(condition=Q(penalty_cap__gte=0), name="methodology_penalty_cap_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.year}"

    def get_absolute_url(self) -> str:
        return reverse("assessments:methodology_detail", args=[self.pk])

    def clean(self):
        bands = self.bands or []
        if not isinstance(bands, list) or any(
            not isinstance(b, dict) or "code" not in b or "min" not in b for b in bands
        ):
            raise ValidationError({"bands": _('A list of {"code": "T", "label": "Tốt", "min": 80} entries.')})

    def previous(self) -> Methodology | None:
        return (
            Methodology.objects.filter(province_id=self.province_id, group=self.group, year__lt=self.year)
            .order_by("-year")
            .first()
        )

    @property
    def maximum(self) -> Decimal:
        return sum((c.max_points for c in self.criteria.filter(parent__isnull=True, kind=NodeKind.AREA)), Decimal(0))

    def band_for(self, percent: Decimal | None) -> dict | None:
        if percent is None:
            return None
        for band in sorted(self.bands or [], key=lambda b: Decimal(str(b["min"])), reverse=True):
            if percent >= Decimal(str(band["min"])):
                return band
        return None

    def tree_problems(self, nodes: list[Criterion] | None = None) -> list[str]:
        """Every node whose children's maxima do not add up to its own, named with both figures."""
        nodes = list(self.criteria.all()) if nodes is None else nodes
        return tree_problems(nodes)

    def validate_tree(self, nodes: list[Criterion] | None = None) -> None:
        problems = self.tree_problems(nodes)
        if problems:
            raise ValidationError(problems)


def tree_problems(nodes) -> list[str]:
    """Every node whose children's maxima do not add up to its own, named with both figures.

    Takes saved criteria or the import's unsaved rows (`code`, `name`, `kind`, `max_points`
    and either `parent_id` or `parent_code`), so the pages, the import and the API refuse
    the same trees with the same words.
    """
    codes = {node.pk: node.code for node in nodes if getattr(node, "pk", None)}
    children: dict[str, list] = defaultdict(list)
    for node in nodes:
        parent = getattr(node, "parent_code", None) or codes.get(getattr(node, "parent_id", None))
        if parent:
            children[parent].append(node)
    problems = []
    for node in nodes:
        kids = children.get(node.code)
        if not kids:
            continue
        if node.kind in ADJUSTMENT_KINDS:
            problems.append(gettext("“%(code)s”: a bonus or penalty item cannot have parts.") % {"code": node.code})
        total = sum((k.max_points for k in kids), Decimal(0))
        if total != node.max_points:
            problems.append(
                gettext("“%(code)s %(name)s”: its maximum is %(max)s points but its parts add up to %(sum)s points.")
                % {"code": node.code, "name": node.name, "max": fmt_points(node.max_points), "sum": fmt_points(total)}
            )
    return problems


class CriterionQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(methodology__in=Methodology.objects.for_user(user))

    def leaves(self):
        return self.filter(children__isnull=True)


class Criterion(models.Model):
    """A node of the tree: area → criterion → sub-criterion, or a bonus/penalty item."""

    methodology = models.ForeignKey(Methodology, on_delete=models.CASCADE, related_name="criteria")
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    code = models.CharField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=500)
    kind = models.CharField(_("kind"), max_length=14, choices=NodeKind.choices, default=NodeKind.CRITERION)
    max_points = models.DecimalField(_("maximum points"), **POINTS)
    guide = models.TextField(_("scoring guide"), blank=True)
    evidence_required = models.TextField(_("evidence required"), blank=True)
    by_survey = models.BooleanField(_("scored by survey"), default=False, help_text=_("Never self-scored."))
    order = models.PositiveIntegerField(_("order"), default=0)

    objects = CriterionQuerySet.as_manager()

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["methodology", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["methodology", "code"], name="criterion_code_unique"),
            models.CheckConstraint(condition=Q(max_points__gt=0), name="criterion_max_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def clean(self):
        if self.parent_id and self.parent.methodology_id != self.methodology_id:
            raise ValidationError({"parent": _("The parent must belong to the same methodology.")})
        if self.kind in ADJUSTMENT_KINDS and self.parent_id:
            raise ValidationError({"parent": _("Bonus and penalty items stand beside the areas, without a parent.")})
        if self.kind == NodeKind.AREA and self.parent_id:
            raise ValidationError({"parent": _("An area has no parent.")})


class NotApplicableQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(criterion__methodology__in=Methodology.objects.for_user(user))


class NotApplicable(models.Model):
    """A criterion (and everything under it) on which a named unit is not scored."""

    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="exclusions")
    agency = models.ForeignKey("provinces.Agency", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(
        "provinces.AdministrativeUnit", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=255, blank=True)

    objects = NotApplicableQuerySet.as_manager()

    class Meta:
        verbose_name = _("not-applicable criterion")
        verbose_name_plural = _("not-applicable criteria")
        constraints = [
            models.CheckConstraint(
                condition=(Q(agency__isnull=False) & Q(unit__isnull=True))
                | (Q(agency__isnull=True) & Q(unit__isnull=False)),
                name="not_applicable_one_subject",
            ),
            models.UniqueConstraint(fields=["criterion", "agency"], name="not_applicable_agency_unique"),
            models.UniqueConstraint(fields=["criterion", "unit"], name="not_applicable_unit_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion.code} — {self.agency or self.unit}"


# --- the round --------------------------------------------------------------------------


class Stage(models.TextChoices):
    DRAFT = "draft", _("Not open yet")
    SELF = "self", _("Self-assessment")
    APPRAISAL_1 = "appraisal_1", _("First appraisal")
    EXPLANATION = "explanation", _("Explanation")
    APPRAISAL_2 = "appraisal_2", _("Second appraisal")
    FINALISING = "finalising", _("Council finalising")
    PUBLISHED = "published", _("Published")


STAGE_ORDER = [s.value for s in Stage]
# The deadline field that closes each stage (the later stages close by the secretary's hand).
DEADLINE_FIELDS = {
    Stage.SELF: "self_closes",
    Stage.APPRAISAL_1: "appraisal1_closes",
    Stage.EXPLANATION: "explanation_closes",
    Stage.APPRAISAL_2: "appraisal2_closes",
}


class RoundQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(methodology__in=Methodology.objects.for_user(user))


class Round(models.Model):
    """The scoring round of one methodology, with a deadline per stage."""

    methodology = models.OneToOneField(Methodology, on_delete=models.CASCADE, related_name="round")
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices, default=Stage.DRAFT)
    self_opens = models.DateField(_("self-assessment opens"))
    self_closes = models.DateField(_("self-assessment closes"))
    appraisal1_closes = models.DateField(_("first appraisal closes"))
    explanation_closes = models.DateField(_("explanation deadline"))
    appraisal2_closes = models.DateField(_("second appraisal closes"))
    decision_number = models.CharField(_("decision number"), max_length=100, blank=True)
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    signer = models.CharField(_("signed by"), max_length=255, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    index_edition = models.ForeignKey(
        "indices.Edition", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    version = models.PositiveIntegerField(default=0, editable=False)

    objects = RoundQuerySet.as_manager()

    class Meta:
        verbose_name = _("scoring round")
        verbose_name_plural = _("scoring rounds")
        ordering = ["-methodology__year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(self_opens__lte=F("self_closes"))
                & Q(self_closes__lte=F("appraisal1_closes"))
                & Q(appraisal1_closes__lte=F("explanation_closes"))
                & Q(explanation_closes__lte=F("appraisal2_closes")),
                name="round_deadlines_in_order",
            )
        ]

    def __str__(self) -> str:
        return str(self.methodology)

    def get_absolute_url(self) -> str:
        return reverse("assessments:round_detail", args=[self.pk])

    def clean(self):
        dates = [self.self_opens, self.self_closes, self.appraisal1_closes, self.explanation_closes]
        dates.append(self.appraisal2_closes)
        if all(dates) and dates != sorted(dates):
            raise ValidationError(_("The deadlines must follow the order of the stages."))

    def deadline(self, stage: str | None = None) -> dt.date | None:
        field = DEADLINE_FIELDS.get(stage or self.stage)
        return getattr(self, field) if field else None

    @staticmethod
    def stage_order_index(stage: str) -> int:
        return STAGE_ORDER.index(stage)

    def next_stage(self) -> str | None:
        position = STAGE_ORDER.index(self.stage)
        return STAGE_ORDER[position + 1] if position + 1 < len(STAGE_ORDER) else None

    def stage_open(self, stage: str, today: dt.date | None = None) -> bool:
        """The round is in `stage` and its deadline has not passed (the job may not have run yet)."""
        if self.stage != stage:
            return False
        deadline = self.deadline(stage)
        return deadline is None or (today or timezone.localdate()) <= deadline

    @property
    def is_published(self) -> bool:
        return self.stage == Stage.PUBLISHED


class DeadlineExtension(models.Model):
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="extensions")
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices)
    old_date = models.DateField(_("old deadline"))
    new_date = models.DateField(_("new deadline"))
    reason = models.CharField(_("reason"), max_length=500)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("deadline extension")
        verbose_name_plural = _("deadline extensions")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.round} {self.stage}: {self.old_date} → {self.new_date}"


class AreaAssignment(models.Model):
    """An area of the tree appraised by an agency's users (justice: institutional reform, ...)."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="assignments")
    area = models.ForeignKey(
        Criterion, on_delete=models.CASCADE, related_name="assignments", limit_choices_to={"kind": NodeKind.AREA}
    )
    agency = models.ForeignKey("provinces.Agency", on_delete=models.CASCADE, related_name="appraised_areas")

    class Meta:
        verbose_name = _("appraisal assignment")
        verbose_name_plural = _("appraisal assignments")
        constraints = [models.UniqueConstraint(fields=["round", "area", "agency"], name="assignment_unique")]

    def __str__(self) -> str:
        return f"{self.area.code} — {self.agency}"


# --- a unit's assessment ------------------------------------------------------------------


class AssessmentQuerySet(models.QuerySet):
    def for_user(self, user):
        """The secretary's province sees every unit; a unit's officers their own; appraisers the units
        of rounds where their agency appraises an area; leaders and viewers published rounds."""
        scope = scope_for(user)
        if scope.all:
            return self
        if user.is_province_admin:
            return self.filter(round__methodology__province_id__in=scope.province_ids)
        own = Q(agency_id__in=scope.agency_ids) | Q(unit_id__in=scope.commune_ids)
        appraiser = Q(round__assignments__agency_id__in=scope.agency_ids)
        published = Q(round__stage=Stage.PUBLISHED, round__methodology__province_id__in=scope.province_ids)
        return self.filter(own | appraiser | published).distinct()


def signed_report_name(instance: Assessment, filename: str) -> str:
    ext = os.path.splitext(filename)[1].lower()
    return f"assessments/{instance.round_id}/{uuid.uuid4().hex}{ext}"


class Assessment(models.Model):
    """One unit's assessment in a round."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="assessments")
    agency = models.ForeignKey("provinces.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(
        "provinces.AdministrativeUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    signed_report = models.FileField(
        _("signed self-assessment report"), storage=private_storage, upload_to=signed_report_name, blank=True
    )
    signed_report_name = models.CharField(max_length=255, blank=True)
    explanation_request = models.TextField(_("request for explanation"), blank=True)
    explanation_requested_at = models.DateTimeField(null=True, blank=True)
    explanation_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    explained_at = models.DateTimeField(_("explained at"), null=True, blank=True)
    version = models.PositiveIntegerField(default=0, editable=False)

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("unit assessment")
        verbose_name_plural = _("unit assessments")
        constraints = [
            models.CheckConstraint(
                condition=(Q(agency__isnull=False) & Q(unit__isnull=True))
                | (Q(agency__isnull=True) & Q(unit__isnull=False)),
                name="assessment_one_subject",
            ),
            models.UniqueConstraint(fields=["round", "agency"], name="assessment_agency_unique"),
            models.UniqueConstraint(fields=["round", "unit"], name="assessment_unit_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.round} — {self.subject_name}"

    def get_absolute_url(self) -> str:
        return reverse("assessments:assessment_detail", args=[self.pk])

    @property
    def subject(self):
        return self.agency if self.agency_id else self.unit

    @property
    def subject_name(self) -> str:
        return self.subject.name

    def is_member(self, user) -> bool:
        """An officer of the assessed unit itself."""
        scope = scope_for(user)
        return (self.agency_id in scope.agency_ids) if self.agency_id else (self.unit_id in scope.commune_ids)


class Answer(models.TextChoices):
    FIGURE = "figure", _("Declared figure")
    YES = "yes", _("Yes")
    NO = "no", _("No")
    NOT_APPLICABLE = "na", _("Not applicable")


class ScoreQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(assessment__in=Assessment.objects.for_user(user))


class Score(models.Model):
    """One unit's scores on one leaf criterion (or bonus/penalty item).

    `max_points`, `kind`, `by_survey` and `applicable` are copied from the tree when the
    round opens so results are one aggregate over this table (no tree walk per row).
    """

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="scores")
    area = models.ForeignKey(Criterion, null=True, on_delete=models.PROTECT, related_name="+", editable=False)
    kind = models.CharField(max_length=14, choices=NodeKind.choices, editable=False)
    max_points = models.DecimalField(editable=False, **POINTS)
    by_survey = models.BooleanField(default=False, editable=False)
    applicable = models.BooleanField(default=True, editable=False)

    answer = models.CharField(_("answer"), max_length=8, choices=Answer.choices, blank=True)
    declared_value = models.CharField(_("declared figure"), max_length=255, blank=True)
    self_score = models.DecimalField(_("self-score"), null=True, blank=True, **POINTS)
    self_explanation = models.TextField(_("explanation (scored without evidence)"), blank=True)
    self_note = models.TextField(_("note"), blank=True)

    appraised_score = models.DecimalField(_("appraised score"), null=True, blank=True, **POINTS)
    appraisal_note = models.TextField(_("note to the unit"), blank=True)
    # Seen by appraisers and the council only: never on the unit's pages, API or exports.
    internal_note = models.TextField(_("internal note"), blank=True)
    explanation_answer = models.TextField(_("the unit's explanation"), blank=True)
    survey_score = models.DecimalField(_("survey score"), null=True, blank=True, **POINTS)

    version = models.PositiveIntegerField(default=0, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScoreQuerySet.as_manager()

    class Meta:
        verbose_name = _("criterion score")
        verbose_name_plural = _("criterion scores")
        ordering = ["assessment", "criterion__order"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "criterion"], name="score_one_per_criterion"),
            models.CheckConstraint(
                condition=Q(self_score__isnull=True) | (Q(self_score__gte=0) & Q(self_score__lte=F("max_points"))),
                name="score_self_within_max",
            ),
            models.CheckConstraint(
                condition=Q(appraised_score__isnull=True)
                | (Q(appraised_score__gte=0) & Q(appraised_score__lte=F("max_points"))),
                name="score_appraised_within_max",
            ),
            models.CheckConstraint(
                condition=Q(survey_score__isnull=True)
                | (Q(survey_score__gte=0) & Q(survey_score__lte=F("max_points"))),
                name="score_survey_within_max",
            ),
        ]
        indexes = [models.Index(fields=["area", "assessment"], name="score_area_assessment")]

    def __str__(self) -> str:
        return f"{self.assessment} · {self.criterion.code}"

    def clean(self):
        """The rules every path obeys (page, API, import)."""
        errors: dict[str, str] = {}
        for field, label in (
            ("self_score", _("The self-score")),
            ("appraised_score", _("The appraised score")),
            ("survey_score", _("The survey score")),
        ):
            value = getattr(self, field)
            if value is None:
                continue
            if value < 0:
                errors[field] = gettext("%(what)s cannot be negative.") % {"what": label}
            elif value > self.max_points:
                errors[field] = gettext(
                    "%(what)s %(value)s is above the maximum of %(max)s points for criterion %(code)s."
                ) % {
                    "what": label,
                    "value": fmt_points(value),
                    "max": fmt_points(self.max_points),
                    "code": self.criterion.code,
                }
        if self.by_survey and (self.self_score is not None or self.appraised_score is not None):
            errors.setdefault(
                "self_score",
                gettext("Criterion %(code)s is scored by the survey; it is not self-scored or appraised.")
                % {"code": self.criterion.code},
            )
        if not self.by_survey and self.survey_score is not None:
            errors["survey_score"] = gettext("Criterion %(code)s is not scored by the survey.") % {
                "code": self.criterion.code
            }
        if not self.applicable and any(
            getattr(self, f) is not None for f in ("self_score", "appraised_score", "survey_score")
        ):
            errors.setdefault(
                "self_score",
                gettext("Criterion %(code)s does not apply to this unit; it is not scored.")
                % {"code": self.criterion.code},
            )
        if errors:
            raise ValidationError(errors)

    @property
    def gap(self) -> Decimal | None:
        if self.self_score is None or self.appraised_score is None:
            return None
        return self.appraised_score - self.self_score


def evidence_file_name(instance: ScoreEvidence, filename: str) -> str:
    ext = os.path.splitext(filename)[1].lower()
    return f"assessments/evidence/{uuid.uuid4().hex}{ext}"


class EvidenceStage(models.TextChoices):
    SELF = "self", _("Self-assessment")
    EXPLANATION = "explanation", _("Explanation")


class ScoreEvidence(StoredFile):
    """Proof for a score: an uploaded file or a link to a task's progress file, with where the proof lies.

    A link has no file of its own but carries the linked file's name, type, size and digest.
    """

    score = models.ForeignKey(Score, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(storage=private_storage, upload_to=evidence_file_name, max_length=200, blank=True)
    task_evidence = models.ForeignKey(
        "tasks.Evidence", null=True, blank=True, on_delete=models.PROTECT, related_name="criterion_links"
    )
    location = models.CharField(
        _("page / section"), max_length=255, blank=True, help_text=_("Where the proof lies, e.g. “trang 3, mục II”.")
    )
    stage = models.CharField(max_length=12, choices=EvidenceStage.choices, default=EvidenceStage.SELF)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("criterion evidence")
        verbose_name_plural = _("criterion evidence")
        ordering = ["added_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(task_evidence__isnull=True) & ~Q(file="")) | (Q(task_evidence__isnull=False) & Q(file="")),
                name="score_evidence_file_or_link",
            )
        ]

    def save(self, *args, **kwargs):
        if self.task_evidence_id and not self.original_name:  # every path that links a file, the admin included
            self.copy_metadata(self.task_evidence)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("assessments:evidence_download", args=[self.pk])

    @property
    def stored_file(self):
        """The file to send: its own upload or the linked task's file."""
        return self.file if self.file else self.task_evidence.file


class CriterionTask(models.Model):
    """A real link from a plan task to the criterion of the current methodology it serves."""

    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="task_links")
    task = models.ForeignKey("tasks.Task", on_delete=models.CASCADE, related_name="assessment_criteria")

    class Meta:
        verbose_name = _("task serving a criterion")
        verbose_name_plural = _("tasks serving criteria")
        constraints = [models.UniqueConstraint(fields=["criterion", "task"], name="criterion_task_unique")]

    def __str__(self) -> str:
        return f"{self.criterion.code} ← {self.task}"
