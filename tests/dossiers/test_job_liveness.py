"""A job whose worker is gone is finished within minutes: failed with "run again", or cancelled."""

import datetime as dt

import psycopg2
import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from cchc_portal.celery import app
from cchc_portal.liveness import QUEUE_DOWN_MESSAGE, WORKER_LOST_MESSAGE, application_name, check_jobs
from conftest import reset_broker_connections
from dossiers.generate import write_export
from dossiers.models import Dossier, ImportJob, JobStatus


def _running_job(province, user, *, beat_minutes_ago: float, **extra) -> ImportJob:
    at = timezone.now() - dt.timedelta(minutes=beat_minutes_ago)
    return ImportJob.objects.create(
        province=province, created_by=user, status=JobStatus.RUNNING, started_at=at, heartbeat_at=at,
        total_rows=1000, processed_rows=760, original_name="export.csv", **extra,
    )  # fmt: skip


@pytest.fixture
def uploaded_job(province, province_admin, communes, agency, tmp_path):
    """A failed job with a real uploaded file, as a worker killed midway leaves it."""
    path = tmp_path / "export.csv"
    write_export(str(path), province=province, rows=300, end=dt.date.today() - dt.timedelta(days=1))
    job = _running_job(province, province_admin, beat_minutes_ago=10)
    with open(path, "rb") as handle:
        job.file.save("export.csv", handle)
    return job


def test_a_job_silent_past_the_stale_limit_is_marked_failed_with_a_clear_message(province, province_admin):
    job = _running_job(province, province_admin, beat_minutes_ago=3)
    assert job.worker_gone
    assert check_jobs() == {"gave_up": 1, "resent": 0}
    job.refresh_from_db()
    assert (job.status, job.message) == (JobStatus.FAILED, WORKER_LOST_MESSAGE)
    assert job.finished_at is not None


def test_a_job_that_beat_recently_is_left_running(province, province_admin):
    job = _running_job(province, province_admin, beat_minutes_ago=0.5)
    assert not job.worker_gone
    check_jobs()
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING


def test_a_gone_job_whose_cancel_was_requested_ends_cancelled(province, province_admin):
    job = _running_job(province, province_admin, beat_minutes_ago=5, cancel_requested=True)
    check_jobs()
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED


def test_cancel_works_while_saving_when_the_worker_is_gone(client, province, province_admin):
    job = _running_job(province, province_admin, beat_minutes_ago=5)
    ImportJob.objects.filter(pk=job.pk).update(status=JobStatus.APPLYING)
    client.force_login(province_admin)
    client.post(reverse("dossiers:import_job_cancel", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED


def test_the_failed_job_page_offers_run_again_in_vietnamese(client, uploaded_job, province_admin):
    check_jobs()
    client.force_login(province_admin)
    page = client.get(uploaded_job.get_absolute_url()).content.decode()
    assert 'data-testid="job-run-again"' in page
    assert "Chạy lại" in page
    assert "Tiến trình xử lý đã dừng giữa chừng" in page


def test_run_again_imports_the_stored_file(client, uploaded_job, province_admin, django_capture_on_commit_callbacks):
    check_jobs()
    client.force_login(province_admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("dossiers:import_job_run_again", args=[uploaded_job.pk]))
    uploaded_job.refresh_from_db()
    assert uploaded_job.status == JobStatus.SUCCEEDED, uploaded_job.message
    assert uploaded_job.inserted == Dossier.objects.count() == 300
    assert AuditEvent.objects.filter(note="run again", actor=province_admin).exists()


@pytest.mark.postgres
def test_the_session_a_lost_worker_left_is_ended_so_run_again_starts_at_once(
    client, uploaded_job, province_admin, django_capture_on_commit_callbacks
):
    # What a SIGKILLed worker leaves: its session, still in a statement, holding the job's lock.
    settings = connection.settings_dict
    orphan = psycopg2.connect(
        dbname=settings["NAME"], user=settings["USER"], host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432, password=settings["PASSWORD"] or None,
        application_name=application_name(ImportJob, uploaded_job.pk),
    )  # fmt: skip
    orphan.autocommit = True
    try:
        with orphan.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(5, %s)", [uploaded_job.pk])

        assert check_jobs()["gave_up"] == 1
        with pytest.raises(psycopg2.OperationalError), orphan.cursor() as cursor:
            cursor.execute("SELECT 1")

        client.force_login(province_admin)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("dossiers:import_job_run_again", args=[uploaded_job.pk]))
    finally:
        orphan.close()
    uploaded_job.refresh_from_db()
    assert uploaded_job.status == JobStatus.SUCCEEDED, uploaded_job.message
    assert uploaded_job.inserted == Dossier.objects.count() == 300


def test_another_provinces_admin_cannot_run_the_job_again(client, uploaded_job, outsider):
    check_jobs()
    client.force_login(outsider)
    response = client.post(reverse("dossiers:import_job_run_again", args=[uploaded_job.pk]))
    assert response.status_code == 404
    uploaded_job.refresh_from_db()
    assert uploaded_job.status == JobStatus.FAILED


def test_an_upload_during_a_broker_outage_runs_within_minutes_of_the_broker_returning(
    client, province, province_admin, communes, agency, tmp_path, django_capture_on_commit_callbacks, request
):
    path = tmp_path / "export.csv"
    write_export(str(path), province=province, rows=200, end=dt.date.today() - dt.timedelta(days=1))
    outage = request.getfixturevalue("unreachable_broker")
    client.force_login(province_admin)
    with django_capture_on_commit_callbacks(execute=True), open(path, "rb") as handle:
        client.post(reverse("dossiers:import_index"), {"file": handle, "province": province.pk})
    job = ImportJob.objects.get()
    assert (job.status, job.message, job.sent_at) == (JobStatus.QUEUED, QUEUE_DOWN_MESSAGE, None)
    app.conf.broker_write_url, app.conf.task_always_eager = outage  # the broker is back
    reset_broker_connections()
    # Not yet a minute old: left for the normal path.
    assert check_jobs()["resent"] == 0
    counts = check_jobs(now=timezone.now() + dt.timedelta(minutes=2))
    job.refresh_from_db()
    assert counts["resent"] == 1
    assert job.status == JobStatus.SUCCEEDED, job.message
    assert Dossier.objects.count() == 200
