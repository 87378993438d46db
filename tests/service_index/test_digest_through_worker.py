"""The Monday digest job runs in a real worker and notifies each leader once, even when enqueued twice."""

import datetime as dt
import os

import pytest
import redis

from conftest import wait_for
from dossiers.generate import write_export
from dossiers.importing import import_file
from dossiers.models import local_today
from notifications.models import Notification
from service_index.digest import DIGEST_KIND


@pytest.mark.postgres
@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_the_digest_job_sends_once_through_a_real_worker(
    celery_worker_process, province, communes, agency, leader, tmp_path
):
    from service_index.jobs import weekly_digest_job

    path = tmp_path / "gen.csv"
    yesterday = local_today() - dt.timedelta(days=1)
    write_export(str(path), province=province, rows=800, end=yesterday, months=2, seed=12)
    import_file(str(path))
    from cchc_portal.celery import app

    weekly_digest_job.delay()
    weekly_digest_job.delay()  # a redelivery or a second beat: must not send again
    wait_for(lambda: Notification.objects.filter(kind=DIGEST_KIND).exists(), timeout=120)

    broker = redis.Redis.from_url(os.environ["CELERY_BROKER_URL"])

    def drained() -> bool:
        queued = broker.llen("celery")
        active = app.control.inspect(timeout=1.0).active() or {}
        return queued == 0 and not any(active.values())

    wait_for(drained, timeout=120, interval=0.5)
    assert Notification.objects.filter(kind=DIGEST_KIND, user=leader).count() == 1
