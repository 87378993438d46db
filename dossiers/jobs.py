"""Celery jobs of the dossiers app: thin, take ids, safe to run twice."""

from __future__ import annotations

import datetime as dt
import logging
import os
import time
import uuid
from contextlib import contextmanager

from celery import shared_task
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_noop, override

from audit.log import record_change
from audit.models import AuditAction, AuditSource
from cchc_portal.cache import bump_generation
from cchc_portal.liveness import DATABASE_LOST_MESSAGE, connection_lost, heartbeat, record_failure, stored_message
from cchc_portal.queue import send_after_commit
from cchc_portal.warming import warm_after_commit

from . import importing
from .models import (
    EXPORT_FAILED_MESSAGE,
    EXPORT_RETENTION_DAYS,
    DossierSummary,
    ExportStatus,
    ImportJob,
    JobStatus,
    LateExportJob,
)
from .stats import STATS_CACHE

logger = logging.getLogger(__name__)

IMPORT_FAILED_MESSAGE = gettext_noop("Import failed; nothing was written. The details are in the server log.")


# How long a queued job waits for its lock before leaving it to the holder: a session of a lost
# worker that is being ended (see `end_orphaned_sessions`) lets go within moments.
QUEUED_LOCK_WAIT_SECONDS = 30.0


@contextmanager
def _job_lock(job_id: int, *, wait: float = 0.0):
    """Stop two workers running the same job (a redelivered message); no-op on SQLite.

    `wait`: seconds to keep trying when another session holds the lock."""
    if connection.vendor != "postgresql":
        yield True
        return
    deadline = time.monotonic() + wait
    while True:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(5, %s)", [job_id])
            acquired = cursor.fetchone()[0]
        if acquired or time.monotonic() >= deadline:
            break
        time.sleep(0.5)
    session = connection.connection
    try:
        yield acquired
    finally:
        # A lost connection took the session's lock with it (a new session does not hold it).
        if acquired and connection.connection is session and not connection_lost():
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(5, %s)", [job_id])


def run_import(job_id: int, *, path: str | None = None, errors_path: str | None = None):
    """Run one import job to the end. Returns the report, or None if the job is not runnable."""
    # A queued job has no live runner: a holder of its lock is a session its lost worker left,
    # ending now. A running job's holder is a live worker (a redelivered message): give way.
    queued = ImportJob.objects.filter(pk=job_id, status=JobStatus.QUEUED).exists()
    with _job_lock(job_id, wait=QUEUED_LOCK_WAIT_SECONDS if queued else 0) as acquired:
        if not acquired:
            logger.info("import job %s is running elsewhere", job_id)
            return None
        with heartbeat(ImportJob, job_id):
            return _run_import(job_id, path=path, errors_path=errors_path)


def _run_import(job_id: int, *, path: str | None, errors_path: str | None):
    job = ImportJob.objects.select_related("source").get(pk=job_id)
    if job.status not in (JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.APPLYING):
        return None
    jobs = ImportJob.objects.filter(pk=job_id)
    if job.cancel_requested:
        jobs.update(status=JobStatus.CANCELLED, finished_at=timezone.now())
        return None
    path = path or job.file.path
    relative_errors = f"dossier_imports/errors/job-{job.pk}-{uuid.uuid4().hex[:8]}.csv"
    errors_path = errors_path or os.path.join(settings.MEDIA_ROOT, relative_errors)
    jobs.update(status=JobStatus.RUNNING, started_at=timezone.now(), processed_rows=0, error_rows=0)
    scope = importing.Scope([job.province_id]) if job.province_id else importing.Scope()

    def on_progress(read: int, errors: int, final: bool = False) -> None:
        # Cancelling is possible until the rows are read; saving then runs to the end.
        if jobs.filter(cancel_requested=True).exists():
            raise importing.ImportCancelled
        jobs.update(
            processed_rows=read,
            error_rows=errors,
            **({"status": JobStatus.APPLYING, "total_rows": read} if final else {}),
        )

    try:
        with override("vi"):
            info = importing.inspect_file(
                path, job.original_name or path, job.source.header_mapping if job.source else None
            )
            jobs.update(total_rows=info.total_rows)
            report = importing.import_table(
                path,
                info,
                scope=scope,
                job_id=job.pk,
                dry_run=job.dry_run,
                errors_path=errors_path,
                on_progress=on_progress,
            )
    except importing.ImportCancelled:
        importing.drop_temp_tables()
        _remove(errors_path)
        jobs.update(status=JobStatus.CANCELLED, finished_at=timezone.now(), message="")
        return None
    except importing.RefusedFile as refused:
        jobs.update(status=JobStatus.FAILED, finished_at=timezone.now(), message=str(refused))
        raise
    except Exception:
        # A lost connection shows up as whatever the driver was doing (even a SystemError out of COPY).
        lost = connection_lost()
        if not lost:
            importing.drop_temp_tables()
        _remove(errors_path)
        if lost:
            logger.exception("import job %s lost its database connection", job_id)
            record_failure(ImportJob, job_id, DATABASE_LOST_MESSAGE)
        else:
            logger.exception("import job %s failed", job_id)
            record_failure(ImportJob, job_id, IMPORT_FAILED_MESSAGE)
        return None
    error_file = ""
    if report.errors_path and report.errors_path.startswith(str(settings.MEDIA_ROOT)):
        error_file = os.path.relpath(report.errors_path, settings.MEDIA_ROOT)
    ignored = ", ".join(info.ignored_headers[:20])
    jobs.update(
        status=JobStatus.SUCCEEDED,
        finished_at=timezone.now(),
        total_rows=report.total_rows,
        processed_rows=report.total_rows,
        error_rows=report.error_rows,
        inserted=report.inserted,
        updated=report.updated,
        unchanged=report.unchanged,
        error_file=error_file,
        message=_unused_columns_message(ignored),
    )
    job.refresh_from_db()
    if not job.dry_run and (report.inserted or report.updated):
        warm_after_commit(STATS_CACHE, [job.province_id] if job.province_id else provinces_with_dossiers())
    if not job.dry_run:
        record_change(
            job,
            actor=job.created_by,
            action=AuditAction.CREATE,
            after={
                "file": job.original_name,
                "rows": report.total_rows,
                "errors": report.error_rows,
                "inserted": report.inserted,
                "updated": report.updated,
                "unchanged": report.unchanged,
            },
            source=AuditSource.IMPORT,
            note=gettext_noop("dossier import"),
        )
    return report


