"""Deleting stored import uploads once their job is long finished (they can be large)."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from cchc_portal.liveness import live_job_models

logger = logging.getLogger(__name__)


def uploads_cleanup(*, days: int | None = None, now=None) -> dict[str, int]:
    """Delete the uploaded file of every finished job older than `days` (UPLOAD_RETENTION_DAYS).

    The job row, its counts and its error report stay; only "run again" is no longer offered.
    """
    days = settings.UPLOAD_RETENTION_DAYS if days is None else days
    cutoff = (now or timezone.now()) - timedelta(days=days)
    counts = {"files": 0, "bytes": 0}
    for model in live_job_models():
        if not any(field.name == "file" for field in model._meta.get_fields()):
            continue
        finished = model._default_manager.exclude(file="").exclude(status__in=(model.QUEUED, *model.RUNNING_STATUSES))
        for job in finished.filter(Q(finished_at__lt=cutoff) | Q(finished_at__isnull=True, created_at__lt=cutoff)):
            try:
                counts["bytes"] += job.file.size
            except OSError:
                pass
            job.file.delete(save=False)
            model._default_manager.filter(pk=job.pk).update(file="")
            counts["files"] += 1
    logger.info("deleted %s stored uploads (%s bytes) older than %s days", counts["files"], counts["bytes"], days)
    return counts
