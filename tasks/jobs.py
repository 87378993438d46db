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
