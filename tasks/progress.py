"""Entering progress on a task: one write spanning Task, ProgressUpdate, Evidence and the audit log."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from audit.log import record_change, snapshot
from audit.models import AuditAction, AuditSource
from cchc_portal.concurrency import StaleObjectError, save_versioned
from cchc_portal.files import validate_upload

from .jobs import enqueue_figures
from .models import Evidence, ProgressUpdate, Task, TaskStatus, progress_check, today

TASK_PROGRESS_FIELDS = ["status", "percent", "completion_date", "last_progress_at", "overdue_since"]


def progress_record(
    *,
    task: Task,
    user,
    expected_version: int,
    status: str,
    percent: int | None = None,
    completion_date: dt.date | None = None,
    note: str = "",
    document_number: str = "",
    document_date: dt.date | None = None,
    files=(),
    source: str = AuditSource.WEB,
) -> ProgressUpdate:
    """Apply a progress report. Raises StaleObjectError when someone saved the task first.

    The progress rules (`progress_check`) and the files are validated before anything is
    written (ValidationError, with a message per field).
    """
    if status == TaskStatus.COMPLETED:
        completion_date = completion_date or task.completion_date or today()
        percent = 100 if percent is None else percent
    else:
        completion_date = None  # the form keeps a completed task's date when its status changes back
    progress_check(status=status, percent=percent, completion_date=completion_date, plan_year=task.plan.year)
    for upload in files:  # every file checked before anything is written
        validate_upload(upload)
    before = snapshot(task)
    now = timezone.now()
    task.status, task.percent, task.completion_date = status, percent, completion_date
    if status == TaskStatus.COMPLETED:
        task.overdue_since = None
    task.last_progress_at = now
    with transaction.atomic():
        save_versioned(task, expected_version, TASK_PROGRESS_FIELDS)
        update = ProgressUpdate.objects.create(
            task=task,
            author=user,
            created_at=now,
            status=task.status,
            percent=task.percent,
            note=note.strip(),
            document_number=document_number.strip(),
            document_date=document_date,
            source=source,
        )
        evidence = []
        for upload in files:
            item = Evidence(task=task, update=update, uploaded_by=user, uploaded_at=now)
            item.store(upload)
            item.save()
            evidence.append(item)
        after = snapshot(task)
        for noisy in ("last_progress_at", "overdue_since"):  # derived; the update itself is recorded below
            before.pop(noisy, None)
            after.pop(noisy, None)
        record_change(task, actor=user, before=before, after=after, source=source)
        record_change(
            update,
            actor=user,
            action=AuditAction.CREATE,
            source=source,
            after={
                **snapshot(update, ["status", "percent", "note", "document_number", "document_date", "period"]),
                **({"files": [e.original_name for e in evidence]} if evidence else {}),
            },
        )
        enqueue_figures(task.plan_id)
    return update


__all__ = ["progress_record", "StaleObjectError"]
