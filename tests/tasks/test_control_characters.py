"""Control characters typed or pasted into any text field are removed on save, and exports survive
old rows that still hold them."""

import io

from django.urls import reverse
from openpyxl import load_workbook

from cchc_portal.lib.text import clean_text
from provinces.models import Agency
from tasks.models import ProgressUpdate, Task, TaskStatus


def test_clean_text_keeps_tabs_and_line_breaks_and_turns_word_breaks_into_line_feeds():
    assert clean_text("a\tb\r\nc") == "a\tb\r\nc"
    assert clean_text("dòng 1\x0bdòng 2\x0cđoạn") == "dòng 1\ndòng 2\nđoạn"
    assert clean_text("HS\x01-\x00001\x7f\x1f") == "HS-001"
    assert clean_text(None) is None


def test_a_word_line_break_in_a_progress_note_is_saved_as_a_line_feed(client, agency_officer, task):
    client.force_login(agency_officer)
    response = client.post(
        reverse("tasks:task_update", args=[task.pk]),
        {"version": 0, "status": "in_progress", "percent": "20", "note": "Đã họp\x0bĐã rà soát\x01",
         "document_number": "15/\x01BC"},
    )  # fmt: skip
    assert response.status_code == 302
    update = ProgressUpdate.objects.get(task=task)
    assert (update.note, update.document_number) == ("Đã họp\nĐã rà soát", "15/BC")


def test_the_api_and_the_shell_save_the_same_cleaned_text(client, agency_officer, task, agency):
    client.force_login(agency_officer)
    response = client.post(f"/api/v1/tasks/{task.pk}/progress/",
                           {"version": 0, "status": "in_progress", "percent": 5, "note": "API\x02 ghi chú\x0b"},
                           content_type="application/json")  # fmt: skip
    assert response.status_code == 201 and response.json()["note"] == "API ghi chú"
    agency.name = "Sở\x08 Tư pháp"
    agency.save()
    assert Agency.objects.get(pk=agency.pk).name == "Sở Tư pháp"


def test_a_plan_export_with_old_rows_holding_control_characters_still_downloads(
    client, leader, plan, make_task, agency
):
    done = make_task(agency, status=TaskStatus.IN_PROGRESS, title="Rà soát")
    ProgressUpdate.objects.create(task=done, status="in_progress", percent=10, note="ghi chú")
    # Written before the rule existed: `update()` bypasses save().
    Task.objects.filter(pk=done.pk).update(title="Rà\x0b soát\x01 văn bản", expected_output="=1+1\x02")
    ProgressUpdate.objects.filter(task=done).update(note="Báo cáo\x0bsố 2\x1f")
    Agency.objects.filter(pk=agency.pk).update(name="Sở\x01 Tư pháp")
    plan.areas.filter(code="I").update(name="Cải cách\x0c thể chế")
    client.force_login(leader)
    response = client.get(reverse("tasks:plan_export", args=[plan.pk]))
    assert response.status_code == 200
    values = [c for row in load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True) for c in row]
    assert "Rà\n soát văn bản" in values and "Sở Tư pháp" in values and "'=1+1" in values
    assert "Báo cáo\nsố 2" in values


def test_a_versioned_edit_saved_by_update_is_cleaned_too(client, province_admin, plan, task):
    client.force_login(province_admin)
    response = client.post(
        reverse("tasks:task_edit", args=[task.pk]),
        {"version": task.version, "area": task.area_id, "number": task.number, "title": "Rà soát\x01 văn\x0bbản",
         "lead_agency": task.lead_agency_id, "deadline": "31/12/2026", "expected_output": "Báo cáo\x02"},
    )  # fmt: skip
    assert response.status_code == 302, response.content
    task.refresh_from_db()
    assert (task.title, task.expected_output) == ("Rà soát văn\nbản", "Báo cáo")
