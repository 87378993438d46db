"""Figures read from the summary table only (never from the dossier table)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Sum

from cchc_portal.lib.workdays import month_range
from provinces.models import AdministrativeUnit, UnitLevel

from .models import DossierSummary, figures_from_sums

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
