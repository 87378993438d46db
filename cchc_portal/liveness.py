"""One liveness mechanism for every background job that has a row (imports).

The running job writes a heartbeat on its row from a small thread (so a long SQL statement
does not look like a dead worker); a beat job every minute (`ops.jobs.check_jobs`) finds
rows whose heartbeat went stale — the worker was killed, the machine restarted — and marks
them failed with a message and a "run again" button, or cancelled if the user asked for it.
Queued rows whose message never reached the broker (an outage) are sent again by the same
beat job, so they catch up within minutes of the broker coming back.

A job model inherits `LiveJob`, names its statuses and implements `send()`.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections, connection, connections, models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from cchc_portal.logs import job_context

logger = logging.getLogger(__name__)

# Stored on the row as msgids (the catalogue's English source) and translated when shown,
# so every user reads them in their own language; see `stored_message` / `shown_message`.
WORKER_LOST_MESSAGE = gettext_noop(
    "The worker stopped midway (server restart or lost connection); nothing was written. "
    "Press “Run again” to import the file again."
)
DATABASE_LOST_MESSAGE = gettext_noop(
    "The database connection was lost during the import; nothing was written. "
    "Press “Run again” to import the file again."
)
QUEUE_DOWN_MESSAGE = gettext_noop(
    "The queue is unavailable for now; the file will be processed automatically within minutes of it coming back."
)
CANCELLED_MESSAGE = gettext_noop("Cancelled")


def stored_message(msgid: str, **params) -> str:
    """A job message as stored: its msgid (marked with gettext_noop), plus its parameters as JSON if any."""
    if not params:
        return msgid
    return json.dumps({"msgid": msgid, "params": params}, ensure_ascii=False)


def shown_message(stored: str) -> str:
    """The stored message in the active language; older free-text messages pass unchanged."""
    if not stored:
        return ""
    if stored.startswith('{"msgid"'):
        try:
            data = json.loads(stored)
            return gettext(data["msgid"]) % data["params"]
        except (ValueError, KeyError, TypeError):
            return stored
    return gettext(stored)


def heartbeat_seconds() -> float:
    return float(getattr(settings, "JOB_HEARTBEAT_SECONDS", 15))


def stale_after() -> timedelta:
    return timedelta(seconds=float(getattr(settings, "JOB_STALE_SECONDS", 120)))


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:200]


class LiveJob(models.Model):
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True, editable=False)
    worker = models.CharField(_("worker"), max_length=200, blank=True, editable=False)
    sent_at = models.DateTimeField(_("queued at"), null=True, blank=True, editable=False)

    # A subclass names its status values; `status`, `started_at`, `created_at`,
    # `finished_at`, `message` and `cancel_requested` are expected fields.
    QUEUED: str = "queued"
    RUNNING_STATUSES: tuple[str, ...] = ("running",)
    FAILED: str = "failed"
    CANCELLED: str = "cancelled"

    class Meta:
        abstract = True

    def send(self) -> None:
        """Put the job's message on the broker (may raise when the broker is down)."""
        raise NotImplementedError

    @property
    def worker_gone(self) -> bool:
        if self.status not in self.RUNNING_STATUSES:
            return False
        last = self.heartbeat_at or self.started_at or self.created_at
        return last is not None and last < timezone.now() - stale_after()

    @property
    def message_text(self) -> str:
        """The job's message in the reader's language."""
        return shown_message(self.message)

    @property
    def can_run_again(self) -> bool:
        return self.status in (self.FAILED, self.CANCELLED) and bool(getattr(self, "file", None))

    @classmethod
    def stale_q(cls, now=None) -> Q:
        cutoff = (now or timezone.now()) - stale_after()
        return Q(status__in=cls.RUNNING_STATUSES) & (
            Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, started_at__lt=cutoff)
        )

    def give_up(self, *, message: str = WORKER_LOST_MESSAGE, now=None) -> bool:
        """Finish a job whose worker is gone: cancelled if the user asked, failed otherwise.

        Conditional on the row still being stale, so a worker that was only slow wins the race.
        """
        now = now or timezone.now()
        rows = type(self)._default_manager.filter(type(self).stale_q(now), pk=self.pk)
        if self.cancel_requested:
            done = rows.update(status=self.CANCELLED, finished_at=timezone.now(), message=CANCELLED_MESSAGE)
        else:
            done = rows.update(status=self.FAILED, finished_at=timezone.now(), message=message)
        if done:
            logger.warning("job %s %s: worker %s gone", self._meta.label, self.pk, self.worker or "?")
            ended = end_orphaned_sessions(type(self), self.pk)
            if ended:
                logger.warning(
                    "job %s %s: ended %s database session(s) left by its worker", self._meta.label, self.pk, ended
                )
        return bool(done)

    def send_safely(self) -> bool:
        """Send the message; on a broker outage leave the job queued with a message (beat resends).

        Without a broker (the local default) the job runs in-process after the response, in a
        daemon thread, so the upload returns at once with the job page and its progress bar."""
        model = type(self)
        if getattr(settings, "JOBS_IN_BACKGROUND_THREAD", False):
            model._default_manager.filter(pk=self.pk, status=self.QUEUED).update(sent_at=timezone.now())
            threading.Thread(
                target=self._send_in_thread, name=f"job-{model._meta.label}-{self.pk}", daemon=True
            ).start()
            return True
        try:
            self.send()
        except Exception:  # kombu OperationalError, redis ConnectionError, socket errors
            logger.exception("could not queue %s %s; the next check resends it", model._meta.label, self.pk)
            model._default_manager.filter(pk=self.pk, status=self.QUEUED).update(message=QUEUE_DOWN_MESSAGE)
            return False
        queued = model._default_manager.filter(pk=self.pk, status=self.QUEUED)
        queued.update(sent_at=timezone.now())
        queued.filter(message=QUEUE_DOWN_MESSAGE).update(message="")
        return True

    def _send_in_thread(self) -> None:
        try:
            self.send()
        except Exception:  # recorded on the job row by the job itself
            logger.exception("background job %s %s failed", self._meta.label, self.pk)
        finally:
            connections.close_all()  # this thread's connections only

    def run_again(self) -> bool:
        """Queue a failed or cancelled job afresh (all-or-nothing imports are safe to rerun)."""
        model = type(self)
        reset = model._default_manager.filter(pk=self.pk, status__in=(self.FAILED, self.CANCELLED)).update(
            status=self.QUEUED,
            cancel_requested=False,
            message="",
            started_at=None,
            finished_at=None,
            heartbeat_at=None,
            worker="",
            sent_at=None,
        )
        if reset:
            self.refresh_from_db()
        return bool(reset)