def _unused_columns_message(ignored: str) -> str:
    """Stored as a msgid with its parameters; the job page shows it in the reader's language."""
    if not ignored:
        return ""
    return stored_message(gettext_noop("Columns not used: %(columns)s"), columns=ignored)


def _remove(path: str | None) -> None:
    if path and os.path.exists(path):
        os.remove(path)


@shared_task(acks_late=True)
def import_dossiers_job(job_id: int) -> None:
    try:
        run_import(job_id)
    except importing.RefusedFile:
        pass  # recorded on the job row


def enqueue_import(job: ImportJob) -> None:
    """Queue after commit; a broker outage must not lose the upload (the job stays queued and the
    minute check, `check_jobs`, sends it once the broker is back)."""
    send_after_commit(job)


def provinces_with_dossiers() -> list[int]:
    return list(DossierSummary.objects.order_by().values_list("province_id", flat=True).distinct())


def recompute_summaries(*, refresh_facts: bool = False) -> int:
    rows = importing.recompute_all_summaries(refresh_facts=refresh_facts)
    bump_generation(STATS_CACHE)
    warm_after_commit(STATS_CACHE, provinces_with_dossiers())
    return rows


def refresh_overdue_dossiers() -> int:
    """Daily: reclassify unfinished dossiers past their due day, then run queued imports left behind."""
    changed = importing.refresh_overdue()
    bump_generation(STATS_CACHE)
    # After midnight every province's blocks are new (their key has the day): warm them all.
    warm_after_commit(STATS_CACHE, provinces_with_dossiers())
    stale = timezone.now() - dt.timedelta(minutes=30)
    for job in ImportJob.objects.filter(status=JobStatus.QUEUED, created_at__lt=stale):
        job.send_safely()
    return changed


@shared_task
def recompute_summaries_job() -> None:
    recompute_summaries()


@shared_task
def refresh_overdue_dossiers_job() -> None:
    refresh_overdue_dossiers()


# --- the late list's .xlsx export -------------------------------------------------------


class ExportCancelled(Exception):
    pass


def run_late_export(job_id: int) -> int | None:
    """Write one export job's file; returns the rows written, or None if the job is not runnable."""
    queued = LateExportJob.objects.filter(pk=job_id, status=ExportStatus.QUEUED).exists()
    # negative: never the same key as an import's lock
    with _job_lock(-job_id, wait=QUEUED_LOCK_WAIT_SECONDS if queued else 0) as acquired:
        if not acquired:
            return None
        with heartbeat(LateExportJob, job_id):
            return _run_late_export(job_id)


def _run_late_export(job_id: int) -> int | None:
    from .exporting import late_rows, write_late_xlsx

    job = LateExportJob.objects.select_related("created_by").get(pk=job_id)
    if job.status not in (ExportStatus.QUEUED, ExportStatus.RUNNING):
        return None
    jobs = LateExportJob.objects.filter(pk=job_id)
    filters = {**job.filters, "province": job.province_id}
    relative = LateExportJob._meta.get_field("result").generate_filename(job, "late.xlsx")
    path = os.path.join(settings.MEDIA_ROOT, relative)

    def on_progress(written: int) -> None:
        if jobs.filter(cancel_requested=True).exists():
            raise ExportCancelled
        jobs.update(written_rows=written)

    try:
        with override(job.language or "vi"):
            total = late_rows(job.created_by, filters).count()
            jobs.update(status=ExportStatus.RUNNING, started_at=timezone.now(), written_rows=0, total_rows=total)
            written = write_late_xlsx(job.created_by, filters, path, on_progress=on_progress)
    except ExportCancelled:
        _remove(path)
        jobs.update(status=ExportStatus.CANCELLED, finished_at=timezone.now())
        return None
    except Exception:
        _remove(path)
        logger.exception("late list export %s failed", job_id)
        record_failure(LateExportJob, job_id, EXPORT_FAILED_MESSAGE)
        return None
    jobs.update(
        status=ExportStatus.SUCCEEDED,
        finished_at=timezone.now(),
        written_rows=written,
        total_rows=written,
        result=relative,
        message="",
    )
    return written


@shared_task(acks_late=True)
def late_export_job(job_id: int) -> None:
    run_late_export(job_id)


def expire_late_exports(*, days: int = EXPORT_RETENTION_DAYS, now=None) -> int:
    """Delete the files of exports finished more than `days` ago; the rows stay, marked expired."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    expired = 0
    for job in LateExportJob.objects.filter(status=ExportStatus.SUCCEEDED, finished_at__lt=cutoff):
        if job.result:
            job.result.delete(save=False)
        expired += LateExportJob.objects.filter(pk=job.pk, status=ExportStatus.SUCCEEDED).update(
            status=ExportStatus.EXPIRED, result=""
        )
    logger.info("expired %s late list exports older than %s days", expired, days)
    return expired


@shared_task
def expire_late_exports_job() -> None:
    expire_late_exports()
