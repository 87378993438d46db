"""Annual reform plans (kế hoạch CCHC năm), their tasks and progress reports."""

from __future__ import annotations

import datetime as dt
import os

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cchc_portal.files import PrivateStorage, StoredFile, private_storage  # noqa: F401 (migrations name PrivateStorage here)
from cchc_portal.lib.periods import PeriodKind, period_for
from cchc_portal.lib.text import fold
from cchc_portal.scoping import ProvinceScopedQuerySet, scope_for

# Resolution 76/NQ-CP (programme 2021–2030): six reform areas; plans usually
# add direction/management and communication. Stored per plan (configurable).
DEFAULT_AREAS = [
    ("I", "Cải cách thể chế"),
    ("II", "Cải cách thủ tục hành chính"),
    ("III", "Cải cách tổ chức bộ máy hành chính nhà nước"),
    ("IV", "Cải cách chế độ công vụ"),
    ("V", "Cải cách tài chính công"),
    ("VI", "Xây dựng, phát triển Chính phủ điện tử, Chính phủ số"),
    ("VII", "Công tác chỉ đạo, điều hành"),
    ("VIII", "Thông tin, tuyên truyền"),
]


def today() -> dt.date:
    return timezone.localdate()


# --- plans ----------------------------------------------------------------------


class PlanQuerySet(ProvinceScopedQuerySet):
    commune_field = "unit_id"

    def for_year(self, year: int):
        return self.filter(year=year)


