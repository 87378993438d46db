"""Through real workers on PostgreSQL: a worker stopped as `docker stop` does, and a lost database
connection, each leave a failed job with "run again" — never a job "running" forever."""

import datetime as dt
import os

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from cchc_portal.liveness import DATABASE_LOST_MESSAGE, WORKER_LOST_MESSAGE, application_name, check_jobs
from conftest import start_celery_worker, stop_celery_worker, wait_for
from dossiers.generate import write_export
from dossiers.jobs import import_dossiers_job
from dossiers.models import ACTIVE_JOB_STATUSES, Dossier, DossierSummary, ImportJob, JobStatus

ROWS = int(os.environ.get("LIVENESS_ROWS", "200000"))
pytestmark = [
    pytest.mark.slow,
    pytest.mark.postgres,
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def stored_job(province, province_admin, communes, agency, home_affairs, tmp_path):
    path = tmp_path / "export.csv"
    write_export(str(path), province=province, rows=ROWS, end=dt.date.today() - dt.timedelta(days=1))
    job = ImportJob(province=province, created_by=province_admin, original_name="export.csv")
    with open(path, "rb") as handle:
        job.file.save("export.csv", handle)
    return job


def _finished(job: ImportJob, timeout: float = 300) -> ImportJob:
    return wait_for(
        lambda: ImportJob.objects.filter(pk=job.pk).exclude(status__in=ACTIVE_JOB_STATUSES).first(), timeout=timeout
    )


def _run_again_through_the_page(client, job: ImportJob, user) -> ImportJob:
    client.force_login(user)
    page = client.get(job.get_absolute_url()).content.decode()
    assert 'data-testid="job-run-again"' in page and "Chạy lại" in page
    client.post(reverse("dossiers:import_job_run_again", args=[job.pk]))
    return _finished(job)


def test_a_worker_stopped_mid_import_leaves_a_failed_job_that_runs_again(
    celery_worker_process, client, stored_job, province_admin
):
    worker = start_celery_worker(
        "--concurrency=1", "-Q", "liveness-kill", log_name=".celery-kill-worker.log", JOB_HEARTBEAT_SECONDS="1"
    )
    try:
        import_dossiers_job.apply_async((stored_job.pk,), queue="liveness-kill")
        running = wait_for(
            lambda: ImportJob.objects.filter(pk=stored_job.pk, status=JobStatus.RUNNING, processed_rows__gt=0).first()
        )
        first_beat = running.heartbeat_at
        wait_for(lambda: ImportJob.objects.filter(pk=stored_job.pk, heartbeat_at__gt=first_beat).exists(), timeout=10)
    finally:
        # docker stop: SIGTERM (a warm shutdown waits for the job), then SIGKILL (2 s here, 10 s in Docker).
        stop_celery_worker(worker, grace=2)
    job = ImportJob.objects.get(pk=stored_job.pk)
    assert job.status in (JobStatus.RUNNING, JobStatus.APPLYING), "the import finished before the kill; raise ROWS"
    assert job.worker and not Dossier.objects.exists()

    # The minute check, once the heartbeat has been silent past the limit.
    assert check_jobs()["gave_up"] == 0
    later = timezone.now() + dt.timedelta(seconds=settings.JOB_STALE_SECONDS + 1)
    assert check_jobs(now=later)["gave_up"] == 1
    job.refresh_from_db()
    assert (job.status, job.message) == (JobStatus.FAILED, WORKER_LOST_MESSAGE)

    rerun = _run_again_through_the_page(client, job, province_admin)
    assert (rerun.status, rerun.inserted) == (JobStatus.SUCCEEDED, ROWS), rerun.message
    assert sum(DossierSummary.objects.values_list("received", flat=True)) == Dossier.objects.count() == ROWS


def test_a_lost_database_connection_while_reading_fails_the_job_clearly(
    celery_worker_process, client, stored_job, province_admin
):
    import_dossiers_job.delay(stored_job.pk)
    wait_for(
        lambda: ImportJob.objects.filter(pk=stored_job.pk, status=JobStatus.RUNNING, processed_rows__gt=0).exists()
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s",
            [application_name(ImportJob, stored_job.pk)],
        )
        assert cursor.fetchone() == (True,)
    job = _finished(stored_job, timeout=60)
    assert (job.status, job.message) == (JobStatus.FAILED, DATABASE_LOST_MESSAGE)
    assert not Dossier.objects.exists()

    rerun = _run_again_through_the_page(client, job, province_admin)
    assert (rerun.status, rerun.inserted) == (JobStatus.SUCCEEDED, ROWS), rerun.message
