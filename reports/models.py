"""The periodic CCHC reporting cycle (báo cáo CCHC định kỳ, guidance 581/BNV-CCHC).

A versioned template (outline sections + annex figures) is data; a round per
province and period lists the units expected to report; each unit's report
moves through a state machine kept here, on the model, so pages, API and admin
obey the same rules. Every transition is audited and locked optimistically.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from audit.log import record_change, snapshot
from audit.models import AuditAction, AuditSource
from cchc_portal.concurrency import save_versioned
from cchc_portal.files import StoredFile, private_storage
from cchc_portal.lib.numbers import percent
from cchc_portal.lib.periods import PeriodKind, ReportingPeriod
from cchc_portal.scoping import ProvinceScopedQuerySet, scope_for


def today() -> dt.date:
    return timezone.localdate()


# --- template -------------------------------------------------------------------------


class ValueType(models.TextChoices):
    INTEGER = "integer", _("Whole number")
    DECIMAL = "decimal", _("Decimal number")
    PERCENT = "percent", _("Percentage")
    YES_NO = "yes_no", _("Yes/no")


class Combine(models.TextChoices):
    SUM = "sum", _("Sum")
    MEAN = "mean", _("Mean")
    MAX = "max", _("Maximum")
    # A rate recomputed from the combined numerator and denominator (store both, never average rates).
    RATIO = "ratio", _("Rate of the combined figures")
    NONE = "none", _("Not combined")


class AutoSource(models.TextChoices):
    NONE = "", _("Typed by the unit")
    TASKS_TOTAL = "tasks_total", _("Plan tasks led by the unit")
    TASKS_COMPLETED = "tasks_completed", _("Plan tasks completed")
    TASKS_OVERDUE = "tasks_overdue", _("Plan tasks overdue")
    DOSSIERS_RECEIVED = "dossiers_received", _("Dossiers received in the period")
    DOSSIERS_FINISHED = "dossiers_finished", _("Dossiers finished in the period")
    DOSSIERS_ON_TIME = "dossiers_on_time", _("Dossiers finished early or on time")
    DOSSIERS_LATE = "dossiers_late", _("Dossiers finished late")
    DOSSIERS_ONLINE = "dossiers_online", _("Dossiers received online")


class TemplateQuerySet(models.QuerySet):
    def for_user(self, user):
        scope = scope_for(user)
        if scope.all:
            return self
        return self.filter(Q(province__isnull=True) | Q(province_id__in=scope.province_ids))

    def latest_for(self, province) -> ReportTemplate | None:
        """The province's own latest version if it has one, else the national latest."""
        own = self.filter(province=province).order_by("-version").first()
        return own or self.filter(province__isnull=True).order_by("-version").first()


