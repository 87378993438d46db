"""Decision 766 rates and points from the dossier summaries only (never the dossier table).

Each indicator's rate is a numerator over a denominator summed from `DossierSummary`
columns over a period of whole months. The month each column counts in is set by
`dossiers.importing.summaries.SERVICE_FLOWS`; stocks at the period's end (overdue,
unfinished dossiers) come from flows, as in `dossiers.stats`.
"""

from __future__ import annotations

import datetime as dt
import heapq
import re
from dataclasses import dataclass
from decimal import Decimal
from operator import itemgetter

from django.db.models import BooleanField, ExpressionWrapper, Q, Sum
from django.utils.translation import gettext_lazy as _

from cchc_portal.lib.numbers import percent
from cchc_portal.lib.workdays import add_months
from dossiers.models import Procedure, TimeUnit, flow_sums

from .models import Formula, Methodology

SERVICE_SUM_COLUMNS = [
    "svc_online",
    "svc_closed_on_time",
    "svc_fee_known",
    "svc_paid_online",
    "svc_eresult_known",
    "svc_eresult",
    "svc_digitised_known",
    "svc_digitised",
    "svc_reuse_known",
    "svc_reused",
    "svc_vneid_known",
    "svc_vneid",
    "svc_complaint_known",
    "svc_complaint",
]

PERIOD_KINDS = {"month": 1, "quarter": 3, "half": 6, "year": 12}
PERIOD_LABELS = {
    "month": _("Month"),
    "quarter": _("Quarter"),
    "half": _("6 months"),
    "year": _("Year"),
}


