"""Figures read from the summary table only (never from the dossier table)."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.db.models import Max, Q, Sum

from cchc_portal.lib.workdays import month_range
from provinces.models import AdministrativeUnit, Agency, UnitLevel

from .models import DossierSummary, ImportJob, JobStatus, figures_from_sums

STATS_CACHE = "dossier-stats"  # bumped by imports, recomputes and the overdue refresh; warmed after them

GROUPS = {
    "agency": ("agency_id", "agency__name"),
    "commune": ("receiving_unit_id", "receiving_unit__code", "receiving_unit__name"),
}


def summaries_for_unit(unit: AdministrativeUnit, queryset=None):
    queryset = DossierSummary.objects.all() if queryset is None else queryset
    if unit.level == UnitLevel.PROVINCE:
        return queryset.filter(province=unit)
    return queryset.filter(receiving_unit=unit)


def period(queryset, first: dt.date, last: dt.date) -> dict:
    return figures_from_sums(queryset.period_figures(first, last))


def grouped(queryset, first: dt.date, last: dt.date, group_by: str) -> list[dict]:
    fields = GROUPS[group_by]
    if group_by == "commune":
        queryset = queryset.filter(receiving_unit__level=UnitLevel.COMMUNE)
    rows = []
    for sums in queryset.grouped_figures(first, last, *fields):
        figures = figures_from_sums(sums)
        if not (figures["received"] or figures["carried_over"] or figures["finished"]):
            continue
        if group_by == "agency":
            figures = {"agency_id": sums["agency_id"], "name": sums["agency__name"] or "—", **figures}
        else:
            figures = {
                "unit_id": sums["receiving_unit_id"],
                "code": sums["receiving_unit__code"],
                "name": sums["receiving_unit__name"],
                **figures,
            }
        rows.append(figures)
    return rows


def monthly(queryset, first: dt.date, last: dt.date) -> list[dict]:
    """One row per month; stocks carried from every earlier month."""
    flows = {
        row["month"]: row
        for row in queryset.filter(month__lte=last)
        .values("month")
        .annotate(
            r=Sum("received"),
            c=Sum("closed"),
            e=Sum("finished_early"),
            t=Sum("finished_on_time"),
            la=Sum("finished_late"),
            oo=Sum("overdue_opened"),
            oc=Sum("overdue_closed"),
        )
        .order_by("month")
    }
    open_before = sum(r["r"] - r["c"] for m, r in flows.items() if m < first)
    overdue_before = sum(r["oo"] - r["oc"] for m, r in flows.items() if m < first)
    return monthly_from_flows(flows, first, last, open_before, overdue_before)


def monthly_from_flows(flows: dict, first: dt.date, last: dt.date, open_before: int, overdue_before: int) -> list[dict]:
    """Walk the months first..last over {month: {r, c, e, t, la, oo, oc}} flows, carrying the stocks."""
    rows = []
    for month in month_range(first, last):
        f = flows.get(month) or {"r": 0, "c": 0, "e": 0, "t": 0, "la": 0, "oo": 0, "oc": 0}
        sums = {
            "s_received": f["r"],
            "s_early": f["e"],
            "s_on_time": f["t"],
            "s_late": f["la"],
            "s_received_before": open_before,
            "s_closed_before": 0,
            "s_received_to_end": open_before + f["r"],
            "s_closed_to_end": f["c"],
            "s_overdue_opened": overdue_before + f["oo"],
            "s_overdue_closed": f["oc"],
        }
        rows.append({"month": month, **figures_from_sums(sums)})
        open_before += f["r"] - f["c"]
        overdue_before += f["oo"] - f["oc"]
    return rows


# --- a province's figures for several ranges from one query (the leader's dashboard) ----------


class ProvinceFlows:
    """A province's monthly flows up to `last`, summed per (agency, receiving unit, month) from
    `start` on and per (agency, receiving unit) before it: one grouped query, then `period`,
    `grouped` and `monthly` for any range within start..last give the same figures as the
    functions above over `summaries_for_unit(province)` (tests/dashboards/test_dossier_block.py)."""

    def __init__(self, province_id: int, start: dt.date, last: dt.date):
        self.rows = _bucket_rows(province_id, start, last)

    def period(self, first: dt.date, last: dt.date) -> dict:
        return figures_from_sums(_sums(self.rows, first, last))

    def grouped(self, first: dt.date, last: dt.date, group_by: str) -> list[dict]:
        return _grouped(self.rows, first, last, group_by)

    def monthly(self, first: dt.date, last: dt.date) -> list[dict]:
        return _monthly(self.rows, first, last)


def last_import_at(province_id: int) -> dt.datetime | None:
    """When the province's figures were last fed: its own last successful import, or a national one."""
    return ImportJob.objects.filter(
        Q(province_id=province_id) | Q(province__isnull=True), status=JobStatus.SUCCEEDED
    ).aggregate(at=Max("finished_at"))["at"]


