"""The progress rules live on the model: the form, the API and the model's own validation agree."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tasks.models import ProgressUpdate, Task, TaskStatus, today

from .conftest import pdf_bytes

REFUSED = [
    # (status, percent, completion date, field the message is on)
    ("completed", None, "2030-01-01", "completion_date"),
    ("completed", None, "1900-01-01", "completion_date"),
    ("completed", None, "2025-12-31", "completion_date"),  # before the 2026 plan's year
    ("completed", 50, None, "percent"),
    ("not_started", 100, None, "percent"),
    ("not_started", 30, None, "percent"),
    ("in_progress", 100, None, "percent"),
    ("ongoing", 100, None, "percent"),
]


def _vn(iso: str | None) -> str:
    return dt.date.fromisoformat(iso).strftime("%d/%m/%Y") if iso else ""


@pytest.mark.parametrize(("status", "percent", "completion_date", "field"), REFUSED)
def test_the_api_refuses_what_the_rules_refuse_and_writes_nothing(
    client, agency_officer, task, status, percent, completion_date, field
):
    client.force_login(agency_officer)
    payload = {"version": task.version, "status": status, "note": "API"}
    if percent is not None:
        payload["percent"] = percent
    if completion_date:
        payload["completion_date"] = completion_date
    response = client.post(f"/api/v1/tasks/{task.pk}/progress/", payload, content_type="application/json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    task.refresh_from_db()
    assert task.version == 0 and task.status == TaskStatus.NOT_STARTED
    assert not ProgressUpdate.objects.filter(task=task).exists()


@pytest.mark.parametrize(("status", "percent", "completion_date", "field"), REFUSED)
def test_the_form_refuses_the_same_values_on_the_same_field(
    client, agency_officer, task, status, percent, completion_date, field
):
    client.force_login(agency_officer)
    response = client.post(
        reverse("tasks:task_update", args=[task.pk]),
        {"version": task.version, "status": status, "percent": "" if percent is None else percent,
         "completion_date": _vn(completion_date), "note": "Biểu mẫu"},
    )  # fmt: skip
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert not ProgressUpdate.objects.filter(task=task).exists()


def test_a_task_saved_any_other_way_is_checked_by_full_clean(task):
    task.status, task.percent = TaskStatus.NOT_STARTED, 40
    with pytest.raises(ValidationError) as refused:
        task.full_clean()
    assert "percent" in refused.value.message_dict
    task.status, task.percent, task.completion_date = TaskStatus.COMPLETED, 100, dt.date(2030, 1, 1)
    with pytest.raises(ValidationError) as refused:
        task.full_clean()
    assert "completion_date" in refused.value.message_dict


def test_completing_through_the_api_without_a_percent_or_date_means_100_percent_today(client, agency_officer, task):
    client.force_login(agency_officer)
    response = client.post(f"/api/v1/tasks/{task.pk}/progress/", {"version": 0, "status": "completed"},
                           content_type="application/json")  # fmt: skip
    assert response.status_code == 201, response.content
    task.refresh_from_db()
    assert (task.percent, task.completion_date) == (100, today())


def test_going_back_from_completed_clears_the_completion_date(client, agency_officer, make_task, agency):
    done = make_task(agency, status=TaskStatus.COMPLETED, percent=100, completion_date=dt.date(2026, 3, 1))
    client.force_login(agency_officer)
    response = client.post(
        reverse("tasks:task_update", args=[done.pk]),
        {"version": 0, "status": "in_progress", "percent": "80", "completion_date": "01/03/2026", "note": "Làm lại"},
    )
    assert response.status_code == 302
    done.refresh_from_db()
    assert (done.status, done.percent, done.completion_date) == ("in_progress", 80, None)


def test_an_evidence_file_over_5_mb_is_accepted_through_the_api_like_the_form(client, agency_officer, task):
    """Over FILE_UPLOAD_MAX_MEMORY_SIZE the upload is kept on disk; the API used to deep-copy it (500)."""
    client.force_login(agency_officer)
    big = SimpleUploadedFile("bao-cao.pdf", pdf_bytes() + b"0" * (6 * 1024 * 1024))
    response = client.post(
        f"/api/v1/tasks/{task.pk}/progress/", {"version": 0, "status": "in_progress", "percent": 10, "files": [big]}
    )
    assert response.status_code == 201, response.content
    assert Task.objects.get(pk=task.pk).evidence.get().size > 6 * 1024 * 1024


def test_an_evidence_file_over_the_limit_gets_the_forms_message_through_the_api(client, agency_officer, task, settings):
    settings.CCHC = {**settings.CCHC, "EVIDENCE_MAX_BYTES": 6 * 1024 * 1024}
    client.force_login(agency_officer)
    content = pdf_bytes() + b"0" * (7 * 1024 * 1024)
    api = client.post(
        f"/api/v1/tasks/{task.pk}/progress/",
        {"version": 0, "status": "in_progress", "percent": 10, "files": [SimpleUploadedFile("lon.pdf", content)]},
    )
    form = client.post(
        reverse("tasks:task_update", args=[task.pk]),
        {"version": 0, "status": "in_progress", "percent": "10", "files": [SimpleUploadedFile("lon.pdf", content)]},
    )
    assert api.status_code == 400 and form.status_code == 400
    assert api.json()["files"] == form.context["form"].errors["files"]
