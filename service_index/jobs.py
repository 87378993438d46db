"""Celery jobs of the service index: thin, safe to run twice."""

from celery import shared_task

from .digest import send_weekly_digest


@shared_task(name="service_index.weekly_digest")
def weekly_digest_job() -> int:
    return send_weekly_digest()
