import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dossiers.models import Dossier, ImportJob, JobStatus

from .conftest import HEADERS, row

pytestmark = pytest.mark.django_db


def _csv(rows) -> SimpleUploadedFile:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    writer.writerows(rows)
    return SimpleUploadedFile("export.csv", buffer.getvalue().encode("utf-8-sig"), content_type="text/csv")


def test_an_administrator_uploads_a_file_and_sees_the_result(
    client, province_admin, province, communes, django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(province_admin)
    upload = _csv([row("HS-1", finished="03/06/2025 10:00"), row("HS-2", received="bad")])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("dossiers:import_index"), {"file": upload, "province": province.pk})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response.url == job.get_absolute_url()
    job.refresh_from_db()
    assert (job.status, job.inserted, job.error_rows, job.created_by) == (JobStatus.SUCCEEDED, 1, 1, province_admin)
    partial = client.get(reverse("dossiers:import_job_progress", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert partial.status_code == 286  # htmx stops polling
    assert 'value="100"' in partial.content.decode()
    errors = client.get(reverse("dossiers:import_job_errors", args=[job.pk]))
    content = b"".join(errors.streaming_content).decode("utf-8-sig")
    assert "HS-2" in content and "Ngày tiếp nhận" in content
    assert Dossier.objects.count() == 1


def test_a_running_job_keeps_polling(client, province_admin, province):
    job = ImportJob.objects.create(province=province, status=JobStatus.RUNNING, total_rows=200, processed_rows=50)
    client.force_login(province_admin)
    response = client.get(reverse("dossiers:import_job_progress", args=[job.pk]), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'hx-trigger="every 1s"' in html and 'value="25"' in html


def test_cancelling_a_queued_job_writes_nothing(client, province_admin, province, communes, settings, tmp_path):
    from dossiers.jobs import run_import

    settings.MEDIA_ROOT = tmp_path
    job = ImportJob(province=province, original_name="export.csv", created_by=province_admin)
    job.file.save("export.csv", _csv([row("HS-1")]), save=False)
    job.save()
    client.force_login(province_admin)
    client.post(reverse("dossiers:import_job_cancel", args=[job.pk]))
    assert run_import(job.pk) is None
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED
    assert not Dossier.objects.exists()


def test_a_running_job_with_the_cancel_flag_stops_before_anything_is_saved(province, communes, settings, tmp_path):
    from dossiers.jobs import run_import

    settings.MEDIA_ROOT = tmp_path
    job = ImportJob(province=province, original_name="export.csv", status=JobStatus.RUNNING, cancel_requested=True)
    job.file.save("export.csv", _csv([row(f"HS-{i}") for i in range(30)]), save=False)
    job.save()
    # The flag is checked at every progress point while reading; a running job (e.g. a
    # redelivered one) with the flag set stops there.
    assert run_import(job.pk) is None
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED
    assert not Dossier.objects.exists()


def test_only_administrators_may_import(client, agency_officer, leader):
    for user in (agency_officer, leader):
        client.force_login(user)
        assert client.get(reverse("dossiers:import_index")).status_code == 403


def test_jobs_of_another_province_are_not_found(client, outsider, province):
    job = ImportJob.objects.create(province=province)
    client.force_login(outsider)
    assert client.get(reverse("dossiers:import_job", args=[job.pk])).status_code == 404


def test_the_demo_loads_once(province, communes, agency):
    from dossiers.demo import load_demo

    load_demo(province=province, rows=500)
    count = Dossier.objects.count()
    assert count > 450
    load_demo(province=province, rows=500)
    assert Dossier.objects.count() == count


def test_a_job_that_is_already_saving_can_no_longer_be_cancelled(client, province_admin, province):
    job = ImportJob.objects.create(province=province, status=JobStatus.APPLYING, total_rows=10, processed_rows=10)
    client.force_login(province_admin)
    page = client.get(reverse("dossiers:import_job_progress", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert 'data-testid="job-cancel"' not in page.content.decode()
    response = client.post(reverse("dossiers:import_job_cancel", args=[job.pk]), follow=True)
    assert "không thể hủy" in response.content.decode()
    job.refresh_from_db()
    assert (job.status, job.cancel_requested) == (JobStatus.APPLYING, False)
