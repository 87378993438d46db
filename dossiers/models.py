"""One-stop dossiers (hồ sơ TTHC), their monthly summary and import jobs.

Each dossier row carries its classification and the three months it counts in
(received, closed, became overdue), computed at import time. The summary table
stores only monthly *flows* per (unit, agency, month, channel, procedure level);
the stock figures (carried over, in progress, overdue) are exact sums of flows
over earlier months, so any period and any level add up (see `SummaryQuerySet`).
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from cchc_portal.lib.numbers import percent
from cchc_portal.lib.workdays import add_months, first_of_month
from cchc_portal.liveness import LiveJob
from cchc_portal.scoping import ProvinceScopedQuerySet
from provinces.models import AdministrativeUnit, Agency


class ProcedureLevel(models.TextChoices):
    PROVINCE = "province", _("Province level")
    COMMUNE = "commune", _("Commune level")


class Channel(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    POST = "post", _("By post")
    ONLINE_FULL = "online_full", _("Online, full process")
    ONLINE_PARTIAL = "online_partial", _("Online, partial")


class Status(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    FINISHED = "finished", _("Finished")
    REJECTED = "rejected", _("Returned / rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    PAUSED = "paused", _("Paused")


OPEN_STATUSES = (Status.IN_PROGRESS, Status.PAUSED)


class TimeUnit(models.TextChoices):
    """The unit a procedure states its time limit in (and its average handling time is shown in)."""

    WORKING_DAYS = "working_days", _("working days")
    DAYS = "days", _("days")
    HOURS = "hours", _("working hours")


class Outcome(models.TextChoices):
    EARLY = "early", _("Early")
    ON_TIME = "on_time", _("On time")
    LATE = "late", _("Late")
    OVERDUE = "overdue", _("Overdue")
    PENDING = "pending", _("In progress, not yet due")
    NONE = "none", _("Not classified (returned or withdrawn)")


def local_today() -> dt.date:
    return timezone.localdate()


class Holiday(models.Model):
    """A public holiday (or a compensatory day off) that does not count as a working day."""

    date = models.DateField(_("date"), unique=True)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        verbose_name = _("public holiday")
        verbose_name_plural = _("public holidays")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.name}"

    # The dossiers' stored working days count the holidays: a change is followed by the full
    # recompute, which refreshes them and the handling-time summaries (queued after the commit).
    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        _recompute_after_holiday_change()

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        _recompute_after_holiday_change()
        return result

    @classmethod
    def dates(cls) -> frozenset[dt.date]:
        return frozenset(cls.objects.values_list("date", flat=True))


class HandlingFactsBasis(models.Model):
    """The calendar the dossiers' stored handling facts were last refreshed with (one row).

    The facts (working days, working minutes) depend on the holidays and the office hours.
    The full recompute refreshes them only when this basis is not the current one
    (`importing.summaries.calendar_fingerprint`): a nightly recompute that finds nothing
    changed does not recompute a million rows' facts. A holiday's change clears it.
    """

    fingerprint = models.CharField(_("calendar fingerprint"), max_length=64, blank=True)
    refreshed_at = models.DateTimeField(_("facts refreshed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("basis of the stored handling facts")
        verbose_name_plural = _("basis of the stored handling facts")

    def __str__(self) -> str:
        return self.fingerprint[:12]


def _recompute_after_holiday_change() -> None:
    """Queue one full recompute after the commit, however many holidays the transaction changes
    (`load_reference` adds the shipped days one by one in one transaction). The stored facts'
    basis is cleared in the same transaction: their next refresh cannot be skipped, even if the
    holidays come back to what they were before an import wrote facts with the changed ones."""
    from django.db import connection, transaction

    HandlingFactsBasis.objects.update(fingerprint="")

    # The pending callbacks of this transaction (dropped on rollback): queue only once.
    if any(func is _queue_recompute for _sids, func, _robust in connection.run_on_commit):
        return
    transaction.on_commit(_queue_recompute)


def _queue_recompute() -> None:
    from cchc_portal.queue import enqueue_after_commit

    from .jobs import recompute_summaries_job

    enqueue_after_commit(recompute_summaries_job)


class Procedure(models.Model):
    code = models.CharField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=500)
    level = models.CharField(_("level"), max_length=10, choices=ProcedureLevel.choices)
    allowance_days = models.PositiveSmallIntegerField(
        _("time limit (working days)"), null=True, blank=True, help_text=_("Used when an export has no due date.")
    )
    # The legal time limit as the procedure states it ("2 ngày làm việc", "24 giờ"). Without a value
    # the limit is `allowance_days` working days (the import's fallback for a missing due date).
    time_limit = models.DecimalField(
        _("legal time limit"), max_digits=6, decimal_places=1, null=True, blank=True,
        help_text=_("In the unit below; empty: the time limit in working days above."),
    )  # fmt: skip
    time_limit_unit = models.CharField(
        _("unit of time"), max_length=12, choices=TimeUnit.choices, default=TimeUnit.WORKING_DAYS
    )
    # Decision 766/QĐ-TTg: an online dossier of such a procedure counts as online only with an electronic result.
    paper_result = models.BooleanField(_("result is a paper document"), default=False)

    class Meta:
        verbose_name = _("administrative procedure")
        verbose_name_plural = _("administrative procedures")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def legal_time_limit(self):
        """The time limit in `time_limit_unit`, or None when the procedure states none."""
        if self.time_limit is not None:
            return self.time_limit
        return self.allowance_days if self.time_limit_unit == TimeUnit.WORKING_DAYS else None


class DossierQuerySet(ProvinceScopedQuerySet):
    commune_field = "receiving_unit_id"

    def late_or_overdue(self):
        return self.filter(outcome__in=[Outcome.LATE, Outcome.OVERDUE])

    def late_list(self, province_id: int, first: dt.date, last: dt.date, filters: dict):
        """The late-and-overdue list of a province (page and export alike), in its index order.

        `filters` as the page's query: outcome, agency, unit (ids as text), q (receipt number)."""
        queryset = self.filter(province_id=province_id, received_month__gte=first, received_month__lte=last)
        # Implied by the receipt month (a dossier is never due before it is received: the import refuses it),
        # but it starts the list-order index scan at the period: without it the first page walked every late
        # dossier due before the period, 245 ms instead of 1 ms at 10M dossiers (bench/dossiers_scale.py).
        queryset = queryset.filter(due_date__gte=first).late_or_overdue()
        outcome = filters.get("outcome")
        if outcome in (Outcome.LATE, Outcome.OVERDUE):
            queryset = queryset.filter(outcome=outcome)
        if agency := str(filters.get("agency") or "").strip():
            queryset = queryset.filter(agency_id=agency) if agency.isdigit() else queryset.none()
        if unit := str(filters.get("unit") or "").strip():
            queryset = queryset.filter(receiving_unit_id=unit) if unit.isdigit() else queryset.none()
        if receipt := str(filters.get("q") or "").strip():
            queryset = queryset.filter(receipt_number__icontains=receipt)
        return queryset.order_by("due_date", "id")

    def after_in_list_order(self, due_date: dt.date, pk: int):
        """The rows after (due_date, pk) in the late list's order: a page read off `dossier_late_in_list_order`
        from the key on, whatever its depth (no OFFSET). `due_date >= day` is the index bound, the OR only
        skips that day's earlier ids."""
        after = Q(due_date__gt=due_date) | Q(due_date=due_date, pk__gt=pk)
        return self.filter(Q(due_date__gte=due_date) & after).order_by("due_date", "id")

    def before_in_list_order(self, due_date: dt.date, pk: int):
        """The rows before (due_date, pk), nearest first (the index read backwards)."""
        before = Q(due_date__lt=due_date) | Q(due_date=due_date, pk__lt=pk)
        return self.filter(Q(due_date__lte=due_date) & before).order_by("-due_date", "-id")