def live_job_models() -> list[type[LiveJob]]:
    from django.apps import apps

    return [model for model in apps.get_models() if issubclass(model, LiveJob)]


def check_jobs(*, now=None, resend_after: timedelta = timedelta(minutes=1)) -> dict[str, int]:
    """Give up on jobs whose worker is gone and resend queued jobs the broker never got."""
    now = now or timezone.now()
    counts = {"gave_up": 0, "resent": 0}
    for model in live_job_models():
        for job in model._default_manager.filter(model.stale_q(now)):
            counts["gave_up"] += job.give_up(now=now)
        never_sent = Q(sent_at__isnull=True, created_at__lt=now - resend_after)
        # A message lost with the broker's data: duplicates are harmless (jobs lock and check status).
        lost = Q(sent_at__lt=now - timedelta(hours=1))
        for job in model._default_manager.filter(never_sent | lost, status=model.QUEUED):
            counts["resent"] += job.send_safely()
    return counts


def connection_lost() -> bool:
    """Whether this thread's database connection is gone (terminated, server restarted)."""
    try:
        return connection.connection is None or not connection.is_usable()
    except Exception:
        return True


def _recover_connection() -> None:
    """After a lost database connection, drop it so the next query opens a new one."""
    if connection_lost():
        try:
            connection.close()
        except Exception:
            connection.connection = None


def record_failure(model: type[LiveJob], pk: int, message: str) -> None:
    """Mark a running job failed even when the failure was the database connection itself."""
    for attempt in range(2):
        try:
            model._default_manager.filter(pk=pk, status__in=model.RUNNING_STATUSES).update(
                status=model.FAILED, finished_at=timezone.now(), message=message[:2000]
            )
            return
        except Exception:
            if attempt:
                # The heartbeat stops with this job; the beat check finishes the row.
                logger.exception("could not record the failure of %s %s", model._meta.label, pk)
            _recover_connection()


class _Heartbeat(threading.Thread):
    def __init__(self, model: type[LiveJob], pk: int):
        super().__init__(name=f"heartbeat-{model._meta.label}-{pk}", daemon=True)
        self.model, self.pk = model, pk
        self.stopped = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopped.wait(heartbeat_seconds()):
                try:
                    self.model._default_manager.filter(pk=self.pk).update(heartbeat_at=timezone.now())
                except Exception:
                    logger.warning("heartbeat of %s %s failed; retrying", self.model._meta.label, self.pk)
                    close_old_connections()
                    connection.close()
        finally:
            connection.close()


@contextmanager
def heartbeat(model: type[LiveJob], pk: int):
    """Around a job's run: name the worker, beat while it runs, and tag its database session.

    On PostgreSQL the connection's application_name becomes `cchc-job-<label>-<pk>` so an
    operator (and a test) can find the job's session in pg_stat_activity. SQLite has no
    concurrent writer for a thread; there the job's own progress updates are the heartbeat.
    """
    model._default_manager.filter(pk=pk).update(heartbeat_at=timezone.now(), worker=worker_name())
    beat = None
    tagged = connection.vendor == "postgresql"
    if tagged:
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('application_name', %s, false)", [application_name(model, pk)])
        beat = _Heartbeat(model, pk)
        beat.start()
    try:
        with job_context(pk):
            yield
    finally:
        if beat is not None:
            beat.stopped.set()
            beat.join(timeout=5)
        if tagged:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("RESET application_name")
            except Exception:
                _recover_connection()


def application_name(model: type[LiveJob], pk: int) -> str:
    return f"cchc-job-{model._meta.label_lower}-{pk}"[:63]


def end_orphaned_sessions(model: type[LiveJob], pk: int) -> int:
    """Terminate the database sessions a lost worker left behind for this job; returns how many.

    A killed worker's session lives on until its current statement ends (PostgreSQL notices the
    closed socket only when it next talks to the client), still holding the job's lock and its
    open transaction. The job is already marked failed, so nothing it could commit is wanted:
    end it, so that "run again" starts at once instead of finding the job "running elsewhere".
    """
    if connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE application_name = %s AND pid <> pg_backend_pid()",
            [application_name(model, pk)],
        )
        return sum(1 for (ended,) in cursor.fetchall() if ended)
