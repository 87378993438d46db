"""The one way to queue a Celery job from a write: after the transaction commits, never failing the write.

A job queued inside a transaction could run before its rows are visible, or for rows that are
then rolled back; a broker outage must not turn a user's save into an error. So every app calls
`enqueue_after_commit(job, *ids)` (the job's recurring run catches up a lost message), or, for a
job that has its own row (`cchc_portal.liveness.LiveJob`: imports), `send_after_commit(row)`, whose
lost messages the minute check (`ops.jobs.check_jobs`) resends.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import transaction

log = logging.getLogger(__name__)


def enqueue_after_commit(job, *args, on_failure: Callable[[], None] | None = None, using: str | None = None) -> None:
    """Queue `job(*args)` once the current transaction commits (at once outside one).

    `retry=False`: a dead broker is reported at once instead of holding the request. On failure
    the error is logged and `on_failure()` (e.g. a note on the job row) is called.
    """

    def send() -> None:
        try:
            job.apply_async(args, retry=False)
        except Exception:  # kombu OperationalError, redis ConnectionError, socket errors
            log.exception("could not queue %s%r; the nightly run will catch up", job.name, args)
            if on_failure is not None:
                on_failure()

    transaction.on_commit(send, using=using)


def send_after_commit(row, using: str | None = None) -> None:
    """Send a job row's message (`LiveJob.send_safely`: a broker outage leaves it queued, with a
    message, for the minute check to resend) once the current transaction commits."""
    transaction.on_commit(row.send_safely, using=using)
