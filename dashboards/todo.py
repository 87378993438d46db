"""“Việc cần làm”: each user's to-do page and the count beside it in the navigation.

Composes the domain apps (reports, tasks, dossier imports) and the user's
unread notifications; every list is scoped by the apps' own `for_user`.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from dossiers.models import ImportJob, JobStatus
from notifications.models import Notification
from reports.models import AWAITING_REVIEW, TO_WRITE, UnitReport
from tasks.models import UNFINISHED, Task

DUE_SOON_DAYS = 7
IMPORT_DAYS = 7


def todo_lists(user, on: dt.date | None = None) -> dict[str, list]:
    on = on or timezone.localdate()
    reports = UnitReport.objects.for_user(user).select_related("round", "agency")
    to_write = list(reports.filter(status__in=TO_WRITE)) if user.is_agency_officer else []
    to_review = list(reports.filter(status__in=AWAITING_REVIEW)) if user.is_province_admin else []
    tasks = []
    if user.is_agency_officer:
        tasks = list(
            Task.objects.editable_by(user)
            .filter(status__in=UNFINISHED, recurring=False, deadline__lte=on + dt.timedelta(days=DUE_SOON_DAYS))
            .select_related("area", "lead_agency")
            .order_by("deadline", "id")[:200]
        )
    imports = list(
        ImportJob.objects.filter(
            created_by=user,
            status__in=[JobStatus.SUCCEEDED, JobStatus.FAILED],
            finished_at__gte=timezone.now() - dt.timedelta(days=IMPORT_DAYS),
        ).order_by("-finished_at")[:50]
    )
    return {"to_write": to_write, "to_review": to_review, "tasks": tasks, "imports": imports}


def todo_count(user) -> int:
    lists = todo_lists(user)
    return sum(len(items) for items in lists.values())


@login_required
def todo(request: HttpRequest) -> HttpResponse:
    lists = todo_lists(request.user)
    for report in lists["to_write"]:
        report.late = report.is_late
    unread = Notification.objects.for_user(request.user).unread()[:20]
    return render(request, "dashboards/todo.html", {**lists, "unread": unread, "today": timezone.localdate()})


@login_required
def todo_badge(request: HttpRequest) -> HttpResponse:
    """Loaded after the page by the navigation (so no page pays for it in its own queries)."""
    count = todo_count(request.user)
    return HttpResponse(str(count) if count else "")
