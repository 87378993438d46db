"""Reminder e-mails to a lead agency's officers: before a deadline and when overdue, once per event."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import override

from .models import ReminderKind, SentReminder, Task, TaskStatus, today

log = logging.getLogger(__name__)


def _reminder_days() -> list[int]:
    return sorted({int(d) for d in settings.CCHC.get("REMINDER_DAYS", [7, 1]) if int(d) >= 0})


def _recipients(agency_id: int) -> list[str]:
    User = get_user_model()
    return sorted(
        User.objects.filter(agencies=agency_id, role="agency_officer", is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )


def _event_for(task: Task, on: dt.date, days: list[int]) -> tuple[str, int] | None:
    if task.deadline is None or task.recurring or task.status == TaskStatus.COMPLETED:
        return None
    left = (task.deadline - on).days
    if left < 0:
        return ReminderKind.OVERDUE, 0
    # The smallest threshold not yet passed: a job that missed a day still sends one mail, not several.
    for d in days:
        if left <= d:
            return ReminderKind.BEFORE_DEADLINE, d
    return None


def _message(task: Task, kind: str, on: dt.date) -> tuple[str, str]:
    with override(settings.LANGUAGE_CODE):
        if kind == ReminderKind.OVERDUE:
            subject = _("Overdue task: %(task)s") % {"task": task.title[:80]}
        else:
            subject = _("Task due on %(date)s: %(task)s") % {"date": task.deadline_display, "task": task.title[:80]}
        body = _(
            "Plan: %(plan)s\nTask %(number)s: %(title)s\nLead agency: %(agency)s\nDeadline: %(deadline)s\n"
            "Status: %(status)s\n\nPlease update the task's progress in the CCHC portal: %(path)s"
        ) % {
            "plan": task.plan.title,
            "number": f"{task.area.code}.{task.number}",
            "title": task.title,
            "agency": task.lead_agency.name,
            "deadline": task.deadline_display,
            "status": task.get_status_display(),
            "path": task.get_absolute_url(),
        }
    return subject, body


def reminders_send(on: dt.date | None = None) -> dict[str, int]:
    on = on or today()
    days = _reminder_days()
    horizon = on + dt.timedelta(days=max(days, default=0))
    candidates = (
        Task.objects.filter(recurring=False, deadline__isnull=False, deadline__lte=horizon)
        .exclude(status=TaskStatus.COMPLETED)
        .select_related("plan", "area", "lead_agency")
    )
    sent = skipped = 0
    for task in candidates.iterator(chunk_size=500):
        event = _event_for(task, on, days)
        if event is None:
            continue
        kind, days_before = event
        if SentReminder.objects.filter(task=task, kind=kind, days_before=days_before, deadline=task.deadline).exists():
            skipped += 1
            continue
        recipients = _recipients(task.lead_agency_id)
        if not recipients:
            continue  # nobody to tell yet; an officer added later still gets it
        try:
            with transaction.atomic():
                SentReminder.objects.create(
                    task=task,
                    kind=kind,
                    days_before=days_before,
                    deadline=task.deadline,
                    recipients="\n".join(recipients),
                )
                subject, body = _message(task, kind, on)
                send_mail(subject, body, None, recipients)
        except IntegrityError:
            skipped += 1  # another run sent it first
            continue
        sent += 1
    return {"sent": sent, "already_sent": skipped}
