"""`enqueue_after_commit`: a job is queued only once its rows are committed, and a dead broker never
fails the write."""

import pytest
from celery import shared_task
from django.db import transaction

from cchc_portal.celery import app
from cchc_portal.queue import enqueue_after_commit

RAN: list = []


@shared_task(name="tests.record_run")
def record_run(value: int) -> None:
    RAN.append(value)


def _reset_broker_connections() -> None:
    app._pool = None
    if "amqp" in app.__dict__:
        app.amqp._producer_pool = None


@pytest.fixture(autouse=True)
def _empty():
    RAN.clear()


@pytest.mark.django_db(transaction=True)
def test_the_job_runs_after_the_commit_and_not_after_a_rollback():
    with transaction.atomic():
        enqueue_after_commit(record_run, 1)
        assert RAN == []  # not while the transaction is open
    assert RAN == [1]
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue_after_commit(record_run, 2)
        raise RuntimeError
    assert RAN == [1]


@pytest.mark.django_db(transaction=True)
def test_a_dead_broker_is_logged_and_reported_to_the_caller_not_raised(caplog):
    saved = (app.conf.get("broker_write_url"), app.conf.task_always_eager)
    _reset_broker_connections()
    app.conf.broker_write_url, app.conf.task_always_eager = "redis://127.0.0.1:1/0", False
    failures = []
    try:
        with transaction.atomic():
            enqueue_after_commit(record_run, 3, on_failure=lambda: failures.append(3))
    finally:
        app.conf.broker_write_url, app.conf.task_always_eager = saved
        _reset_broker_connections()
    assert failures == [3] and RAN == []
    assert "could not queue tests.record_run" in caplog.text