@dataclass(frozen=True)
class Period:
    """Whole calendar months: 2026-08, 2026-Q3, 2026-H1, 2026."""

    kind: str
    first: dt.date

    @property
    def last(self) -> dt.date:
        return add_months(self.first, PERIOD_KINDS[self.kind] - 1)

    @property
    def code(self) -> str:
        year, month = self.first.year, self.first.month
        return {
            "month": f"{year}-{month:02d}",
            "quarter": f"{year}-Q{(month - 1) // 3 + 1}",
            "half": f"{year}-H{(month - 1) // 6 + 1}",
            "year": f"{year}",
        }[self.kind]

    @property
    def label(self) -> str:
        year, month = self.first.year, self.first.month
        if self.kind == "month":
            return f"{month:02d}/{year}"
        if self.kind == "quarter":
            return _("Quarter %(n)d/%(year)d") % {"n": (month - 1) // 3 + 1, "year": year}
        if self.kind == "half":
            return (
                _("First half %(year)d") % {"year": year} if month == 1 else _("Second half %(year)d") % {"year": year}
            )
        return _("Year %(year)d") % {"year": year}

    @classmethod
    def parse(cls, text: str) -> Period:
        """Raise ValueError for anything but the four forms."""
        text = (text or "").strip().upper()
        if match := re.fullmatch(r"(\d{4})-(\d{2})", text):
            year, month = int(match[1]), int(match[2])
            if not 1 <= month <= 12:
                raise ValueError(text)
            return cls("month", dt.date(year, month, 1))
        if match := re.fullmatch(r"(\d{4})-Q([1-4])", text):
            return cls("quarter", dt.date(int(match[1]), 3 * int(match[2]) - 2, 1))
        if match := re.fullmatch(r"(\d{4})-H([12])", text):
            return cls("half", dt.date(int(match[1]), 6 * int(match[2]) - 5, 1))
        if match := re.fullmatch(r"(\d{4})", text):
            return cls("year", dt.date(int(match[1]), 1, 1))
        raise ValueError(text)

    @classmethod
    def containing(cls, kind: str, day: dt.date) -> Period:
        months = PERIOD_KINDS[kind]
        month = (day.month - 1) // months * months + 1
        return cls(kind, dt.date(day.year, month, 1))


def period_sums(first: dt.date, last: dt.date) -> dict:
    """Aggregates over summary rows already limited to month <= last (see SummaryQuerySet)."""
    in_period = Q(month__gte=first, month__lte=last)
    return {
        **flow_sums(first, last),
        **{f"s_{column}": Sum(column, filter=in_period, default=0) for column in SERVICE_SUM_COLUMNS},
    }


def unit_sums(summaries, period: Period) -> dict:
    return summaries.filter(month__lte=period.last).aggregate(**period_sums(period.first, period.last))


def grouped_sums(summaries, period: Period, *fields: str):
    return (
        summaries.filter(month__lte=period.last)
        .values(*fields)
        .annotate(**period_sums(period.first, period.last))
        .order_by(*fields)
    )


ROLLUP_COLUMNS = [
    "received",
    "closed",
    "finished_early",
    "finished_on_time",
    "finished_late",
    "overdue_opened",
    "overdue_closed",
    *SERVICE_SUM_COLUMNS,
]


def _sums_from_halves(period_part: dict, before: dict) -> dict:
    """`period_sums`' keys from plain sums of the rows in the period and of the rows before it."""
    return {
        "s_received": period_part["received"],
        "s_early": period_part["finished_early"],
        "s_on_time": period_part["finished_on_time"],
        "s_late": period_part["finished_late"],
        "s_received_before": before["received"],
        "s_closed_before": before["closed"],
        "s_received_to_end": period_part["received"] + before["received"],
        "s_closed_to_end": period_part["closed"] + before["closed"],
        "s_overdue_opened": period_part["overdue_opened"] + before["overdue_opened"],
        "s_overdue_closed": period_part["overdue_closed"] + before["overdue_closed"],
        **{f"s_{column}": period_part[column] for column in SERVICE_SUM_COLUMNS},
    }


def rolled_up_sums(summaries, period: Period) -> tuple[dict, dict, dict]:
    """The period's sums (`period_sums`) of the whole queryset, per agency and per receiving unit, in one query.

    One GROUP BY (agency, receiving unit, in the period or before it) of plain sums over the
    summary rows, rolled up here (every sum is additive), instead of three aggregations of ~25
    filtered sums each over the same rows. Returns (total, {agency_id: sums}, {receiving_unit_id:
    sums}); rows without an agency count in the total and their unit only.
    """
    zero = dict.fromkeys(ROLLUP_COLUMNS, 0)
    halves: dict[tuple, list[dict]] = {}  # (agency, unit) -> [before, in the period]
    rows = (
        summaries.filter(month__lte=period.last)
        .annotate(in_period=ExpressionWrapper(Q(month__gte=period.first), output_field=BooleanField()))
        .values("agency_id", "receiving_unit_id", "in_period")
        .annotate(**{f"r_{column}": Sum(column) for column in ROLLUP_COLUMNS})
        .order_by()
    )
    for row in rows:
        pair = halves.setdefault((row["agency_id"], row["receiving_unit_id"]), [zero, zero])
        pair[1 if row["in_period"] else 0] = {column: row[f"r_{column}"] for column in ROLLUP_COLUMNS}

    def rolled(keys) -> dict:
        period_part, before = dict(zero), dict(zero)
        for key in keys:
            for total, part in zip((before, period_part), halves[key], strict=True):
                for column, value in part.items():
                    total[column] += value
        return _sums_from_halves(period_part, before)

    agencies: dict[int, list] = {}
    units: dict[int, list] = {}
    for key in halves:
        if key[0] is not None:
            agencies.setdefault(key[0], []).append(key)
        units.setdefault(key[1], []).append(key)
    return (
        rolled(halves),
        {pk: {"agency_id": pk, **rolled(keys)} for pk, keys in agencies.items()},
        {pk: {"receiving_unit_id": pk, **rolled(keys)} for pk, keys in units.items()},
    )


@dataclass
class Rate:
    numerator: int | None
    denominator: int | None
    rate: Decimal | None  # percent; None = no data


def rates_from_sums(sums: dict) -> dict:
    """Every formula's numerator, denominator and rate; a rate is None when its denominator is 0 (no data)."""
    received = sums["s_received"]
    closed = sums["s_closed_to_end"] - sums["s_closed_before"]
    overdue_at_end = sums["s_overdue_opened"] - sums["s_overdue_closed"]
    # On time (766): closed in the period and not late, over closed in the period plus
    # the unfinished dossiers already overdue at its end (judged at the period's end).
    judged = closed + overdue_at_end
    on_time = Rate(sums["s_svc_closed_on_time"], judged, percent(sums["s_svc_closed_on_time"], judged))

    def ratio(numerator: str, denominator: str) -> Rate:
        num, den = sums[f"s_{numerator}"], sums[f"s_{denominator}"]
        return Rate(num, den, percent(num, den))

    complaints = ratio("svc_complaint", "svc_complaint_known")
    if on_time.rate is None or complaints.rate is None:
        satisfaction = Rate(None, None, None)
    else:
        # 100% − (late rate + share of dossiers with a complaint or a dislike)
        late_rate = Decimal(100) - on_time.rate
        satisfaction = Rate(None, None, max(Decimal(100) - late_rate - complaints.rate, Decimal(0)))
    return {
        Formula.ON_TIME: on_time,
        Formula.ONLINE_SHARE: Rate(sums["s_svc_online"], received, percent(sums["s_svc_online"], received)),
        Formula.ONLINE_PAYMENT: ratio("svc_paid_online", "svc_fee_known"),
        Formula.E_RESULTS: ratio("svc_eresult", "svc_eresult_known"),
        Formula.DIGITISED: ratio("svc_digitised", "svc_digitised_known"),
        Formula.REUSE: ratio("svc_reused", "svc_reuse_known"),
        Formula.SATISFACTION: satisfaction,
        "complaints": complaints,
        "vneid": ratio("svc_vneid", "svc_vneid_known"),
    }


def has_dossiers(sums: dict) -> bool:
    closed = sums["s_closed_to_end"] - sums["s_closed_before"]
    open_at_end = sums["s_received_to_end"] - sums["s_closed_to_end"]
    return bool(sums["s_received"] or closed or open_at_end)


def structure(methodology: Methodology) -> list[tuple]:
    """(group, [indicators]) of the methodology, read once per instance: `score` runs once per unit
    and month (~170 times a page), and each `.all()` on the prefetched relations builds a queryset."""
    if (found := getattr(methodology, "_structure", None)) is None:
        found = methodology._structure = [(group, list(group.indicators.all())) for group in methodology.groups.all()]
    return found


def score(methodology: Methodology, sums: dict) -> dict:
    """Points per indicator and group, the total over the groups with data, and the weakest indicator.

    `methodology` with its groups and indicators prefetched. A unit with no dossiers in
    the period has no score at all ("no dossiers"), never 0.
    """
    if not has_dossiers(sums):
        return {"has_dossiers": False, "groups": [], "total": None, "available": None, "share": None, "weakest": None}
    rates = rates_from_sums(sums)
    groups = []
    total = available = Decimal(0)
    weakest = None
    for group, group_indicators in structure(methodology):
        indicators = []
        points = reached = None
        for indicator in group_indicators:
            rate = rates.get(indicator.formula, Rate(None, None, None))
            got = indicator.points(rate.rate)
            if got is not None:
                points = (points or Decimal(0)) + got
                reached = (reached or Decimal(0)) + indicator.max_points
                share = got / indicator.max_points
                if weakest is None or share < weakest[0]:
                    weakest = (share, indicator)
            indicators.append({"indicator": indicator, "rate": rate, "points": got})
        if points is not None:
            total += points
            available += reached
        groups.append({"group": group, "indicators": indicators, "points": points, "available": reached})
    return {
        "has_dossiers": True,
        "groups": groups,
        "total": total if available else None,
        "available": available if available else None,
        "share": percent(total, available) if available else None,
        "weakest": weakest[1] if weakest else None,
        "rates": rates,
    }


def ranked(rows: list[dict]) -> list[dict]:
    """Rank rows by their score's share of the available maximum (ties share a rank); no-dossier rows last."""
    scored = sorted((r for r in rows if r["score"]["share"] is not None), key=lambda r: -r["score"]["share"])
    rank, previous = 0, None
    for position, row in enumerate(scored, start=1):
        if row["score"]["share"] != previous:
            rank, previous = position, row["score"]["share"]
        row["rank"] = rank
    rest = [r for r in rows if r["score"]["share"] is None]
    for row in rest:
        row["rank"] = None
    return scored + rest


def monthly_sums(summaries, first: dt.date, last: dt.date) -> list[tuple[dt.date, dict]]:
    """(month, the sums `score` needs for that month alone) for each month first..last, in one query."""
    columns = ["received", "closed", "overdue_opened", "overdue_closed", *SERVICE_SUM_COLUMNS]
    rows = {
        row["month"]: row
        for row in summaries.filter(month__lte=last)
        .values("month")
        .annotate(**{f"m_{c}": Sum(c) for c in columns})
        .order_by("month")
    }
    received = closed = opened = closed_overdue = 0
    result = []
    for month in sorted(rows):
        row = rows[month]
        closed_before = closed
        received += row["m_received"]
        closed += row["m_closed"]
        opened += row["m_overdue_opened"]
        closed_overdue += row["m_overdue_closed"]
        if month < first:
            continue
        sums = {
            "s_received": row["m_received"],
            "s_closed_before": closed_before,
            "s_closed_to_end": closed,
            "s_received_to_end": received,
            "s_overdue_opened": opened,
            "s_overdue_closed": closed_overdue,
            **{f"s_{c}": row[f"m_{c}"] for c in SERVICE_SUM_COLUMNS},
        }
        result.append((month, sums))
    return result


@dataclass
class HandlingTime:
    """A procedure's average handling time over finished dossiers received in a period, in its own unit."""

    procedure_id: int
    code: str
    name: str
    unit: str  # TimeUnit
    finished: int
    average: Decimal
    time_limit: Decimal | None

    @property
    def unit_label(self) -> str:
        return TimeUnit(self.unit).label

    @property
    def over_limit(self) -> Decimal | None:
        """The average as a share of the legal time limit (1 = the whole limit); None without a limit."""
        return self.average / self.time_limit if self.time_limit else None


def average_handling_time(row: dict, unit: str) -> Decimal:
    """A procedure's average handling time in its unit, from `per_procedure`'s sums.

    Working days count working days; days count elapsed calendar time; hours count working hours
    (the minutes inside the office windows of working days, settings.CCHC_OFFICE_HOURS): a
    certification received at 16:00 and returned at 09:00 the next working day took 1.5 hours.
    """
    finished = row["n_finished"]
    if unit == TimeUnit.WORKING_DAYS:
        return Decimal(row["n_working_days"]) / finished
    if unit == TimeUnit.HOURS:
        return Decimal(row["n_working_minutes"] or 0) / 60 / finished
    return Decimal(row["n_minutes"]) / 1440 / finished


def handling_times(handling_summaries, period: Period) -> list[HandlingTime]:
    """Every procedure with finished dossiers received in the period, worst first (see `worst_handling_times`)."""
    return worst_handling_times(handling_summaries, period, None)[0]


def worst_handling_times(handling_summaries, period: Period, limit: int | None) -> tuple[list[HandlingTime], int]:
    """The `limit` worst procedures (all with None) with finished dossiers received in the period, and how many
    procedures have some.

    Worst = the highest average as a share of the legal time limit; procedures without a
    limit follow, by their average. The procedures' limits are read as plain values and only
    the procedures shown become `HandlingTime`s (a province's year has ~1,500 procedures, the
    766 page shows 10).
    """
    sums = list(handling_summaries.per_procedure(period.first, period.last))
    fields = ("pk", "code", "name", "time_limit", "time_limit_unit", "allowance_days")
    by_id = (
        {
            row[0]: row
            for row in Procedure.objects.filter(pk__in=[row["procedure_id"] for row in sums]).values_list(*fields)
        }
        if sums
        else {}
    )
    keyed = []
    for row in sums:
        pk, code, _name, time_limit, unit, allowance_days = by_id[row["procedure_id"]]
        average = average_handling_time(row, unit)
        # Procedure.legal_time_limit, from the values read
        limit_value = (
            time_limit if time_limit is not None else (allowance_days if unit == TimeUnit.WORKING_DAYS else None)
        )
        time_limit_decimal = None if limit_value is None else Decimal(limit_value)
        over = average / time_limit_decimal if time_limit_decimal else None
        keyed.append(((over is None, -(over or 0), -average, code), row, average, time_limit_decimal))
    chosen = sorted(keyed, key=itemgetter(0)) if limit is None else heapq.nsmallest(limit, keyed, key=itemgetter(0))
    result = []
    for _key, row, average, time_limit_decimal in chosen:
        pk, code, name, _limit, unit, _allowance = by_id[row["procedure_id"]]
        result.append(HandlingTime(pk, code, name, unit, row["n_finished"], average, time_limit_decimal))
    return result, len(sums)
