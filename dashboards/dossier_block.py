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


def _compute(province: dict, today: dt.date) -> dict:
    from django.db.models import Max, Q

    from cchc_portal.lib.workdays import add_months, first_of_month
    from dossiers import stats
    from dossiers.models import DossierSummary, ImportJob, JobStatus

    summaries = DossierSummary.objects.filter(province_id=province["id"])
    month = first_of_month(today)
    january = month.replace(month=1)
    by_agency = stats.grouped(summaries, january, month, "agency")
    by_commune = stats.grouped(summaries, january, month, "commune")
    # Dossiers with no agency (received by a commune) count under their commune, not as an agency "—".
    worst = [
        {"kind": "agency", **row}
        for row in by_agency
        if row["agency_id"] is not None and row["finished"] >= WORST_MIN_FINISHED
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
        "this_month": stats.period(summaries, month, month),
        "year_to_date": stats.period(summaries, january, month),
        "by_agency": sorted(by_agency, key=lambda r: (r["on_time_rate"] is None, r["on_time_rate"] or 0, r["name"])),
        "by_commune": sorted(by_commune, key=lambda r: (r["on_time_rate"] is None, r["on_time_rate"] or 0, r["name"])),
        "monthly": stats.monthly(summaries, add_months(month, -(TREND_MONTHS - 1)), month),
        "worst": worst[:WORST_LIMIT],
        "computed_at": as_of,
    }
