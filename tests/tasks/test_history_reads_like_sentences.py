"""The history on a task page reads as staff write it: labels, choice names, file names, people and units."""

import re

from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.history import history_rows
from audit.models import AuditAction, AuditEvent, AuditSource
from tasks.models import Task, TaskStatus

from .conftest import pdf_bytes


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def test_a_progress_save_shows_status_and_file_in_words_with_the_persons_name_and_agency(
    client, agency_officer, agency, task
):
    agency_officer.first_name, agency_officer.last_name = "An", "Nguyễn Văn"
    agency_officer.save()
    client.force_login(agency_officer)
    upload = SimpleUploadedFile("minhchung.pdf", pdf_bytes(), content_type="application/pdf")
    response = client.post(
        reverse("tasks:task_update", args=[task.pk]),
        {"version": task.version, "status": TaskStatus.IN_PROGRESS, "percent": "40", "note": "", "files": [upload]},
    )
    assert response.status_code == 302
    page = _text(client.get(task.get_absolute_url()).content.decode())
    assert "Tình trạng: Chưa thực hiện → Đang thực hiện" in page
    assert "Tài liệu kiểm chứng: thêm minhchung.pdf" in page
    assert agency_officer.get_full_name() in page and agency.name in page
    for code in ("in_progress", "not_started", "['minhchung.pdf']", "status:"):
        assert code not in page


def test_rows_written_before_the_renderer_read_the_same_way(task):
    old = AuditEvent.objects.create(
        action=AuditAction.UPDATE,
        source=AuditSource.JOB,
        content_type=ContentType.objects.get_for_model(Task),
        object_id=str(task.pk),
        object_repr=str(task),
        changes={"status": [None, "in_progress"], "deadline": ["2026-02-20", "2026-02-28"], "percent": [0, 10000]},
        note="overdue marking",
    )
    (row,) = history_rows([old])
    lines = [str(line) for line in row.lines]
    assert "Tình trạng: Đang thực hiện" in lines
    assert "Thời hạn: 20/02/2026 → 28/02/2026" in lines
    assert "Tỷ lệ hoàn thành: 0 → 10.000" in lines
    assert row.who == "hệ thống"
    assert row.note == "đánh dấu quá hạn hằng ngày"  # a job's note, translated when shown


def test_the_history_of_a_page_runs_a_fixed_number_of_queries(agency_officer, task, django_assert_num_queries):
    for n in range(5):
        AuditEvent.objects.create(
            actor=agency_officer, action=AuditAction.UPDATE, content_type=ContentType.objects.get_for_model(Task),
            object_id=str(task.pk), object_repr=str(task), changes={"percent": [n, n + 1]},
        )  # fmt: skip
    events = list(AuditEvent.objects.for_object(task))
    ContentType.objects.get_for_model(Task)
    with django_assert_num_queries(3):  # the people, their agencies, their units
        history_rows(events)
