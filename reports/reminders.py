"""Reminders to units that have not submitted: before the internal deadline, when late, and on a click.

Once per event: the notification's dedupe key names the report, the event and
the deadline, so a job that runs twice (or a deadline that did not move) never
mails twice; a moved deadline is a new event.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import override

from notifications.notify import notify

from .models import TO_WRITE, ReportRound, SentReportReminder, UnitReport, today
from .people import officers_of


def _days() -> list[int]:
    return sorted({int(d) for d in settings.CCHC.get("REPORT_REMINDER_DAYS", [3, 1]) if int(d) >= 0})


def _event(report: UnitReport, on: dt.date, days: list[int]) -> str | None:
    left = (report.round.internal_deadline - on).days
    if left < 0:
        return "late"
    for d in days:  # the smallest threshold not yet passed: a missed day still sends one mail
        if left <= d:
            return f"before{d}"
    return None


def remind(report: UnitReport, event: str) -> int:
    """Notify the unit's officers of `event`; returns how many were newly told."""
    rnd = report.round
    with override(settings.LANGUAGE_CODE):
        deadline = rnd.internal_deadline.strftime("%d/%m/%Y")
        if event == "late" or (event.startswith("manual") and rnd.is_past_deadline()):
            title = _("Late: your %(period)s CCHC report was due on %(date)s") % {
                "period": rnd.period.label, "date": deadline}  # fmt: skip
        else:
            title = _("Reminder: your %(period)s CCHC report is due on %(date)s") % {
                "period": rnd.period.label, "date": deadline}  # fmt: skip
    created = notify(
        officers_of(report.agency_id),
        kind="report_reminder",
        title=title,
        url=report.get_absolute_url(),
        dedupe_key=f"report:{report.pk}:{event}:{rnd.internal_deadline.isoformat()}",
    )
    if created:
        SentReportReminder.objects.create(report=report, kind=event[:12], recipients=len(created))
    return len(created)


def reminders_send(on: dt.date | None = None) -> dict[str, int]:
    """The scheduled run: every open round's units that still have to write or fix their report."""
    on = on or today()
    days = _days()
    told = reports = 0
    candidates = UnitReport.objects.filter(status__in=TO_WRITE).select_related("round", "round__province", "agency")
    for report in candidates.iterator(chunk_size=500):
        event = _event(report, on, days)
        if event is None:
            continue
        n = remind(report, event)
        told += n
        reports += bool(n)
    return {"reports": reports, "notified": told}


def round_remind_now(round_id: int, on: dt.date | None = None) -> int:
    """The board's one-click reminder: every unit of the round that has not submitted, once a day at most."""
    on = on or today()
    rnd = ReportRound.objects.get(pk=round_id)
    count = 0
    for report in UnitReport.objects.filter(round=rnd, status__in=TO_WRITE).select_related("round", "agency"):
        count += remind(report, f"manual{on:%Y%m%d}")
    return count
