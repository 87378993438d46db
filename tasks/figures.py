"""A plan's completion figures: computed in SQL by the job, stored in PlanFigures."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, override

from cchc_portal.cache import bump_generation
from cchc_portal.lib.numbers import format_percent, percent
from cchc_portal.warming import warm_after_commit

from .models import Plan, PlanFigures, Task, status_counts, today

log = logging.getLogger(__name__)

FIGURE_KEYS = ["total", "completed", "completed_late", "in_progress", "ongoing", "not_started", "overdue"]
CACHE_NAME = "tasks.figures"


def _with_rate(row: dict) -> dict:
    rate = percent(row["completed"], row["total"])
    return {**row, "completion_rate": float(rate) if rate is not None else None}


def plan_figures_compute(plan_id: int, *, on: dt.date | None = None) -> PlanFigures | None:
    """Recompute and store one plan's figures. Idempotent: the same data gives the same row."""
    on = on or today()
    plan = Plan.objects.select_related("unit").filter(pk=plan_id).first()
    if plan is None:
        return None
    tasks = Task.objects.filter(plan_id=plan_id)
    totals = tasks.aggregate(**status_counts(on))
    by_area = [
        _with_rate(row)
        for row in tasks.values("area_id", "area__code", "area__name", "area__order")
        .annotate(**status_counts(on))
        .order_by("area__order", "area_id")
    ]
    by_agency = [
        _with_rate(row)
        for row in tasks.values("lead_agency_id", "lead_agency__name")
        .annotate(**status_counts(on))
        .order_by("lead_agency__name")
    ]
    values = {key: totals[key] for key in FIGURE_KEYS}
    values["completion_rate"] = percent(values["completed"], values["total"])
    with transaction.atomic():
        figures, _created = PlanFigures.objects.update_or_create(
            plan_id=plan_id,
            defaults={
                **values,
                "as_of": on,
                "computed_at": timezone.now(),
                "by_area": [
                    {
                        "id": r["area_id"],
                        "code": r["area__code"],
                        "name": r["area__name"],
                        **{k: r[k] for k in FIGURE_KEYS + ["completion_rate"]},
                    }
                    for r in by_area
                ],
                "by_agency": [
                    {
                        "id": r["lead_agency_id"],
                        "name": r["lead_agency__name"],
                        **{k: r[k] for k in FIGURE_KEYS + ["completion_rate"]},
                    }
                    for r in by_agency
                ],
            },
        )
    bump_generation(CACHE_NAME)
    warm_after_commit(CACHE_NAME, [plan.unit.province_id_for_scope])
    return figures


def status_summary(figures, lang: str = "vi") -> str:
    """ "33 hoàn thành, 36 đang duy trì, 5 chưa thực hiện" – the way reports write it."""
    get = figures.get if isinstance(figures, dict) else lambda key: getattr(figures, key)
    with override(lang):
        parts = [
            ngettext("%(n)d completed", "%(n)d completed", get("completed")) % {"n": get("completed")},
            ngettext("%(n)d in progress", "%(n)d in progress", get("in_progress")) % {"n": get("in_progress")},
            ngettext("%(n)d ongoing", "%(n)d ongoing", get("ongoing")) % {"n": get("ongoing")},
            ngettext("%(n)d not started", "%(n)d not started", get("not_started")) % {"n": get("not_started")},
        ]
        counts = [get("completed"), get("in_progress"), get("ongoing"), get("not_started")]
        text = ", ".join(part for part, count in zip(parts, counts, strict=True) if count)
        if get("overdue"):
            text += "; " + ngettext("%(n)d overdue", "%(n)d overdue", get("overdue")) % {"n": get("overdue")}
        return text or _("no tasks")


def rate_sentence(figures, lang: str = "vi") -> str:
    """ "26/34 nhiệm vụ hoàn thành: 76,47%"."""
    with override(lang):
        return _("%(completed)d/%(total)d tasks completed: %(rate)s") % {
            "completed": figures.completed,
            "total": figures.total,
            "rate": format_percent(figures.completion_rate, lang=lang),
        }
