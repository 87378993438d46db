"""The daily overdue marking: nothing depends on someone opening a page."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext_noop

from audit.log import build_event, record_many
from audit.models import AuditAction, AuditSource

from .models import Task, overdue_q, today


def overdue_mark(on: dt.date | None = None) -> dict[str, int]:
    """Set `overdue_since` on tasks that became overdue, clear it on those that no longer are."""
    on = on or today()
    with transaction.atomic():
        newly = list(Task.objects.filter(overdue_q(on), overdue_since__isnull=True).select_for_update())
        cleared = list(Task.objects.exclude(overdue_q(on)).filter(overdue_since__isnull=False).select_for_update())
        Task.objects.filter(pk__in=[t.pk for t in newly]).update(overdue_since=on)
        Task.objects.filter(pk__in=[t.pk for t in cleared]).update(overdue_since=None)
        record_many(
            build_event(
                t,
                action=AuditAction.UPDATE,
                source=AuditSource.JOB,
                note=gettext_noop("overdue marking"),
                changes={"overdue_since": [t.overdue_since, on if t in newly else None]},
            )  # fmt: skip
            for t in newly + cleared
        )
    from .jobs import recompute_all

    recompute_all({t.plan_id for t in newly + cleared})
    return {"marked": len(newly), "cleared": len(cleared), "overdue": Task.objects.overdue(on).count()}