class Dossier(models.Model):
    receipt_number = models.CharField(_("receipt number"), max_length=64)
    # Fact-table foreign keys: no database constraint and no index of their own. The import
    # resolves every id from these tables in the same transaction, units and agencies are
    # never deleted (they get an end date), and PROTECT still guards deletes through the
    # ORM. Each constraint would be checked row by row at commit (~3-4 s per million
    # rows) and each index maintained on every insert (bench/dossiers_ingest.py); the
    # unique (receiving_unit, receipt_number) index serves lookups by unit.
    procedure = models.ForeignKey(
        Procedure, verbose_name=_("procedure"), on_delete=models.PROTECT, db_constraint=False, db_index=False
    )
    # Denormalised from the procedure: the summary groups by it.
    procedure_level = models.CharField(_("procedure level"), max_length=10, choices=ProcedureLevel.choices)
    receiving_unit = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("receiving unit"),
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    # Denormalised province of the receiving unit, for scoping.
    province = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    received_at = models.DateTimeField(_("received at"))
    due_at = models.DateTimeField(_("due at"))
    paused_days = models.PositiveSmallIntegerField(_("paused (working days)"), default=0)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    # Derived at import (calendar days in Asia/Ho_Chi_Minh):
    due_date = models.DateField(_("due day"), help_text=_("Due day moved on by the paused working days."))
    closed_date = models.DateField(_("closed on"), null=True, blank=True)
    outcome = models.CharField(_("classification"), max_length=8, choices=Outcome.choices)
    received_month = models.DateField()
    closed_month = models.DateField(null=True, blank=True)
    overdue_month = models.DateField(null=True, blank=True)
    # Service-index (Decision 766/QĐ-TTg) facts: optional export columns. NULL = the
    # source's export had no such column ("no data"), never "no".
    supplement_count = models.PositiveSmallIntegerField(_("supplementation requests"), null=True, blank=True)
    supplement_days = models.PositiveSmallIntegerField(_("days waiting for supplementation"), null=True, blank=True)
    e_result = models.BooleanField(_("electronic result issued"), null=True, blank=True)
    fee_bearing = models.BooleanField(_("fee-bearing"), null=True, blank=True)
    paid_online = models.BooleanField(_("paid online"), null=True, blank=True)
    digitised = models.BooleanField(_("components digitised"), null=True, blank=True)
    reused = models.BooleanField(_("digitised data reused"), null=True, blank=True)
    vneid = models.BooleanField(_("identified through VNeID"), null=True, blank=True)
    complaint = models.BooleanField(_("complaint or dislike"), null=True, blank=True)
    # Derived at import by the 766 rules (see importing.parsing.service_facts): late by
    # the end of processing against the due day moved on by the supplementation wait
    # (NULL while open); received online and counted as such.
    late_766 = models.BooleanField(_("late (Decision 766)"), null=True, blank=True)
    online_766 = models.BooleanField(_("online (Decision 766)"), default=False)
    # Derived when the row is imported (lib.workdays.WorkingClock; importing.summaries.handling_facts_sql when
    # the calendar changes), NULL while not finished:
    # the handling time from receipt to the end of processing, in minutes, in working days and in working
    # minutes (inside settings.CCHC_OFFICE_HOURS on working days: a limit in hours counts working hours),
    # by the holidays as they are (a holiday's change refreshes them). The handling-time summaries sum these.
    handling_minutes = models.IntegerField(_("handling time (minutes)"), null=True, blank=True)
    handling_working_days = models.IntegerField(_("handling time (working days)"), null=True, blank=True)
    handling_working_minutes = models.BigIntegerField(_("handling time (working minutes)"), null=True, blank=True)
    import_job = models.ForeignKey(
        "ImportJob",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    updated_at = models.DateTimeField(default=timezone.now)

    objects = DossierQuerySet.as_manager()

    class Meta:
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        constraints = [
            models.UniqueConstraint(fields=["receiving_unit", "receipt_number"], name="dossier_unit_receipt_unique"),
            # paused_days ≥ 0 is the PositiveSmallIntegerField's own check: not declared twice.
        ]
        indexes = [
            # Small partial indexes only: every index costs each imported row. The summaries
            # are kept by deltas (importing.apply_flow_delta), so nothing reads by month.
            # The daily overdue job and the late list:
            models.Index(
                fields=["outcome", "due_date"],
                name="dossier_outcome_due",
                condition=Q(outcome__in=["pending", "late", "overdue"]),
            ),
            # The late list of a province over a period of receipt:
            models.Index(
                fields=["province", "received_month"],
                name="dossier_late_by_province",
                condition=Q(outcome__in=["late", "overdue"]),
            ),
            # The late list's pages in its sort order (due day, id): a page is read off the index
            # and stops after 50 rows instead of sorting every late dossier of the period.
            models.Index(
                fields=["province", "due_date", "id"],
                name="dossier_late_in_list_order",
                condition=Q(outcome__in=["late", "overdue"]),
                include=["received_month"],
            ),
        ]

    def __str__(self) -> str:
        return self.receipt_number


class SummaryQuerySet(ProvinceScopedQuerySet):
    commune_field = "receiving_unit_id"

    def late_count(self, first_month: dt.date, last_month: dt.date, outcome: str | None = None) -> int:
        """The late list's count: dossiers received in first..last that are late or overdue (or `outcome`)."""
        columns = {Outcome.LATE: "late_by_receipt", Outcome.OVERDUE: "overdue_by_receipt"}
        chosen = [columns[outcome]] if outcome in columns else list(columns.values())
        total = sum((models.F(column) for column in chosen[1:]), models.F(chosen[0]))
        rows = self.filter(month__gte=first_month, month__lte=last_month)
        return rows.aggregate(n=models.Sum(total))["n"] or 0

    def period_figures(self, first_month: dt.date, last_month: dt.date):
        """Aggregates for the months first..last: flows summed, stocks taken at the edges.

        Stocks come from flows: carried over into `first_month` = received − closed
        before it; in progress / overdue at the end of `last_month` = the same sums
        up to and including it. Needs every earlier month, so it filters by month
        itself (only an upper bound).
        """
        return self.filter(month__lte=last_month).aggregate(**_flow_sums(first_month, last_month))

    def grouped_figures(self, first_month: dt.date, last_month: dt.date, *fields: str):
        return (
            self.filter(month__lte=last_month)
            .values(*fields)
            .annotate(**_flow_sums(first_month, last_month))
            .order_by(*fields)
        )


def _flow_sums(first_month: dt.date, last_month: dt.date) -> dict:
    """The sums `figures_from_sums` needs, over rows already limited to month <= last_month."""
    in_period = Q(month__gte=first_month, month__lte=last_month)
    before = Q(month__lt=first_month)
    return {
        "s_received": Sum("received", filter=in_period, default=0),
        "s_early": Sum("finished_early", filter=in_period, default=0),
        "s_on_time": Sum("finished_on_time", filter=in_period, default=0),
        "s_late": Sum("finished_late", filter=in_period, default=0),
        "s_received_before": Sum("received", filter=before, default=0),
        "s_closed_before": Sum("closed", filter=before, default=0),
        "s_received_to_end": Sum("received", default=0),
        "s_closed_to_end": Sum("closed", default=0),
        "s_overdue_opened": Sum("overdue_opened", default=0),
        "s_overdue_closed": Sum("overdue_closed", default=0),
    }


def figures_from_sums(sums: dict) -> dict:
    """The published figures from `period_figures`/`grouped_figures` sums."""
    finished = sums["s_early"] + sums["s_on_time"] + sums["s_late"]
    carried_over = sums["s_received_before"] - sums["s_closed_before"]
    in_progress = sums["s_received_to_end"] - sums["s_closed_to_end"]
    overdue = sums["s_overdue_opened"] - sums["s_overdue_closed"]
    return {
        "received": sums["s_received"],
        "carried_over": carried_over,
        "finished": finished,
        "early": sums["s_early"],
        "on_time": sums["s_on_time"],
        "late": sums["s_late"],
        "in_progress": in_progress,
        "overdue": overdue,
        # on-time rate = (early + on time) / finished
        "on_time_rate": percent(sums["s_early"] + sums["s_on_time"], finished) if finished else None,
        # late rate = (late + overdue) / (received + carried over)
        "late_rate": percent(sums["s_late"] + overdue, sums["s_received"] + carried_over)
        if sums["s_received"] + carried_over
        else None,
    }


class DossierSummary(models.Model):
    """Monthly flows per (receiving unit, agency, month, channel, procedure level)."""

    # Derived rows written in bulk by the import (see Dossier): no database FK constraints.
    receiving_unit = models.ForeignKey(
        AdministrativeUnit, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    province = models.ForeignKey(AdministrativeUnit, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    month = models.DateField(_("month"))
    channel = models.CharField(max_length=16, choices=Channel.choices)
    procedure_level = models.CharField(max_length=10, choices=ProcedureLevel.choices)
    received = models.PositiveIntegerField(default=0)
    closed = models.PositiveIntegerField(default=0, help_text=_("Finished, returned or withdrawn in the month."))
    finished_early = models.PositiveIntegerField(default=0)
    finished_on_time = models.PositiveIntegerField(default=0)
    finished_late = models.PositiveIntegerField(default=0)
    overdue_opened = models.PositiveIntegerField(default=0, help_text=_("Became overdue in the month."))
    overdue_closed = models.PositiveIntegerField(default=0, help_text=_("Overdue dossiers closed in the month."))
    # Decision 766 numerators and denominators (importing.summaries.SERVICE_FLOWS says
    # which month each counts in). A "known" column counts the dossiers whose export
    # carried the fact: 0 known means "no data", not a rate of 0.
    svc_online = models.PositiveIntegerField(default=0)
    svc_closed_on_time = models.PositiveIntegerField(default=0)
    svc_fee_known = models.PositiveIntegerField(default=0)
    svc_paid_online = models.PositiveIntegerField(default=0)
    svc_eresult_known = models.PositiveIntegerField(default=0)
    svc_eresult = models.PositiveIntegerField(default=0)
    svc_digitised_known = models.PositiveIntegerField(default=0)
    svc_digitised = models.PositiveIntegerField(default=0)
    svc_reuse_known = models.PositiveIntegerField(default=0)
    svc_reused = models.PositiveIntegerField(default=0)
    svc_vneid_known = models.PositiveIntegerField(default=0)
    svc_vneid = models.PositiveIntegerField(default=0)
    svc_complaint_known = models.PositiveIntegerField(default=0)
    svc_complaint = models.PositiveIntegerField(default=0)
    # The late list's counts, by month of receipt (importing.summaries.RECEIPT_FLOWS).
    late_by_receipt = models.PositiveIntegerField(default=0, help_text=_("Received in the month, finished late."))
    overdue_by_receipt = models.PositiveIntegerField(default=0, help_text=_("Received in the month, overdue now."))

    objects = SummaryQuerySet.as_manager()

    class Meta:
        verbose_name = _("dossier summary")
        verbose_name_plural = _("dossier summaries")
        constraints = [
            models.UniqueConstraint(
                "receiving_unit",
                models.functions.Coalesce("agency", 0),
                "month",
                "channel",
                "procedure_level",
                name="dossier_summary_key",
            ),
        ]
        indexes = [models.Index(fields=["province", "month"], name="dossier_summary_province")]

    def __str__(self) -> str:
        return f"{self.receiving_unit_id}/{self.agency_id} {self.month:%m/%Y} {self.channel} {self.procedure_level}"


class HandlingSummaryQuerySet(ProvinceScopedQuerySet):
    commune_field = "receiving_unit_id"

    def per_procedure(self, first_month: dt.date, last_month: dt.date):
        """Finished dossiers received in first..last and their summed handling time, per procedure id.

        Grouped by the id alone (the procedure's fields are read separately): grouping by its
        name and limits too made the year of a 1M-dossier province 5x slower.
        """
        return (
            self.filter(month__gte=first_month, month__lte=last_month)
            .values("procedure_id")
            .annotate(
                n_finished=Sum("finished"),
                n_minutes=Sum("handling_minutes"),
                n_working_days=Sum("handling_working_days"),
                n_working_minutes=Sum("handling_working_minutes"),
            )
            .filter(n_finished__gt=0)
            .order_by()
        )


class ProvinceHandlingQuerySet(HandlingSummaryQuerySet):
    commune_field = None  # province totals: a user scoped to communes reads HandlingTimeSummary instead


class HandlingTimeSummary(models.Model):
    """Finished dossiers and their handling time per (procedure, receiving unit, agency, month of receipt).

    Kept by the same deltas as `DossierSummary` (importing.summaries.HANDLING_FLOWS). The
    durations are stored in three measures so a procedure's unit of time can change
    without a recompute: elapsed minutes (calendar days), working days, and working
    minutes (working hours: the office windows of working days, settings.CCHC_OFFICE_HOURS).
    """

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    receiving_unit = models.ForeignKey(
        AdministrativeUnit, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    province = models.ForeignKey(AdministrativeUnit, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    month = models.DateField(_("month"), help_text=_("Month of receipt."))
    finished = models.PositiveIntegerField(default=0)
    handling_minutes = models.BigIntegerField(default=0)
    handling_working_days = models.BigIntegerField(default=0)
    handling_working_minutes = models.BigIntegerField(default=0)

    objects = HandlingSummaryQuerySet.as_manager()

    class Meta:
        verbose_name = _("handling time summary")
        verbose_name_plural = _("handling time summaries")
        constraints = [
            models.UniqueConstraint(
                "procedure",
                "receiving_unit",
                models.functions.Coalesce("agency", 0),
                "month",
                name="handling_summary_key",
            ),
        ]
        # A commune's and a department's drill-down; the province's table reads ProvinceHandlingTimeSummary.
        indexes = [
            models.Index(fields=["receiving_unit", "month"], name="handling_summary_unit"),
            models.Index(fields=["agency", "month"], name="handling_summary_agency"),
        ]

    def __str__(self) -> str:
        return f"{self.procedure_id}/{self.receiving_unit_id}/{self.agency_id} {self.month:%m/%Y}"


class ProvinceHandlingTimeSummary(models.Model):
    """`HandlingTimeSummary` summed per (province, month, procedure), kept by the same delta.

    A province's per-procedure table for a year reads ~procedures × 12 rows here instead of
    ~procedures × units × 12 there (582k rows for 1M dossiers over 1,500 procedures:
    3 s instead of milliseconds, bench/service_index.py).
    """

    province = models.ForeignKey(AdministrativeUnit, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    month = models.DateField(_("month"), help_text=_("Month of receipt."))
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    finished = models.PositiveIntegerField(default=0)
    handling_minutes = models.BigIntegerField(default=0)
    handling_working_days = models.BigIntegerField(default=0)
    handling_working_minutes = models.BigIntegerField(default=0)

    objects = ProvinceHandlingQuerySet.as_manager()

    class Meta:
        verbose_name = _("handling time summary of a province")
        verbose_name_plural = _("handling time summaries of provinces")
        constraints = [
            models.UniqueConstraint(fields=["province", "month", "procedure"], name="province_handling_summary_key")
        ]

    def __str__(self) -> str:
        return f"{self.procedure_id}/{self.province_id} {self.month:%m/%Y}"


class ImportSourceQuerySet(models.QuerySet):
    def for_user(self, user):
        """National mappings (no province) are shared; a province's own mapping is its province's."""
        from cchc_portal.scoping import scope_for

        scope = scope_for(user)
        if scope.all:
            return self
        if not user.is_authenticated:
            return self.none()
        return self.filter(Q(province__isnull=True) | Q(province_id__in=scope.province_ids))


class ImportSource(models.Model):
    """A one-stop system whose exports we import, with its own header names."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    province = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("province"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": "province"},
    )
    header_mapping = models.JSONField(
        _("header mapping"),
        default=dict,
        blank=True,
        help_text=_('Field name → header in this system\'s export, e.g. {"receipt_number": "Số biên nhận"}.'),
    )

    objects = ImportSourceQuerySet.as_manager()

    class Meta:
        verbose_name = _("import source")
        verbose_name_plural = _("import sources")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Reading and checking")
    APPLYING = "applying", _("Saving")
    SUCCEEDED = "succeeded", _("Completed")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


ACTIVE_JOB_STATUSES = (JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.APPLYING)


class ImportJobQuerySet(models.QuerySet):
    def for_user(self, user):
        from cchc_portal.scoping import scope_for

        scope = scope_for(user)
        if scope.all:
            return self
        return self.filter(Q(province_id__in=scope.province_ids) | Q(created_by=user))


def _upload_to(instance, filename: str) -> str:
    # Never the user's file name in a path (ASVS 5.3.2).
    extension = "xlsx" if filename.lower().endswith(".xlsx") else "csv"
    return f"dossier_imports/{uuid.uuid4().hex}.{extension}"


class ImportJob(LiveJob):
    province = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("province"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Rows for units outside this province are refused. Empty: any unit (national administrators)."),
    )
    source = models.ForeignKey(ImportSource, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("source"))
    file = models.FileField(upload_to=_upload_to, blank=True)
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    dry_run = models.BooleanField(_("check only"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    total_rows = models.PositiveIntegerField(_("rows in file"), null=True, blank=True)
    processed_rows = models.PositiveIntegerField(_("rows read"), default=0)
    error_rows = models.PositiveIntegerField(_("rows with errors"), default=0)
    inserted = models.PositiveIntegerField(_("new dossiers"), default=0)
    updated = models.PositiveIntegerField(_("updated dossiers"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged dossiers"), default=0)
    error_file = models.FileField(blank=True)
    message = models.TextField(_("message"), blank=True)
    cancel_requested = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ImportJobQuerySet.as_manager()

    QUEUED = JobStatus.QUEUED
    RUNNING_STATUSES = (JobStatus.RUNNING, JobStatus.APPLYING)
    FAILED = JobStatus.FAILED
    CANCELLED = JobStatus.CANCELLED

    class Meta:
        verbose_name = _("dossier import")
        verbose_name_plural = _("dossier imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.original_name or self.pk} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("dossiers:import_job", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_JOB_STATUSES

    @property
    def can_cancel(self) -> bool:
        """Until its rows are read; saving (one transaction) then runs to the end — unless its worker is gone."""
        return self.status in (JobStatus.QUEUED, JobStatus.RUNNING) or self.worker_gone

    def send(self) -> None:
        from .jobs import import_dossiers_job

        import_dossiers_job.delay(self.pk)

    @property
    def progress_percent(self) -> int:
        if self.status == JobStatus.SUCCEEDED:
            return 100
        if not self.total_rows:
            return 0
        return min(99, int(self.processed_rows * 100 / self.total_rows))


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Writing the file")
    SUCCEEDED = "succeeded", _("Ready to download")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired")


EXPORT_RETENTION_DAYS = 7
EXPORT_FAILED_MESSAGE = gettext_noop("The export failed. The details are in the server log; press “Run again”.")
EXPORT_WORKER_LOST_MESSAGE = gettext_noop(
    "The worker stopped midway (server restart or lost connection). Press “Run again” to write the file again."
)


class LateExportJobQuerySet(models.QuerySet):
    def for_user(self, user):
        """Its owner, and whoever sees the whole province it lists (the file holds nothing more:
        it is written with the owner's scope inside that one province)."""
        from cchc_portal.scoping import scope_for

        scope = scope_for(user)
        if scope.all:
            return self
        return self.filter(Q(created_by=user) | Q(province_id__in=scope.province_ids))


def _export_to(instance, filename: str) -> str:
    return f"dossier_exports/{uuid.uuid4().hex}.xlsx"


class LateExportJob(LiveJob):
    """The late-and-overdue list as .xlsx, written by a background job with the list's filters."""

    province = models.ForeignKey(
        AdministrativeUnit, verbose_name=_("province"), on_delete=models.PROTECT, related_name="+"
    )
    # The list's filters as the page had them: from, to (YYYY-MM), outcome, agency, unit, q.
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    language = models.CharField(max_length=10, default="vi")
    status = models.CharField(_("status"), max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    total_rows = models.PositiveIntegerField(_("rows to write"), null=True, blank=True)
    written_rows = models.PositiveIntegerField(_("rows written"), default=0)
    # Not named `file`: the uploads clean-up (ops.uploads) deletes every job's `file`; exports
    # expire on their own schedule (`expire_late_exports`).
    result = models.FileField(upload_to=_export_to, blank=True)
    message = models.TextField(_("message"), blank=True)
    cancel_requested = models.BooleanField(default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = LateExportJobQuerySet.as_manager()

    QUEUED = ExportStatus.QUEUED
    RUNNING_STATUSES = (ExportStatus.RUNNING,)
    FAILED = ExportStatus.FAILED
    CANCELLED = ExportStatus.CANCELLED

    class Meta:
        verbose_name = _("late list export")
        verbose_name_plural = _("late list exports")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "finished_at"], name="late_export_status_finished")]

    def __str__(self) -> str:
        return f"{self.pk} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("dossiers:late_export", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.status in (ExportStatus.QUEUED, ExportStatus.RUNNING)

    @property
    def can_run_again(self) -> bool:
        return self.status in (ExportStatus.FAILED, ExportStatus.CANCELLED, ExportStatus.EXPIRED)

    @property
    def expires_at(self):
        return (self.finished_at or self.created_at) + dt.timedelta(days=EXPORT_RETENTION_DAYS)

    def give_up(self, *, message: str = EXPORT_WORKER_LOST_MESSAGE, now=None) -> bool:
        return super().give_up(message=message, now=now)

    def run_again(self) -> bool:
        model = type(self)
        reset = model._default_manager.filter(pk=self.pk, status=ExportStatus.EXPIRED).update(
            status=ExportStatus.FAILED
        )
        if reset:
            self.status = ExportStatus.FAILED
        if super().run_again():
            model._default_manager.filter(pk=self.pk).update(written_rows=0, total_rows=None, result="")
            self.refresh_from_db()
            return True
        return False

    def send(self) -> None:
        from .jobs import late_export_job

        late_export_job.delay(self.pk)

    @property
    def progress_percent(self) -> int:
        if self.status == ExportStatus.SUCCEEDED:
            return 100
        if not self.total_rows:
            return 0
        return min(99, int(self.written_rows * 100 / self.total_rows))


def month_bounds(first: dt.date, last: dt.date) -> tuple[dt.date, dt.date]:
    return first_of_month(first), first_of_month(last)


def default_period(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The last 12 months including the current one."""
    current = first_of_month(today or local_today())
    return add_months(current, -11), current


# The sums other apps read from the summaries with their own (e.g. the service index's).
flow_sums = _flow_sums