class ReportTemplate(models.Model):
    """One version of the outline and annex. A version used by a round never changes: copy it instead."""

    name = models.CharField(_("name"), max_length=255)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    province = models.ForeignKey(
        "provinces.AdministrativeUnit",
        verbose_name=_("province"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Empty for the national template; a province's own version otherwise."),
    )
    basis = models.CharField(_("legal basis"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = TemplateQuerySet.as_manager()

    class Meta:
        verbose_name = _("report template")
        verbose_name_plural = _("report templates")
        ordering = ["province_id", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["version"], condition=Q(province__isnull=True), name="report_template_national_version"
            ),
            models.UniqueConstraint(
                fields=["province", "version"],
                condition=Q(province__isnull=False),
                name="report_template_province_version",
            ),
        ]

    def __str__(self) -> str:
        return gettext("%(name)s (version %(version)d)") % {"name": self.name, "version": self.version}

    @property
    def in_use(self) -> bool:
        return self.rounds.exists()

    def active_sections(self):
        return self.sections.filter(retired=False)

    def active_figures(self):
        return self.figures.filter(retired=False)

    @transaction.atomic
    def new_version(self, *, province=None) -> ReportTemplate:
        """A copy to edit for the next rounds (`province`: a province's own copy of the national one)."""
        province = province if province is not None else self.province
        latest = ReportTemplate.objects.filter(province=province).order_by("-version").first()
        copy = ReportTemplate.objects.create(
            name=self.name, basis=self.basis, province=province, version=(latest.version + 1) if latest else 1
        )
        ReportSection.objects.bulk_create(
            ReportSection(template=copy, **{f: getattr(s, f) for f in SECTION_FIELDS}) for s in self.sections.all()
        )
        ReportFigure.objects.bulk_create(
            ReportFigure(template=copy, **{f: getattr(x, f) for f in FIGURE_FIELDS}) for x in self.figures.all()
        )
        return copy


def _template_unchanged(template_id: int | None) -> None:
    if template_id and ReportRound.objects.filter(template_id=template_id).exists():
        raise ValidationError(
            _("This template version is used by a reporting round and cannot change; make a new version.")
        )


class ReportSection(models.Model):
    """A heading of the outline (đề cương) with the free text units write under it."""

    template = models.ForeignKey(ReportTemplate, on_delete=models.CASCADE, related_name="sections")
    code = models.CharField(_("code"), max_length=10)
    title = models.CharField(_("title"), max_length=255)
    guidance = models.TextField(_("what to write"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    retired = models.BooleanField(_("retired"), default=False)

    class Meta:
        verbose_name = _("outline section")
        verbose_name_plural = _("outline sections")
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["template", "code"], name="report_section_code_unique")]

    def __str__(self) -> str:
        return f"{self.code}. {self.title}"

    def clean(self):
        _template_unchanged(self.template_id)


SECTION_FIELDS = ["code", "title", "guidance", "order", "retired"]


class ReportFigure(models.Model):
    """A row of the figures annex (phụ lục số liệu)."""

    template = models.ForeignKey(ReportTemplate, on_delete=models.CASCADE, related_name="figures")
    code = models.CharField(_("code"), max_length=20)
    group = models.CharField(_("group"), max_length=255, blank=True, help_text=_("Heading the row is listed under."))
    label = models.CharField(_("label"), max_length=255)
    unit = models.CharField(_("unit of measure"), max_length=40, help_text=_("văn bản, thủ tục, hồ sơ, %, …"))
    value_type = models.CharField(_("type"), max_length=10, choices=ValueType.choices, default=ValueType.INTEGER)
    combine = models.CharField(_("how units combine"), max_length=8, choices=Combine.choices, default=Combine.SUM)
    auto_source = models.CharField(
        _("automatic source"), max_length=24, choices=AutoSource.choices, default=AutoSource.NONE, blank=True
    )
    min_value = models.DecimalField(_("minimum"), max_digits=14, decimal_places=2, null=True, blank=True, default=0)
    max_value = models.DecimalField(_("maximum"), max_digits=14, decimal_places=2, null=True, blank=True)
    at_most = models.CharField(
        _("not more than figure"), max_length=20, blank=True, help_text=_("Code of the figure this one cannot exceed.")
    )
    rate_numerator = models.CharField(_("rate: numerator figure"), max_length=20, blank=True)
    rate_denominator = models.CharField(_("rate: denominator figure"), max_length=20, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    retired = models.BooleanField(_("retired"), default=False)

    class Meta:
        verbose_name = _("annex figure")
        verbose_name_plural = _("annex figures")
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["template", "code"], name="report_figure_code_unique"),
            models.CheckConstraint(
                condition=~Q(combine="ratio") | (~Q(rate_numerator="") & ~Q(rate_denominator="")),
                name="report_figure_ratio_has_terms",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.label}"

    def clean(self):
        _template_unchanged(self.template_id)
        if self.combine == Combine.RATIO and not (self.rate_numerator and self.rate_denominator):
            raise ValidationError(_("A rate needs its numerator and denominator figures."))

    @property
    def is_derived(self) -> bool:
        """A rate computed from two other figures: never typed."""
        return bool(self.rate_numerator and self.rate_denominator)

    @property
    def upper_bound(self) -> Decimal | None:
        if self.value_type == ValueType.PERCENT:
            return min(self.max_value, Decimal(100)) if self.max_value is not None else Decimal(100)
        if self.value_type == ValueType.YES_NO:
            return Decimal(1)
        return self.max_value

    def parse(self, raw) -> Decimal | None:
        """The typed text as a number of this figure's type; ValidationError with the reason."""
        if raw is None:
            return None
        text = str(raw).strip().replace("\u00a0", "").replace(" ", "")
        if text == "":
            return None
        if self.value_type == ValueType.YES_NO:
            lowered = text.lower()
            if lowered in {"1", "yes", "có", "co", "true"}:
                return Decimal(1)
            if lowered in {"0", "no", "không", "khong", "false"}:
                return Decimal(0)
            raise ValidationError(_("Choose yes or no."))
        text = text.rstrip("%")
        if self.value_type == ValueType.INTEGER:
            # "1.234" is how staff write a thousand and more; a decimal part is refused.
            if "," in text or ("." in text and not all(len(g) == 3 for g in text.split(".")[1:])):
                raise ValidationError(_("Enter a whole number."))
            text = text.replace(".", "")
        elif "," in text:
            text = text.replace(".", "").replace(",", ".")
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise ValidationError(_("Enter a number.")) from None
        if not value.is_finite():
            raise ValidationError(_("Enter a number."))
        if self.value_type == ValueType.INTEGER and value != value.to_integral_value():
            raise ValidationError(_("Enter a whole number."))
        if abs(value) >= Decimal("1e12"):
            raise ValidationError(_("The number is too large."))
        if self.min_value is not None and value < self.min_value:
            raise ValidationError(_("Must be at least %(min)s.") % {"min": _number(self.min_value)})
        bound = self.upper_bound
        if bound is not None and value > bound:
            if self.value_type == ValueType.PERCENT and bound == 100:
                raise ValidationError(_("A percentage cannot exceed 100."))
            raise ValidationError(_("Must be at most %(max)s.") % {"max": _number(bound)})
        return value.quantize(Decimal("0.01")) if self.value_type != ValueType.INTEGER else value


FIGURE_FIELDS = [
    "code",
    "group",
    "label",
    "unit",
    "value_type",
    "combine",
    "auto_source",
    "min_value",
    "max_value",
    "at_most",
    "rate_numerator",
    "rate_denominator",
    "order",
    "retired",
]


def _number(value: Decimal | int | None) -> str:
    from cchc_portal.lib.numbers import format_decimal

    if value is None:
        return ""
    value = Decimal(value)
    places = 0 if value == value.to_integral_value() else 2
    return format_decimal(value, places)


def display_value(figure: ReportFigure, value) -> str:
    """A stored value as a Vietnamese reader expects it: 1.234; 76,47%; Có/Không."""
    if value is None or value == "":
        return "–"
    value = Decimal(str(value))
    if figure.value_type == ValueType.YES_NO and figure.combine != Combine.SUM:
        return gettext("Yes") if value else gettext("No")
    if figure.value_type == ValueType.PERCENT:
        from cchc_portal.lib.numbers import format_percent

        return format_percent(value)
    return _number(value)


# --- rounds -----------------------------------------------------------------------------


class ReportStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned")
    RESUBMITTED = "resubmitted", _("Resubmitted")
    ACCEPTED = "accepted", _("Accepted")


NOT_SUBMITTED = [ReportStatus.NOT_STARTED, ReportStatus.DRAFT]
AWAITING_REVIEW = [ReportStatus.SUBMITTED, ReportStatus.RESUBMITTED]
TO_WRITE = [ReportStatus.NOT_STARTED, ReportStatus.DRAFT, ReportStatus.RETURNED]


class RoundQuerySet(ProvinceScopedQuerySet):
    def for_period(self, period: ReportingPeriod):
        return self.filter(year=period.year, kind=period.kind)

    def with_counts(self):
        """Counts by state and late submissions, in one query with the rounds."""
        late = Q(reports__first_submitted_at__date__gt=models.F("internal_deadline"))
        counts = {f"n_{status.value}": Count("reports", filter=Q(reports__status=status)) for status in ReportStatus}
        return self.annotate(
            n_expected=Count("reports"),
            n_late=Count("reports", filter=late),
            **counts,
        )


def current_round_for(user) -> ReportRound | None:
    """The newest round of the user's province (the leader dashboard's block), with its counts."""
    from cchc_portal.scoping import primary_province_id

    province_id = primary_province_id(user)
    if province_id is None:
        return None
    return (
        ReportRound.objects.for_user(user)
        .filter(province_id=province_id)
        .select_related("province")
        .with_counts()
        .order_by("-year", "-internal_deadline")
        .first()
    )


class ReportRound(models.Model):
    """One province's reporting round for one period (đợt báo cáo)."""

    province = models.ForeignKey(
        "provinces.AdministrativeUnit", verbose_name=_("province"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("period"), max_length=4, choices=PeriodKind.choices)
    template = models.ForeignKey(
        ReportTemplate, verbose_name=_("template"), on_delete=models.PROTECT, related_name="rounds"
    )
    internal_deadline = models.DateField(_("deadline for units"))
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("opened by"), null=True, blank=True, on_delete=models.SET_NULL
    )
    document_number = models.CharField(
        _("document number"), max_length=40, blank=True, help_text=_("The number part of “Số: …/BC-UBND”.")
    )
    document_date = models.DateField(_("document date"), null=True, blank=True)
    signer_title = models.CharField(_("signer's title"), max_length=120, blank=True, default="KT. CHỦ TỊCH")
    signer_position = models.CharField(_("signer's position"), max_length=120, blank=True, default="PHÓ CHỦ TỊCH")
    signer_name = models.CharField(_("signer's name"), max_length=120, blank=True)
    recipients = models.TextField(
        _("recipients"),
        blank=True,
        default="- Bộ Nội vụ;\n- Thường trực Tỉnh ủy;\n- Chủ tịch, các PCT UBND tỉnh;\n- Lưu: VT, SNV.",
    )
    texts = models.JSONField(_("province's text per section"), default=dict, blank=True)
    version = models.PositiveIntegerField(default=0, editable=False)

    objects = RoundQuerySet.as_manager()

    class Meta:
        verbose_name = _("reporting round")
        verbose_name_plural = _("reporting rounds")
        ordering = ["-year", "-internal_deadline"]
        constraints = [
            models.UniqueConstraint(fields=["province", "year", "kind"], name="report_round_once_per_period")
        ]

    def __str__(self) -> str:
        return gettext("%(period)s report, %(province)s") % {
            "period": self.period.label,
            "province": self.province.name,
        }

    def get_absolute_url(self) -> str:
        return reverse("reports:board", args=[self.pk])

    @property
    def period(self) -> ReportingPeriod:
        return ReportingPeriod(self.year, self.kind)

    @property
    def due_date(self) -> dt.date:
        return self.period.due_date

    def is_past_deadline(self, on: dt.date | None = None) -> bool:
        return (on or today()) > self.internal_deadline

    def can_review(self, user) -> bool:
        return user.is_authenticated and user.is_province_admin and self.province_id in scope_for(user).province_ids

    def counts(self) -> dict:
        row = (
            ReportRound.objects.filter(pk=self.pk)
            .with_counts()
            .values("n_expected", "n_late", *[f"n_{s.value}" for s in ReportStatus])[0]
        )
        row["n_submitted_any"] = row["n_submitted"] + row["n_resubmitted"] + row["n_accepted"] + row["n_returned"]
        row["n_missing"] = row["n_not_started"] + row["n_draft"]
        row["all_accepted"] = row["n_expected"] > 0 and row["n_accepted"] == row["n_expected"]
        return row


def expected_agencies(province):
    """Who reports by default: every current department and every commune people's committee."""
    from provinces.models import Agency, AgencyKind

    return (
        Agency.objects.current()
        .filter(province=province, kind__in=[AgencyKind.DEPARTMENT, AgencyKind.COMMUNE_COMMITTEE])
        .order_by("kind", "name")
    )


def round_open(
    *, province, period: ReportingPeriod, internal_deadline: dt.date | None = None, by=None, source=AuditSource.WEB
) -> ReportRound:
    """Open (or return the already open) round for `province` and `period`, listing the expected units."""
    existing = ReportRound.objects.filter(province=province, year=period.year, kind=period.kind).first()
    if existing:
        return existing
    template = ReportTemplate.objects.latest_for(province)
    if template is None:
        raise ValidationError(_("No report template exists yet."))
    with transaction.atomic():
        rnd = ReportRound.objects.create(
            province=province,
            year=period.year,
            kind=period.kind,
            template=template,
            internal_deadline=internal_deadline or (period.due_date - dt.timedelta(days=DEFAULT_DEADLINE_BEFORE_DUE)),
            opened_by=by if by is not None and by.is_authenticated else None,
        )
        UnitReport.objects.bulk_create(
            UnitReport(round=rnd, agency=agency, province=province) for agency in expected_agencies(province)
        )
        record_change(rnd, actor=by, action=AuditAction.CREATE, source=source)
    return rnd


# Province's own deadline for its units when the job opens a round: three days before the Ministry's 20th.
DEFAULT_DEADLINE_BEFORE_DUE = 3


# --- unit reports --------------------------------------------------------------------------


class ReportRefused(ValidationError):
    """A transition the rules do not allow; the message says why, in the user's language."""


class Action(models.TextChoices):
    SAVE = "save", _("Save draft")
    SUBMIT = "submit", _("Submit")
    RETURN = "return", _("Return for correction")
    ACCEPT = "accept", _("Accept")
    REOPEN = "reopen", _("Reopen")


S = ReportStatus
TRANSITIONS: dict[str, dict[str, str]] = {
    Action.SAVE: {S.NOT_STARTED: S.DRAFT, S.DRAFT: S.DRAFT, S.RETURNED: S.RETURNED},
    Action.SUBMIT: {S.NOT_STARTED: S.SUBMITTED, S.DRAFT: S.SUBMITTED, S.RETURNED: S.RESUBMITTED},
    Action.RETURN: {S.SUBMITTED: S.RETURNED, S.RESUBMITTED: S.RETURNED},
    Action.ACCEPT: {S.SUBMITTED: S.ACCEPTED, S.RESUBMITTED: S.ACCEPTED},
    Action.REOPEN: {S.ACCEPTED: S.RETURNED},
}
UNIT_ACTIONS = {Action.SAVE, Action.SUBMIT}
REVIEW_ACTIONS = {Action.RETURN, Action.ACCEPT, Action.REOPEN}
REASON_REQUIRED = {Action.RETURN, Action.REOPEN}
AUDITED_FIELDS = ["status", "values", "texts", "override_reasons", "return_reason", "reopen_reason"]


class UnitReportQuerySet(ProvinceScopedQuerySet):
    def for_user(self, user):
        """A unit's officers see their unit's reports only; province staff, leaders and viewers the province's."""
        scope = scope_for(user)
        if scope.all:
            return self
        if getattr(user, "is_agency_officer", False):
            return self.filter(agency_id__in=scope.agency_ids)
        return self.filter(province_id__in=scope.province_ids)

    def late(self):
        return self.filter(first_submitted_at__date__gt=models.F("round__internal_deadline"))


class UnitReport(models.Model):
    """One expected unit's report in a round."""

    round = models.ForeignKey(ReportRound, verbose_name=_("round"), on_delete=models.CASCADE, related_name="reports")
    agency = models.ForeignKey(
        "provinces.Agency", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="periodic_reports"
    )
    province = models.ForeignKey(
        "provinces.AdministrativeUnit", on_delete=models.PROTECT, related_name="+", editable=False
    )
    status = models.CharField(_("state"), max_length=12, choices=ReportStatus.choices, default=ReportStatus.NOT_STARTED)
    # Figure code -> value as text ("1234", "76.47"); a value is stored only after ReportFigure.parse accepted it.
    values = models.JSONField(_("figures"), default=dict, blank=True)
    auto_values = models.JSONField(_("automatic figures"), default=dict, blank=True)
    override_reasons = models.JSONField(_("reasons for changed automatic figures"), default=dict, blank=True)
    texts = models.JSONField(_("text per section"), default=dict, blank=True)
    first_submitted_at = models.DateTimeField(_("first submitted at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("submitted by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    return_reason = models.TextField(_("reason for return"), blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reviewed by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    # What was accepted the first time, so a reopened report shows what changed after acceptance.
    accepted_snapshot = models.JSONField(default=dict, blank=True, editable=False)
    reopened_at = models.DateTimeField(_("reopened at"), null=True, blank=True)
    reopen_reason = models.TextField(_("reason for reopening"), blank=True)
    updated_at = models.DateTimeField(_("last change"), null=True, blank=True)
    version = models.PositiveIntegerField(default=0, editable=False)

    objects = UnitReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("unit report")
        verbose_name_plural = _("unit reports")
        ordering = ["round", "agency__kind", "agency__name"]
        constraints = [
            models.UniqueConstraint(fields=["round", "agency"], name="unit_report_once_per_round"),
            models.CheckConstraint(
                condition=Q(status__in=["not_started", "draft"]) | Q(first_submitted_at__isnull=False),
                name="unit_report_submitted_has_date",
            ),
        ]
        indexes = [models.Index(fields=["round", "status"], name="unit_report_round_status")]

    def __str__(self) -> str:
        return f"{self.agency.name} – {self.round.period.label}"

    def get_absolute_url(self) -> str:
        return reverse("reports:report", args=[self.pk])

    # --- who may do what ---

    def can_edit(self, user) -> bool:
        return (
            user.is_authenticated
            and user.is_agency_officer
            and self.agency_id in scope_for(user).agency_ids
            and self.status in TRANSITIONS[Action.SAVE]
        )

    def can_review(self, user) -> bool:
        return user.is_authenticated and user.is_province_admin and self.province_id in scope_for(user).province_ids

    def allowed_actions(self, user) -> list[str]:
        actions = []
        for action, moves in TRANSITIONS.items():
            if self.status not in moves:
                continue
            if action in UNIT_ACTIONS and self.can_edit(user):
                actions.append(action)
            elif action in REVIEW_ACTIONS and self.can_review(user):
                actions.append(action)
        return actions

    @property
    def is_locked(self) -> bool:
        return self.status not in TRANSITIONS[Action.SAVE]

    # --- timing ---

    @property
    def is_late(self) -> bool:
        """Submitted after the internal deadline, or still not submitted once it has passed."""
        if self.first_submitted_at:
            return timezone.localtime(self.first_submitted_at).date() > self.round.internal_deadline
        return self.round.is_past_deadline()

    # --- figures ---

    def figures(self):
        return list(self.round.template.active_figures())

    def clean_values(self, raw: dict, reasons: dict, *, complete: bool) -> tuple[dict, dict]:
        """Parse and check every figure; ValidationError({code: message}) naming each bad field."""
        figures = self.figures()
        errors: dict[str, str] = {}
        values: dict[str, str] = {}
        kept_reasons: dict[str, str] = {}
        by_code = {f.code: f for f in figures}
        for figure in figures:
            if figure.is_derived:
                continue
            raw_value = raw.get(figure.code)
            if raw_value in (None, "") and figure.auto_source and figure.code in self.auto_values:
                raw_value = self.auto_values[figure.code]
            try:
                value = figure.parse(raw_value)
            except ValidationError as exc:
                errors[figure.code] = exc.messages[0]
                continue
            if value is None:
                if complete:
                    errors[figure.code] = gettext("Enter this figure before submitting.")
                continue
            values[figure.code] = str(value)
            auto = self.auto_values.get(figure.code)
            if figure.auto_source and auto not in (None, "") and Decimal(auto) != value:
                reason = (reasons.get(figure.code) or "").strip()
                if not reason:
                    errors[figure.code] = gettext("You changed the automatic value (%(auto)s): give a reason.") % {
                        "auto": _number(Decimal(auto))
                    }
                    continue
                kept_reasons[figure.code] = reason[:500]
        for figure in figures:
            if figure.at_most and figure.code in values and figure.at_most in values:
                if Decimal(values[figure.code]) > Decimal(values[figure.at_most]):
                    other = by_code.get(figure.at_most)
                    errors.setdefault(
                        figure.code,
                        gettext("Cannot be more than “%(other)s” (%(value)s).")
                        % {
                            "other": other.label if other else figure.at_most,
                            "value": _number(Decimal(values[figure.at_most])),
                        },
                    )
        for figure in figures:
            if figure.is_derived:
                num, den = values.get(figure.rate_numerator), values.get(figure.rate_denominator)
                if num is not None and den is not None and Decimal(den):
                    values[figure.code] = str(percent(Decimal(num), Decimal(den)))
        if errors:
            raise ValidationError(errors)
        return values, kept_reasons

    def clean_texts(self, raw: dict, *, complete: bool) -> dict:
        texts = {}
        for section in self.round.template.active_sections():
            text = (raw.get(section.code) or "").strip()
            if "\x00" in text:
                raise ValidationError({section.code: gettext("The text contains invalid characters.")})
            texts[section.code] = text[:20000]
        return texts

    def refresh_auto_values(self) -> None:
        """Recompute the automatic figures from tasks and dossier summaries (only while the unit may edit)."""
        from .auto import auto_values_for_agency

        self.auto_values = auto_values_for_agency(self.agency, self.round.period, self.figures())

    # --- the state machine ---

    def apply(
        self,
        action: str,
        *,
        user,
        expected_version: int,
        values: dict | None = None,
        texts: dict | None = None,
        reasons: dict | None = None,
        reason: str = "",
        source: str = AuditSource.WEB,
    ) -> None:
        """Run one transition: checks who, from which state, the input; saves versioned; audits; notifies."""
        moves = TRANSITIONS.get(action)
        if moves is None:
            raise ReportRefused(gettext("Unknown action."))
        if action in UNIT_ACTIONS and not (
            user.is_authenticated and user.is_agency_officer and self.agency_id in scope_for(user).agency_ids
        ):
            raise PermissionDenied(gettext("Only the unit's officers can write its report."))
        if action in REVIEW_ACTIONS and not self.can_review(user):
            raise PermissionDenied(gettext("Only the province's Home Affairs staff review reports."))
        if expected_version != self.version:
            from cchc_portal.concurrency import StaleObjectError

            raise StaleObjectError
        if self.status not in moves:
            raise ReportRefused(self._refusal(action))
        reason = (reason or "").strip()
        if action in REASON_REQUIRED and not reason:
            raise ReportRefused(gettext("Give a reason."))
        before = snapshot(self, AUDITED_FIELDS)
        now = timezone.now()
        fields = ["status", "updated_at"]
        if action in UNIT_ACTIONS:
            if values is not None:
                cleaned, kept = self.clean_values(values, reasons or {}, complete=action == Action.SUBMIT)
                self.values, self.override_reasons = cleaned, kept
            elif action == Action.SUBMIT:
                cleaned, kept = self.clean_values(self.values, self.override_reasons, complete=True)
                self.values, self.override_reasons = cleaned, kept
            if texts is not None:
                self.texts = self.clean_texts(texts, complete=action == Action.SUBMIT)
            fields += ["values", "override_reasons", "texts", "auto_values"]
        if action == Action.SUBMIT:
            self.submitted_at, self.submitted_by = now, user
            self.first_submitted_at = self.first_submitted_at or now
            fields += ["submitted_at", "submitted_by", "first_submitted_at"]
        elif action == Action.RETURN:
            self.return_reason = reason
            self.reviewed_at, self.reviewed_by = now, user
            fields += ["return_reason", "reviewed_at", "reviewed_by"]
        elif action == Action.ACCEPT:
            self.reviewed_at, self.reviewed_by = now, user
            fields += ["reviewed_at", "reviewed_by"]
            if not self.accepted_snapshot:
                self.accepted_snapshot = {"values": self.values, "texts": self.texts, "at": now.isoformat()}
                fields.append("accepted_snapshot")
        elif action == Action.REOPEN:
            self.reopened_at, self.reopen_reason = now, reason
            self.return_reason = reason
            fields += ["reopened_at", "reopen_reason", "return_reason"]
        self.status = moves[self.status]
        self.updated_at = now
        with transaction.atomic():
            save_versioned(self, expected_version, fields)
            record_change(
                self, actor=user, before=before, after=snapshot(self, AUDITED_FIELDS), source=source,
                note=f"{Action(action).label}: {reason}" if reason else str(Action(action).label),
            )  # fmt: skip
            self._notify(action, reason)

    def _refusal(self, action: str) -> str:
        if self.status == ReportStatus.ACCEPTED and action in UNIT_ACTIONS:
            return gettext(
                "This report has been accepted and is locked; ask the Department of Home Affairs to reopen it."
            )
        if self.status in AWAITING_REVIEW and action in UNIT_ACTIONS:
            return gettext("This report has been submitted and is locked while it is reviewed.")
        if action in {Action.RETURN, Action.ACCEPT}:
            return gettext("Only a submitted report can be returned or accepted (it is now: %(state)s).") % {
                "state": self.get_status_display()
            }
        return gettext("This cannot be done while the report is “%(state)s”.") % {"state": self.get_status_display()}

    def _notify(self, action: str, reason: str) -> None:
        # Stored and mailed in the portal's language, not the language of whoever clicked.
        with translation.override(settings.LANGUAGE_CODE):
            self._notify_in_language(action, reason)

    def _notify_in_language(self, action: str, reason: str) -> None:
        from notifications.notify import notify

        from .people import officers_of, reviewers_of

        url = self.get_absolute_url()
        key = f"report:{self.pk}:{action}:{self.version}"
        if action == Action.SUBMIT:
            notify(
                reviewers_of(self.province_id), kind="report_submitted", url=url, dedupe_key=key,
                title=gettext("Report to review: %(unit)s, %(period)s") % {"unit": self.agency.name, "period": self.round.period.label},
            )  # fmt: skip
        elif action in {Action.RETURN, Action.REOPEN}:
            notify(
                officers_of(self.agency_id), kind="report_returned", url=url, dedupe_key=key, body=reason,
                title=gettext("Your %(period)s report was returned for correction") % {"period": self.round.period.label},
            )  # fmt: skip
        elif action == Action.ACCEPT:
            notify(
                officers_of(self.agency_id), kind="report_accepted", url=url, dedupe_key=key,
                title=gettext("Your %(period)s report was accepted") % {"period": self.round.period.label},
            )  # fmt: skip

    # --- after acceptance ---

    def changes_since_acceptance(self) -> list[dict]:
        """Figures and texts that differ from what was first accepted (empty if never reopened)."""
        if not self.reopened_at or not self.accepted_snapshot:
            return []
        old_values, old_texts = self.accepted_snapshot.get("values", {}), self.accepted_snapshot.get("texts", {})
        rows = []
        for figure in self.round.template.figures.all():
            before, after = old_values.get(figure.code), self.values.get(figure.code)
            if before != after:
                rows.append(
                    {"label": f"{figure.code} {figure.label}", "before": display_value(figure, before),
                     "after": display_value(figure, after)}
                )  # fmt: skip
        for section in self.round.template.sections.all():
            if old_texts.get(section.code, "") != self.texts.get(section.code, ""):
                rows.append(
                    {"label": str(section), "before": old_texts.get(section.code, ""),
                     "after": self.texts.get(section.code, "")}
                )  # fmt: skip
        return rows

    @property
    def changed_after_acceptance(self) -> bool:
        return bool(self.changes_since_acceptance())


def attachment_name(instance: ReportAttachment, filename: str) -> str:
    ext = os.path.splitext(filename)[1].lower()
    return f"reports/{instance.report.round_id}/{uuid.uuid4().hex}{ext}"


def _private_storage():
    """Named by migration 0001 as the field's storage; kept callable so no migration is needed."""
    return private_storage


class ReportAttachment(StoredFile):
    """The signed report (PDF) or another file, checked like task evidence."""

    report = models.ForeignKey(UnitReport, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(storage=_private_storage, upload_to=attachment_name, max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "id"]

    def get_absolute_url(self) -> str:
        return reverse("reports:attachment", args=[self.pk])


class SentReportReminder(models.Model):
    """Kept for the board: the last reminder per report (notifications hold the once-per-event rule)."""

    report = models.ForeignKey(UnitReport, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=12)
    sent_at = models.DateTimeField(default=timezone.now)
    recipients = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("report reminder")
        verbose_name_plural = _("report reminders")
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return f"{self.report_id} {self.kind} {self.sent_at:%d/%m/%Y}"