# The monthly flows one grouped query reads (dossiers.models.DossierSummary).
FLOWS = {
    "r": "received",
    "c": "closed",
    "e": "finished_early",
    "t": "finished_on_time",
    "la": "finished_late",
    "oo": "overdue_opened",
    "oc": "overdue_closed",
}


def _bucket_rows(province_id: int, start: dt.date, last: dt.date) -> list[dict]:
    """The province's flows up to `last`, summed per (agency, receiving unit, month) from `start`
    on and per (agency, receiving unit) before it (bucket None): one query and a few thousand rows
    feed every figure of the block, instead of six queries each summing the whole history.

    Plain SQL so the names are joined to the ~2,000 grouped rows rather than to the ~20,000
    summary rows before grouping (and no ORM converters run per cell)."""
    sums = ", ".join(f"SUM(s.{field}) AS {alias}" for alias, field in FLOWS.items())
    sql = f"""
        SELECT g.agency_id, a.name, g.receiving_unit_id, u.code, u.name, u.level, g.bucket, {", ".join(FLOWS)}
        FROM (
            SELECT s.agency_id, s.receiving_unit_id,
                   CASE WHEN s.month >= %s THEN s.month END AS bucket, {sums}
            FROM {DossierSummary._meta.db_table} s
            WHERE s.province_id = %s AND s.month <= %s
            GROUP BY s.agency_id, s.receiving_unit_id, CASE WHEN s.month >= %s THEN s.month END
        ) g
        LEFT JOIN {Agency._meta.db_table} a ON a.id = g.agency_id
        JOIN {AdministrativeUnit._meta.db_table} u ON u.id = g.receiving_unit_id
    """  # noqa: S608  (table names from the models, values as parameters)
    with connection.cursor() as cursor:
        cursor.execute(sql, [start, province_id, last, start])
        records = cursor.fetchall()
    keys = (
        "agency_id",
        "agency__name",
        "receiving_unit_id",
        "receiving_unit__code",
        "receiving_unit__name",
        "receiving_unit__level",
        "bucket",
        *FLOWS,
    )
    rows = []
    for record in records:
        row = dict(zip(keys, record, strict=True))
        if isinstance(row["bucket"], str):  # SQLite returns dates as text
            row["bucket"] = dt.date.fromisoformat(row["bucket"])
        rows.append(row)
    return rows


def _sums(rows, first: dt.date, last: dt.date) -> dict:
    """What `SummaryQuerySet.period_figures(first, last)` sums, from bucket rows (all up to `last`)."""
    sums = dict.fromkeys(
        (
            "s_received",
            "s_early",
            "s_on_time",
            "s_late",
            "s_received_before",
            "s_closed_before",
            "s_received_to_end",
            "s_closed_to_end",
            "s_overdue_opened",
            "s_overdue_closed",
        ),
        0,
    )
    for row in rows:
        bucket = row["bucket"]
        if bucket is not None and first <= bucket <= last:
            sums["s_received"] += row["r"]
            sums["s_early"] += row["e"]
            sums["s_on_time"] += row["t"]
            sums["s_late"] += row["la"]
        if bucket is None or bucket < first:
            sums["s_received_before"] += row["r"]
            sums["s_closed_before"] += row["c"]
        sums["s_received_to_end"] += row["r"]
        sums["s_closed_to_end"] += row["c"]
        sums["s_overdue_opened"] += row["oo"]
        sums["s_overdue_closed"] += row["oc"]
    return sums


