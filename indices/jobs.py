"""Celery jobs of the indices app: thin wrappers that take ids (see indices/rankings.py)."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from cchc_portal.queue import enqueue_after_commit

from .rankings import rankings_compute, rankings_compute_all


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, retry_jitter=True, max_retries=5)
def compute_rankings(edition_id: int | None = None) -> int:
    """One edition after an import; every edition when run by beat (the nightly catch-up, in case an
    enqueue failed while the broker was down) — the same function as `manage.py compute_rankings`."""
    if edition_id is None:
        return len(rankings_compute_all())
    return rankings_compute(edition_id)


def enqueue_rankings(edition_id: int) -> None:
    """Recompute an edition's rankings once the current transaction commits (the import never fails
    when the broker is down: the nightly run catches up)."""
    enqueue_after_commit(compute_rankings, edition_id)
