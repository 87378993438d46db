"""One-stop dossiers on the leader's dashboard: from the monthly summary table only.

`dossiers.DossierSummary` holds monthly flows per (receiving unit, agency, month, channel,
procedure level); `dossiers.stats` turns them into the published figures. The dossier table
itself (millions of rows) is never read here.
"""

from __future__ import annotations

import datetime as dt

from cchc_portal.cache import cached

DOSSIERS_CACHE = "dossier-stats"  # bumped by the dossier import and the daily overdue refresh
WORST_MIN_FINISHED = 10  # a unit with fewer finished dossiers is not ranked among the worst
WORST_LIMIT = 10
TREND_MONTHS = 12


def available() -> bool:
    try:
        from dossiers.models import DossierSummary  # noqa: F401
    except ImportError:  # the dossiers app is not merged in yet
        return False
    return True


def dossier_block(province: dict, today: dt.date) -> dict:
    if not available():
        return {"available": False}
    return cached(
        DOSSIERS_CACHE, ("dash.dossiers", province["id"], today.isoformat()), lambda: _compute(province, today)
    )


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
    from django.db import connection

    from dossiers.models import DossierSummary
    from provinces.models import AdministrativeUnit, Agency

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
    """`dossiers.stats.grouped` from bucket rows: per agency, or per receiving commune."""
    from dossiers.models import figures_from_sums
    from provinces.models import UnitLevel

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
    """`dossiers.stats.monthly` from bucket rows (`first` not before the rows' first bucket)."""
    from dossiers.stats import monthly_from_flows

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


def _commune_committees_of(by_commune: list[dict]) -> set[int]:
    """Ids of the communes' people's committees whose commune has its own row."""
    from provinces.models import Agency, AgencyKind

    unit_ids = [row["unit_id"] for row in by_commune]
    if not unit_ids:
        return set()
    return set(
        Agency.objects.filter(kind=AgencyKind.COMMUNE_COMMITTEE, commune_id__in=unit_ids).values_list("pk", flat=True)
    )


def _compute(province: dict, today: dt.date) -> dict:
    """The same figures as `dossiers.stats` (period, grouped, monthly) gives, from one grouped query
    (tests/dashboards/test_dossier_block.py checks they agree) plus the last import's time."""
    from django.db.models import Max, Q

    from cchc_portal.lib.workdays import add_months, first_of_month
    from dossiers.models import ImportJob, JobStatus, figures_from_sums

    month = first_of_month(today)
    january = month.replace(month=1)
    trend_start = add_months(month, -(TREND_MONTHS - 1))
    rows = _bucket_rows(province["id"], min(january, trend_start), month)
    by_agency = _grouped(rows, january, month, "agency")
    by_commune = _grouped(rows, january, month, "commune")
    # Dossiers with no agency (received by a commune) count under their commune, not as an agency "—";
    # a commune's people's committee is the same place as the commune: listed once, under the commune.
    same_place = _commune_committees_of(by_commune)
    worst = [
        {"kind": "agency", **row}
        for row in by_agency
        if row["agency_id"] is not None and row["agency_id"] not in same_place and row["finished"] >= WORST_MIN_FINISHED
    ] + [{"kind": "commune", **row} for row in by_commune if row["finished"] >= WORST_MIN_FINISHED]
    worst = [row for row in worst if row["on_time_rate"] is not None and row["on_time_rate"] < 100]
    worst.sort(key=lambda row: (row["on_time_rate"], -row["late"], row["name"]))
    as_of = ImportJob.objects.filter(
        Q(province_id=province["id"]) | Q(province__isnull=True), status=JobStatus.SUCCEEDED
    ).aggregate(at=Max("finished_at"))["at"]
    return {
        "available": True,
        "month": month,
        "january": january,
        "this_month": figures_from_sums(_sums(rows, month, month)),
        "year_to_date": figures_from_sums(_sums(rows, january, month)),
        "by_agency": sorted(by_agency, key=lambda r: (r["on_time_rate"] is None, r["on_time_rate"] or 0, r["name"])),
        "by_commune": sorted(by_commune, key=lambda r: (r["on_time_rate"] is None, r["on_time_rate"] or 0, r["name"])),
        "monthly": _monthly(rows, trend_start, month),
        "worst": worst[:WORST_LIMIT],
        "computed_at": as_of,
    }
