"""Celery jobs of the indices app: thin wrappers that take ids (see indices/rankings.py)."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import OperationalError
from kombu.exceptions import OperationalError as BrokerError

from .rankings import rankings_compute, rankings_compute_all

log = logging.getLogger(__name__)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, retry_jitter=True, max_retries=5)
def compute_rankings(edition_id: int | None = None) -> int:
    """One edition after an import; every edition when run by beat (the nightly catch-up, in case an
    enqueue failed while the broker was down) — the same function as `manage.py compute_rankings`."""
    if edition_id is None:
        return len(rankings_compute_all())
    return rankings_compute(edition_id)


def enqueue_rankings(edition_id: int) -> None:
    """Called after an import commits; the import itself must not fail when the broker is down."""
    try:
        compute_rankings.delay(edition_id)
    except (BrokerError, OSError):
        log.exception("could not enqueue rankings for edition %s; the nightly run will catch up", edition_id)