class Plan(models.Model):
    """A unit's annual reform plan, issued by a people's committee decision."""

    unit = models.ForeignKey(
        "provinces.AdministrativeUnit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="reform_plans",
        help_text=_("The province or commune whose plan this is."),
    )
    agency = models.ForeignKey(
        "provinces.Agency",
        verbose_name=_("agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reform_plans",
        help_text=_("Only for an agency's own plan."),
    )
    # Denormalised province of the unit, for scoping.
    province = models.ForeignKey(
        "provinces.AdministrativeUnit", on_delete=models.PROTECT, related_name="+", editable=False
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    title = models.CharField(_("title"), max_length=300)
    title_folded = models.CharField(max_length=300, editable=False, default="", db_index=True)
    decision_number = models.CharField(_("issuing decision number"), max_length=100, blank=True)
    decision_date = models.DateField(_("issuing decision date"), null=True, blank=True)
    version = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("reform plan")
        verbose_name_plural = _("reform plans")
        ordering = ["-year", "unit__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year"], condition=Q(agency__isnull=True), name="plan_unit_year_unique"
            ),
            models.UniqueConstraint(
                fields=["agency", "year"], condition=Q(agency__isnull=False), name="plan_agency_year_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        self.province_id = self.unit.province_id_for_scope
        self.title_folded = fold(self.title)[:300]
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("tasks:plan_detail", args=[self.pk])

    def ensure_default_areas(self) -> None:
        if not self.areas.exists():
            PlanArea.objects.bulk_create(
                PlanArea(plan=self, code=code, name=name, order=index)
                for index, (code, name) in enumerate(DEFAULT_AREAS, start=1)
            )


class PlanAreaQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(plan__in=Plan.objects.for_user(user))


class PlanArea(models.Model):
    """A content area (lĩnh vực) of one plan; the default eight come from DEFAULT_AREAS."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="areas")
    code = models.CharField(_("code"), max_length=10)
    name = models.CharField(_("name"), max_length=255)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = PlanAreaQuerySet.as_manager()

    class Meta:
        verbose_name = _("content area")
        verbose_name_plural = _("content areas")
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="plan_area_code_unique")]

    def __str__(self) -> str:
        return f"{self.code}. {self.name}"


# --- tasks ------------------------------------------------------------------------


class TaskStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    ONGOING = "ongoing", _("Ongoing")
    COMPLETED = "completed", _("Completed")


UNFINISHED = [TaskStatus.NOT_STARTED, TaskStatus.IN_PROGRESS, TaskStatus.ONGOING]


def overdue_q(on: dt.date) -> Q:
    """Unfinished, with a fixed deadline that has passed. Recurring tasks are never overdue."""
    return Q(deadline__lt=on, recurring=False) & ~Q(status=TaskStatus.COMPLETED)


def completed_late_q() -> Q:
    return Q(status=TaskStatus.COMPLETED, deadline__isnull=False, completion_date__gt=F("deadline"))


def status_counts(on: dt.date) -> dict:
    """Aggregates for `Task` `.aggregate()`/`.annotate()`: the figures staff report."""
    return {
        "total": Count("id"),
        "completed": Count("id", filter=Q(status=TaskStatus.COMPLETED)),
        "completed_late": Count("id", filter=completed_late_q()),
        "in_progress": Count("id", filter=Q(status=TaskStatus.IN_PROGRESS)),
        "ongoing": Count("id", filter=Q(status=TaskStatus.ONGOING)),
        "not_started": Count("id", filter=Q(status=TaskStatus.NOT_STARTED)),
        "overdue": Count("id", filter=overdue_q(on)),
    }


def progress_check(*, status: str, percent: int | None, completion_date: dt.date | None, plan_year: int | None) -> None:
    """The progress rules every path obeys (form, API, import, admin); raises ValidationError by field.

    - "not started" has no percent above 0;
    - 100 % means completed, and completed means 100 % (or no percent given);
    - a completion date only on a completed task, and a completed task has one;
    - the completion date is not after today, nor before 1 January of the plan's year.
    """
    errors: dict[str, list] = {}
    if status == TaskStatus.NOT_STARTED and percent:
        errors.setdefault("percent", []).append(_("A task that has not started cannot be partly done."))
    elif status == TaskStatus.COMPLETED and percent is not None and percent != 100:
        # xgettext:no-python-format
        errors.setdefault("percent", []).append(_("A completed task is 100% done."))
    elif status != TaskStatus.COMPLETED and percent == 100:
        # xgettext:no-python-format
        errors.setdefault("percent", []).append(_("A task 100% done is completed: choose the status “Completed”."))
    if status == TaskStatus.COMPLETED and completion_date is None:
        errors.setdefault("completion_date", []).append(_("Give the completion date."))
    if status != TaskStatus.COMPLETED and completion_date is not None:
        errors.setdefault("completion_date", []).append(_("Only a completed task has a completion date."))
    if completion_date is not None:
        if completion_date > today():
            errors.setdefault("completion_date", []).append(_("The completion date cannot be in the future."))
        elif plan_year and completion_date < dt.date(plan_year, 1, 1):
            errors.setdefault("completion_date", []).append(
                _("The completion date cannot be before the plan's year (%(year)s).") % {"year": plan_year}
            )
    if errors:
        raise ValidationError(errors)


class TaskQuerySet(models.QuerySet):
    def for_user(self, user):
        """Tasks a user may read: every task of the plans of their province(s), or of their commune's plans."""
        scope = scope_for(user)
        if scope.all:
            return self
        return self.filter(Q(plan__province_id__in=scope.province_ids) | Q(plan__unit_id__in=scope.commune_ids))

    def editable_by(self, user):
        """Tasks whose progress a user may enter: Home Affairs staff of the province, or the lead agency."""
        scope = scope_for(user)
        if scope.all:
            return self
        condition = Q(lead_agency_id__in=scope.agency_ids) if user.is_agency_officer else Q(pk__in=[])
        if user.is_province_admin:
            condition |= Q(plan__province_id__in=scope.province_ids) | Q(plan__unit_id__in=scope.commune_ids)
        return self.filter(condition)

    def overdue(self, on: dt.date | None = None):
        return self.filter(overdue_q(on or today()))

    def not_overdue(self, on: dt.date | None = None):
        return self.exclude(overdue_q(on or today()))

    def completed_late(self):
        return self.filter(completed_late_q())

    def figures(self, on: dt.date | None = None) -> dict:
        return self.aggregate(**status_counts(on or today()))


class Task(models.Model):
    """One row of a plan's annex (nhiệm vụ)."""

    plan = models.ForeignKey(Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="tasks")
    area = models.ForeignKey(PlanArea, verbose_name=_("content area"), on_delete=models.RESTRICT, related_name="tasks")
    number = models.CharField(_("number"), max_length=20, help_text=_("Number within the area, as in the annex."))
    order = models.PositiveIntegerField(_("order"), default=0)
    title = models.TextField(_("task"))
    # fold(title): diacritic- and case-free search on SQLite and PostgreSQL alike.
    title_folded = models.TextField(editable=False, default="")
    lead_agency = models.ForeignKey(
        "provinces.Agency", verbose_name=_("lead agency"), on_delete=models.PROTECT, related_name="led_tasks"
    )
    coordinating_agencies = models.ManyToManyField(
        "provinces.Agency", verbose_name=_("coordinating agencies"), blank=True, related_name="coordinated_tasks"
    )
    coordinating_note = models.CharField(
        _("other coordinating bodies"),
        max_length=500,
        blank=True,
        help_text=_("Bodies named generally in the annex, e.g. “các sở, ngành liên quan”."),
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    recurring = models.BooleanField(
        _("recurring through the year"), default=False, help_text=_("“Cả năm”, “thường xuyên”: no fixed deadline.")
    )
    deadline_text = models.CharField(
        _("deadline as written"), max_length=100, blank=True, help_text=_("e.g. “Quý II/2026”.")
    )
    expected_output = models.TextField(_("expected output"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=TaskStatus.choices, default=TaskStatus.NOT_STARTED)
    completion_date = models.DateField(_("completion date"), null=True, blank=True)
    percent = models.PositiveSmallIntegerField(
        _("percent complete"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    # Set by the daily job the day a task is first seen overdue (drives the reminder).
    overdue_since = models.DateField(_("overdue since"), null=True, blank=True, editable=False)
    last_progress_at = models.DateTimeField(_("last update"), null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["area__order", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "area", "number"], name="task_number_unique_in_area"),
            models.CheckConstraint(condition=Q(percent__isnull=True) | Q(percent__lte=100), name="task_percent_range"),
            models.CheckConstraint(
                condition=~Q(status=TaskStatus.COMPLETED) | Q(completion_date__isnull=False),
                name="task_completed_has_date",
            ),
            models.CheckConstraint(
                condition=Q(recurring=True) | Q(deadline__isnull=False) | Q(status=TaskStatus.COMPLETED),
                name="task_deadline_or_recurring",
            ),
        ]
        indexes = [models.Index(fields=["lead_agency", "status"]), models.Index(fields=["plan", "status"])]

    def __str__(self) -> str:
        return f"{self.area.code}.{self.number} {self.title[:80]}"

    def save(self, *args, **kwargs):
        self.title_folded = fold(self.title)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("tasks:task_detail", args=[self.pk])

    def clean(self):
        super().clean()
        progress_check(
            status=self.status,
            percent=self.percent,
            completion_date=self.completion_date,
            plan_year=self.plan.year if self.plan_id else None,
        )

    def is_overdue(self, on: dt.date | None = None) -> bool:
        return (
            self.status != TaskStatus.COMPLETED
            and not self.recurring
            and self.deadline is not None
            and self.deadline < (on or today())
        )

    @property
    def overdue(self) -> bool:
        return self.is_overdue()

    @property
    def completed_late(self) -> bool:
        return (
            self.status == TaskStatus.COMPLETED
            and self.deadline is not None
            and self.completion_date is not None
            and self.completion_date > self.deadline
        )

    @property
    def deadline_display(self) -> str:
        if self.recurring:
            return self.deadline_text or str(_("Through the year"))
        if self.deadline:
            return f"{self.deadline.day:02d}/{self.deadline.month:02d}/{self.deadline.year}"
        return "–"

    @property
    def status_badge(self) -> str:
        if self.is_overdue():
            return "bad"
        if self.status == TaskStatus.COMPLETED:
            return "warn" if self.completed_late else "ok"
        return ""


class TaskCriterion(models.Model):
    """A soft link from a task to the index criterion it serves.

    The index definitions live in the `indices` app, built in parallel; the link
    is kept by code (index code + component code, e.g. "PAR" + "3.2") so the
    dashboards can join on it once the index tree exists, and it survives a new
    methodology version that keeps the codes.
    """

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="criteria")
    index_code = models.CharField(_("index"), max_length=20, help_text=_("e.g. PAR, SIPAS, PAPI"))
    component_code = models.CharField(_("criterion code"), max_length=30, help_text=_("e.g. 3.2 or 3.2.1"))
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("index criterion served")
        verbose_name_plural = _("index criteria served")
        constraints = [
            models.UniqueConstraint(fields=["task", "index_code", "component_code"], name="task_criterion_unique")
        ]

    def __str__(self) -> str:
        return f"{self.index_code} {self.component_code}"


# --- progress -----------------------------------------------------------------------


class ProgressUpdate(models.Model):
    """A progress report on a task, filed under a reporting period."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="updates")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    period_year = models.PositiveSmallIntegerField(_("report year"))
    period = models.CharField(_("reporting period"), max_length=4, choices=PeriodKind.choices)
    status = models.CharField(_("status"), max_length=12, choices=TaskStatus.choices)
    percent = models.PositiveSmallIntegerField(_("percent complete"), null=True, blank=True)
    note = models.TextField(_("progress note"), blank=True)
    document_number = models.CharField(_("document number"), max_length=100, blank=True)
    document_date = models.DateField(_("document date"), null=True, blank=True)
    source = models.CharField(max_length=10, default="web")

    class Meta:
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.task} – {self.created_at:%d/%m/%Y}"

    def save(self, *args, **kwargs):
        if not self.period_year:
            period = period_for(timezone.localtime(self.created_at).date())
            self.period_year, self.period = period.year, period.kind
        super().save(*args, **kwargs)

    @property
    def period_label(self) -> str:
        return f"{self.get_period_display()} {self.period_year}"


def evidence_name(instance: Evidence, filename: str) -> str:
    """Server-chosen name: the user's file name is kept only as metadata."""
    import uuid

    ext = os.path.splitext(filename)[1].lower()
    return f"evidence/{instance.task.plan_id}/{uuid.uuid4().hex}{ext}"


class Evidence(StoredFile):
    """A file proving progress (tài liệu kiểm chứng)."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="evidence")
    update = models.ForeignKey(ProgressUpdate, null=True, blank=True, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(storage=private_storage, upload_to=evidence_name, max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        ordering = ["uploaded_at", "id"]

    def get_absolute_url(self) -> str:
        return reverse("tasks:evidence_download", args=[self.pk])


# --- stored figures and reminders ------------------------------------------------------


class PlanFigures(models.Model):
    """A plan's completion figures, written by the `recompute_plan_figures` job only."""

    plan = models.OneToOneField(Plan, on_delete=models.CASCADE, related_name="figures")
    computed_at = models.DateTimeField(_("data as of"))
    as_of = models.DateField(_("overdue counted on"))
    total = models.PositiveIntegerField(_("tasks"), default=0)
    completed = models.PositiveIntegerField(_("completed"), default=0)
    completed_late = models.PositiveIntegerField(_("completed late"), default=0)
    in_progress = models.PositiveIntegerField(_("in progress"), default=0)
    ongoing = models.PositiveIntegerField(_("ongoing"), default=0)
    not_started = models.PositiveIntegerField(_("not started"), default=0)
    overdue = models.PositiveIntegerField(_("overdue"), default=0)
    completion_rate = models.DecimalField(
        _("completion rate (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    # [{"id", "code"/"name", "total", "completed", ..., "completion_rate"}], ordered as shown.
    by_area = models.JSONField(default=list)
    by_agency = models.JSONField(default=list)

    class Meta:
        verbose_name = _("plan figures")
        verbose_name_plural = _("plan figures")

    def __str__(self) -> str:
        return f"{self.plan}: {self.completed}/{self.total}"

    @property
    def completed_on_time(self) -> int:
        return self.completed - self.completed_late

    @property
    def rate_display(self) -> str:
        from cchc_portal.lib.numbers import format_percent

        return format_percent(self.completion_rate)

    def summary(self, lang: str = "vi") -> str:
        from .figures import status_summary

        return status_summary(self, lang)


class ReminderKind(models.TextChoices):
    BEFORE_DEADLINE = "before", _("Deadline approaching")
    OVERDUE = "overdue", _("Overdue")


class SentReminder(models.Model):
    """One row per reminder event; the unique constraint makes the job send each once."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=8, choices=ReminderKind.choices)
    days_before = models.PositiveSmallIntegerField(default=0)
    deadline = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)
    recipients = models.TextField(blank=True)

    class Meta:
        verbose_name = _("sent reminder")
        verbose_name_plural = _("sent reminders")
        constraints = [
            models.UniqueConstraint(fields=["task", "kind", "days_before", "deadline"], name="reminder_once_per_event")
        ]

    def __str__(self) -> str:
        return f"{self.task} {self.kind} {self.days_before}"
