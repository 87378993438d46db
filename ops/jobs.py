"""Recurring operations jobs (beat). Each is also a management command of the same name."""

from __future__ import annotations

from celery import shared_task

from cchc_portal.liveness import check_jobs as check_jobs_run


@shared_task(name="ops.check_jobs", ignore_result=True)
def check_jobs() -> None:
    """Every minute: give up on jobs whose worker is gone; resend jobs the broker never got."""
    check_jobs_run()


@shared_task(name="ops.cleanup_uploads", ignore_result=True)
def cleanup_uploads() -> None:
    from .uploads import uploads_cleanup

    uploads_cleanup()
