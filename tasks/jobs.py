"""Celery jobs of the plans app: thin, take ids, safe to run twice.

Each recurring job is also a management command (`recompute_figures`,
`mark_overdue`, `send_task_reminders`) calling the same function.
"""

from __future__ import annotations

from celery import shared_task

from cchc_portal.queue import enqueue_after_commit


@shared_task(name="tasks.recompute_plan_figures", ignore_result=True)
def recompute_plan_figures(plan_id: int) -> None:
    from .figures import plan_figures_compute

    plan_figures_compute(plan_id)


@shared_task(name="tasks.nightly", ignore_result=True)
def nightly() -> None:
    """Mark overdue tasks, then recompute every plan's figures (catches up after a broker outage)."""
    from .overdue import overdue_mark

    overdue_mark()
    recompute_all()


@shared_task(name="tasks.catch_up_figures", ignore_result=True)
def catch_up_figures() -> None:
    """Every few minutes (beat): recompute plans changed since their figures were computed, so an
    enqueue lost to a broker outage catches up minutes after the broker is back, not at night."""
    recompute_all(stale_figure_plan_ids())


def stale_figure_plan_ids() -> list[int]:
    from django.db.models import Exists, F, OuterRef, Q

    from .models import Plan, ProgressUpdate, Task

    computed = OuterRef("figures__computed_at")
    newer_update = ProgressUpdate.objects.filter(task__plan=OuterRef("pk"), created_at__gt=computed)
    newer_task = Task.objects.filter(plan=OuterRef("pk"), created_at__gt=computed)
    return list(
        Plan.objects.filter(
            Q(figures__isnull=True)
            | Q(updated_at__gt=F("figures__computed_at"))
            | Exists(newer_update)
            | Exists(newer_task)
        ).values_list("pk", flat=True)
    )


def recompute_all(plan_ids=None) -> int:
    from .figures import plan_figures_compute
    from .models import Plan

    ids = list(Plan.objects.values_list("pk", flat=True)) if plan_ids is None else list(plan_ids)
    for pk in ids:
        plan_figures_compute(pk)
    return len(ids)


@shared_task(name="tasks.mark_overdue", ignore_result=True)
def mark_overdue() -> None:
    from .overdue import overdue_mark

    overdue_mark()


@shared_task(name="tasks.send_reminders", ignore_result=True)
def send_reminders() -> None:
    from .reminders import reminders_send

    reminders_send()


def enqueue_figures(plan_id: int) -> None:
    """Recompute a plan's figures once the current transaction commits (nightly() catches up a lost one)."""
    enqueue_after_commit(recompute_plan_figures, plan_id)
