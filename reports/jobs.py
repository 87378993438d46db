"""Celery jobs of the reporting cycle: thin, take ids, safe to run twice.

`reports.daily` is also the management command `reports_daily`.
"""

from __future__ import annotations

import datetime as dt

from celery import shared_task

from cchc_portal.queue import enqueue_after_commit


def daily_run(on: dt.date | None = None) -> dict:
    """Open rounds whose window closes today, then send the due reminders."""
    from cchc_portal.lib.periods import period_for
    from provinces.models import AdministrativeUnit

    from .models import ReportRound, round_open, today
    from .reminders import reminders_send

    on = on or today()
    opened = 0
    period = period_for(on)
    if on == period.window_end:
        provinces = AdministrativeUnit.objects.provinces().current().filter(agencies__isnull=False).distinct()
        for province in provinces:
            if not ReportRound.objects.filter(province=province, year=period.year, kind=period.kind).exists():
                round_open(province=province, period=period, source="job")
                opened += 1
    return {"opened": opened, **reminders_send(on)}


@shared_task(name="reports.daily", ignore_result=True)
def daily() -> None:
    daily_run()


@shared_task(name="reports.remind_round", ignore_result=True)
def remind_round(round_id: int) -> None:
    from .reminders import round_remind_now

    round_remind_now(round_id)


def enqueue_round_reminder(round_id: int) -> None:
    """The board's button: the job runs once the click's transaction commits (in-process when the
    broker is down)."""

    def send_in_process() -> None:
        from .reminders import round_remind_now

        round_remind_now(round_id)

    enqueue_after_commit(remind_round, round_id, on_failure=send_in_process)
