"""One-stop dossiers on the leader's dashboard: from the monthly summary table only.

`dossiers.DossierSummary` holds monthly flows per (receiving unit, agency, month, channel,
procedure level); `dossiers.stats` turns them into the published figures (here through
`stats.ProvinceFlows`, one query for every figure of the block). The dossier table itself
(millions of rows) is never read here, and no dossier figure is computed here.
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
    """The dossier figures of the block, all from `dossiers.stats` (one grouped query), plus the
    last import's time; only the choice and order of the worst performers is the dashboard's."""
    from cchc_portal.lib.workdays import add_months, first_of_month
    from dossiers import stats

    month = first_of_month(today)
    january = month.replace(month=1)
    trend_start = add_months(month, -(TREND_MONTHS - 1))
    flows = stats.ProvinceFlows(province["id"], min(january, trend_start), month)
    by_agency = flows.grouped(january, month, "agency")
    by_commune = flows.grouped(january, month, "commune")
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
    return {
        "available": True,
        "month": month,
        "january": january,
        "this_month": flows.period(month, month),
        "year_to_date": flows.period(january, month),
        "by_agency": sorted(by_agency, key=lambda r: (r["on_time_rate"] is None, r["on_time_rate"] or 0, r["name"])),
        "by_commune": sorted(by_commune, key=lambda r: (r["on_time_rate"] is None, r["on_time_rate"] or 0, r["name"])),
        "monthly": flows.monthly(trend_start, month),
        "worst": worst[:WORST_LIMIT],
        "computed_at": stats.last_import_at(province["id"]),
    }
