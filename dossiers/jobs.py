"""Celery jobs of the dossiers app: thin, take ids, safe to run twice."""

from __future__ import annotations

import datetime as dt
import logging
import os
import uuid
from contextlib import contextmanager

from celery import shared_task
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import override

from audit.log import record_change
from audit.models import AuditAction, AuditSource
from cchc_portal.cache import bump_generation
from cchc_portal.queue import enqueue_after_commit

from . import importing
from .models import ImportJob, JobStatus

logger = logging.getLogger(__name__)


@contextmanager
def _job_lock(job_id: int):
    """Stop two workers running the same job (a redelivered message); no-op on SQLite."""
    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(5, %s)", [job_id])
        acquired = cursor.fetchone()[0]
    try:
        yield acquired
    finally:
        if acquired:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(5, %s)", [job_id])


def run_import(job_id: int, *, path: str | None = None, errors_path: str | None = None):
    """Run one import job to the end. Returns the report, or None if the job is not runnable."""
    with _job_lock(job_id) as acquired:
        if not acquired:
            logger.info("import job %s is running elsewhere", job_id)
            return None
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
                report = importing.import_rows(
                    importing.iter_file_rows(path, info),
                    columns=info.columns,
                    headers=info.headers,
                    scope=scope,
                    job_id=job.pk,
                    dry_run=job.dry_run,
                    errors_path=errors_path,
                    on_progress=on_progress,
                )
        except importing.ImportCancelled:
            importing.drop_temp_tables()
            _remove(errors_path)
            jobs.update(status=JobStatus.CANCELLED, finished_at=timezone.now(), message="Đã hủy / Cancelled")
            return None
        except importing.RefusedFile as refused:
            jobs.update(status=JobStatus.FAILED, finished_at=timezone.now(), message=str(refused))
            raise
        except Exception as exc:
            importing.drop_temp_tables()
            _remove(errors_path)
            logger.exception("import job %s failed", job_id)
            jobs.update(
                status=JobStatus.FAILED,
                finished_at=timezone.now(),
                message=f"Lỗi khi nhập, không có dữ liệu nào được ghi / Import failed, nothing was written: {exc}"[
                    :2000
                ],
            )
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
            message=f"Cột không dùng / Columns not used: {ignored}" if ignored else "",
        )
        job.refresh_from_db()
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
                note="dossier import",
            )
        return report


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
    """Queue after commit; a broker outage must not lose the upload (the job stays queued)."""

    def note_queue_down() -> None:
        ImportJob.objects.filter(pk=job.pk).update(
            message="Hàng đợi tạm thời không sẵn sàng, lần chạy hằng đêm sẽ xử lý / Queue unavailable; the nightly run will process it"
        )

    enqueue_after_commit(import_dossiers_job, job.pk, on_failure=note_queue_down)


def recompute_summaries() -> int:
    rows = importing.recompute_all_summaries()
    bump_generation("dossier-stats")
    return rows


def refresh_overdue_dossiers() -> int:
    """Daily: reclassify unfinished dossiers past their due day, then run queued imports left behind."""
    changed = importing.refresh_overdue()
    bump_generation("dossier-stats")
    stale = timezone.now() - dt.timedelta(minutes=30)
    for job_id in ImportJob.objects.filter(status=JobStatus.QUEUED, created_at__lt=stale).values_list("pk", flat=True):
        enqueue_after_commit(import_dossiers_job, job_id)
    return changed


@shared_task
def recompute_summaries_job() -> None:
    recompute_summaries()


@shared_task
def refresh_overdue_dossiers_job() -> None:
    refresh_overdue_dossiers()
