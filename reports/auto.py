"""Automatic figures: what the portal already knows about a unit (its tasks, its dossiers) in a period.

Documented links: tasks (plan tasks and their status counts) and dossiers
(monthly summaries). Dossier summaries are monthly, so a period counts the
calendar months of `ReportingPeriod.months`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from dossiers.models import Channel, DossierSummary, figures_from_sums
from provinces.models import AgencyKind
from tasks.models import Task, status_counts

from .models import AutoSource, today

ONLINE = [Channel.ONLINE_FULL, Channel.ONLINE_PARTIAL]


def _as_of(period) -> dt.date:
    return min(today(), period.window_end)


def _task_figures(tasks, period) -> dict[str, int]:
    counts = tasks.aggregate(**status_counts(_as_of(period)))
    return {
        AutoSource.TASKS_TOTAL: counts["total"],
        AutoSource.TASKS_COMPLETED: counts["completed"],
        AutoSource.TASKS_OVERDUE: counts["overdue"],
    }


def _dossier_figures(summaries, period) -> dict[str, int]:
    first, last = period.months
    figures = figures_from_sums(summaries.period_figures(first, last))
    online = figures_from_sums(summaries.filter(channel__in=ONLINE).period_figures(first, last))
    return {
        AutoSource.DOSSIERS_RECEIVED: figures["received"],
        AutoSource.DOSSIERS_FINISHED: figures["finished"],
        AutoSource.DOSSIERS_ON_TIME: figures["early"] + figures["on_time"],
        AutoSource.DOSSIERS_LATE: figures["late"],
        AutoSource.DOSSIERS_ONLINE: online["received"],
    }


def _pick(figures, by_source: dict) -> dict[str, str]:
    return {
        f.code: str(Decimal(by_source[f.auto_source]))
        for f in figures
        if f.auto_source and by_source.get(f.auto_source) is not None
    }


def auto_values_for_agency(agency, period, figures) -> dict[str, str]:
    """Tasks the unit leads in its province's plans of the year; dossiers it handled (a commune: it received)."""
    if not any(f.auto_source for f in figures):
        return {}
    tasks = Task.objects.filter(plan__province_id=agency.province_id, plan__year=period.year, lead_agency=agency)
    summaries = DossierSummary.objects.filter(province_id=agency.province_id)
    if agency.kind == AgencyKind.COMMUNE_COMMITTEE and agency.commune_id:
        summaries = summaries.filter(receiving_unit_id=agency.commune_id)
    else:
        summaries = summaries.filter(agency=agency)
    return _pick(figures, {**_task_figures(tasks, period), **_dossier_figures(summaries, period)})


def auto_values_for_province(province, period, figures) -> dict[str, str]:
    """The province's own figures: its plan's tasks and every dossier received in the province."""
    if not any(f.auto_source for f in figures):
        return {}
    tasks = Task.objects.filter(plan__unit=province, plan__agency__isnull=True, plan__year=period.year)
    summaries = DossierSummary.objects.filter(province=province)
    return _pick(figures, {**_task_figures(tasks, period), **_dossier_figures(summaries, period)})