def _grouped(rows, first: dt.date, last: dt.date, group_by: str) -> list[dict]:
    """`grouped` from bucket rows: per agency, or per receiving commune."""
    groups: dict = {}
    for row in rows:
        if group_by == "agency":
            key = row["agency_id"]
        elif row["receiving_unit__level"] == UnitLevel.COMMUNE:
            key = row["receiving_unit_id"]
        else:
            continue
        groups.setdefault(key, []).append(row)
    result = []
    for key in sorted(groups, key=lambda k: (k is None, k or 0)):
        members = groups[key]
        figures = figures_from_sums(_sums(members, first, last))
        if not (figures["received"] or figures["carried_over"] or figures["finished"]):
            continue
        head = members[0]
        if group_by == "agency":
            figures = {"agency_id": key, "name": head["agency__name"] or "—", **figures}
        else:
            figures = {
                "unit_id": key,
                "code": head["receiving_unit__code"],
                "name": head["receiving_unit__name"],
                **figures,
            }
        result.append(figures)
    return result


def _monthly(rows, first: dt.date, last: dt.date) -> list[dict]:
    """`monthly` from bucket rows (`first` not before the rows' first bucket)."""
    flows: dict = {}
    open_before = overdue_before = 0
    for row in rows:
        bucket = row["bucket"]
        if bucket is None or bucket < first:
            open_before += row["r"] - row["c"]
            overdue_before += row["oo"] - row["oc"]
        if bucket is not None:
            month_flows = flows.setdefault(bucket, dict.fromkeys(FLOWS, 0))
            for alias in FLOWS:
                month_flows[alias] += row[alias]
    return monthly_from_flows(flows, first, last, open_before, overdue_before)


# --- the stats page's cached data, shared by the page and the warming after writes ---------


def data_scope(user, province_id: int) -> str | tuple[int, ...]:
    """What of a province's summaries the user sees, as a cache key part: "province" for whoever sees
    all of it (`DossierSummary.objects.for_user`), else the user's communes."""
    from cchc_portal.scoping import scope_for

    scope = scope_for(user)
    if scope.all or province_id in scope.province_ids:
        return "province"
    return tuple(sorted(scope.commune_ids))


def page_data(province: AdministrativeUnit, first: dt.date, last: dt.date, summaries, seen) -> dict:
    """The stats page's figures; `summaries` already scoped to the user, `seen` its `data_scope`."""
    from cchc_portal.cache import cached

    summaries = summaries_for_unit(province, summaries)

    def compute():
        return {
            "totals": period(summaries, first, last),
            "by_agency": grouped(summaries, first, last, "agency"),
            "by_commune": grouped(summaries, first, last, "commune"),
        }

    return cached(STATS_CACHE, ("page", province.pk, first, last, seen), compute)


def chart_data(province: AdministrativeUnit, first: dt.date, last: dt.date, summaries, seen) -> list[dict]:
    from cchc_portal.cache import cached

    summaries = summaries_for_unit(province, summaries)
    return cached(STATS_CACHE, ("chart", province.pk, first, last, seen), lambda: monthly(summaries, first, last))


def warm_stats_pages(province_ids: list[int]) -> None:
    """After a write: the default period of each province's stats page and chart, as a province user sees them."""
    from .models import default_period

    first, last = default_period()
    for province in AdministrativeUnit.objects.filter(pk__in=province_ids):
        page_data(province, first, last, DossierSummary.objects.all(), "province")
        chart_data(province, first, last, DossierSummary.objects.all(), "province")
