import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AuditEvent
from tasks.models import Evidence, ProgressUpdate, Task, TaskStatus

from .conftest import pdf_bytes, png_bytes


def _post(client, task, **data):
    payload = {"version": task.version, "status": TaskStatus.IN_PROGRESS, "percent": "40", "note": "", **data}
    return client.post(reverse("tasks:task_update", args=[task.pk]), payload)


def test_officer_reports_progress_with_a_note_and_evidence(
    client, agency_officer, task, django_capture_on_commit_callbacks
):
    client.force_login(agency_officer)
    upload = SimpleUploadedFile("Báo cáo rà soát.pdf", pdf_bytes(), content_type="application/pdf")
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, task, note="Đã rà soát 120 văn bản", files=[upload], document_number="15/BC-STP",
                         document_date="05/06/2026")  # fmt: skip
    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.status, task.percent, task.version) == (TaskStatus.IN_PROGRESS, 40, 1)
    update = ProgressUpdate.objects.get(task=task)
    assert update.note == "Đã rà soát 120 văn bản"
    assert update.document_date == dt.date(2026, 6, 5)  # day first
    evidence = Evidence.objects.get(update=update)
    assert evidence.original_name == "Báo cáo rà soát.pdf"
    assert evidence.file.name.startswith(f"evidence/{task.plan_id}/") and "rà" not in evidence.file.name
    assert task.plan.figures.in_progress == 1  # the job ran on commit (eager here)
    page = client.get(task.get_absolute_url())
    assert "Đã rà soát 120 văn bản" in page.content.decode()
    download = client.get(evidence.get_absolute_url())
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == pdf_bytes()
    assert "attachment" in download["Content-Disposition"]


def test_completing_a_task_sets_its_completion_date_and_100_percent(client, agency_officer, task):
    client.force_login(agency_officer)
    response = _post(client, task, status=TaskStatus.COMPLETED, percent="", note="Xong")
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == TaskStatus.COMPLETED and task.percent == 100 and task.completion_date is not None


def test_a_file_whose_content_is_not_its_type_is_refused(client, agency_officer, task):
    client.force_login(agency_officer)
    fake = SimpleUploadedFile("hop-dong.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    exe = SimpleUploadedFile("virus.exe", b"MZ\x90\x00", content_type="application/octet-stream")
    response = _post(client, task, note="x", files=[fake, exe])
    assert response.status_code == 400
    errors = " ".join(response.context["form"].errors["files"])
    assert "hop-dong.pdf" in errors and "virus.exe" in errors
    assert not Evidence.objects.exists()
    task.refresh_from_db()
    assert task.version == 0


def test_an_image_is_accepted_as_evidence(client, agency_officer, task):
    client.force_login(agency_officer)
    photo = SimpleUploadedFile("hoi-nghi.png", png_bytes(), content_type="image/png")
    assert _post(client, task, note="Ảnh hội nghị", files=[photo]).status_code == 302
    assert Evidence.objects.get().content_type == "image/png"


def test_the_second_of_two_concurrent_saves_is_refused_keeps_what_was_typed_and_shows_current_values(
    client, agency_officer, province_admin, task
):
    client.force_login(agency_officer)
    stale_version = task.version
    assert _post(client, task, note="Lần 1", percent="30").status_code == 302
    other = client.__class__()
    other.force_login(province_admin)
    response = other.post(
        reverse("tasks:task_update", args=[task.pk]),
        {"version": stale_version, "status": TaskStatus.COMPLETED, "note": "Lần 2"},
    )
    assert response.status_code == 409
    content = response.content.decode()
    assert "người khác" in content
    form = response.context["form"]
    assert form["note"].value() == "Lần 2"  # what they typed is kept
    assert form["version"].value() == str(stale_version + 1)  # saving again applies it
    saved = {d.label: (d.yours, d.saved) for d in form.conflict}
    assert saved["Tình trạng"] == ("Hoàn thành", "Đang thực hiện")  # the current values beside it
    task.refresh_from_db()
    assert (task.status, task.percent) == (TaskStatus.IN_PROGRESS, 30)
    assert list(ProgressUpdate.objects.values_list("note", flat=True)) == ["Lần 1"]
    again = other.post(
        reverse("tasks:task_update", args=[task.pk]),
        {"version": form["version"].value(), "status": form["status"].value(), "note": form["note"].value()},
    )
    assert again.status_code == 302  # re-applied in one click
    task.refresh_from_db()
    assert task.status == TaskStatus.COMPLETED


def test_officer_cannot_update_another_agencys_task(client, agency_officer, make_task, home_affairs):
    other_task = make_task(home_affairs)
    client.force_login(agency_officer)
    response = _post(client, other_task, note="Không được phép")
    assert response.status_code == 404
    assert not ProgressUpdate.objects.exists()
    # ...but may read it (same province): the page has no form.
    page = client.get(other_task.get_absolute_url())
    assert page.status_code == 200 and page.context["form"] is None


def test_leader_and_viewer_cannot_update_tasks(client, leader, viewer, task):
    for user in (leader, viewer):
        client.force_login(user)
        assert _post(client, task, note="x").status_code == 404


def test_evidence_cannot_be_downloaded_from_another_province(client, agency_officer, outsider, task):
    client.force_login(agency_officer)
    _post(client, task, note="x", files=[SimpleUploadedFile("a.pdf", pdf_bytes())])
    evidence = Evidence.objects.get()
    client.force_login(outsider)
    assert client.get(evidence.get_absolute_url()).status_code == 404


def test_task_page_shows_its_history_with_old_and_new_values(client, agency_officer, province_admin, task):
    client.force_login(agency_officer)
    _post(client, task, note="Đang làm", percent="20")
    client.force_login(province_admin)
    page = client.get(task.get_absolute_url())
    events = list(page.context["events"])
    task_event = next(e for e in events if e.content_type.model == "task")
    assert task_event.actor == agency_officer
    assert task_event.changes["status"] == [TaskStatus.NOT_STARTED, TaskStatus.IN_PROGRESS]
    assert task_event.changes["percent"] == [None, 20]
    assert any(e.content_type.model == "progressupdate" and e.changes["note"][1] == "Đang làm" for e in events)
    assert AuditEvent.objects.count() == 2


def test_htmx_update_returns_the_panel_only(client, agency_officer, task):
    client.force_login(agency_officer)
    response = client.post(
        reverse("tasks:task_update", args=[task.pk]),
        {"version": 0, "status": TaskStatus.IN_PROGRESS, "note": "qua htmx"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="progress-panel">') and "qua htmx" in html
    assert "<html" not in html


def test_my_tasks_lists_led_tasks_and_coordinated_ones_read_only(
    client, agency_officer, make_task, agency, home_affairs
):
    led = make_task(agency, title="Chủ trì A", deadline=dt.date(2026, 1, 31))
    coordinated = make_task(home_affairs, title="Phối hợp B")
    coordinated.coordinating_agencies.add(agency)
    make_task(home_affairs, title="Không liên quan C")
    client.force_login(agency_officer)
    response = client.get(reverse("tasks:my_tasks"), {"year": 2026})
    assert [t.pk for t in response.context["led"]] == [led.pk]
    assert [t.pk for t in response.context["coordinated"]] == [coordinated.pk]
    assert "Không liên quan C" not in response.content.decode()
    overdue = client.get(reverse("tasks:my_tasks"), {"year": 2026, "status": "overdue"})
    assert [t.pk for t in overdue.context["led"]] == ([led.pk] if led.is_overdue() else [])
    assert Task.objects.overdue(dt.date(2026, 2, 1)).filter(pk=led.pk).exists()
