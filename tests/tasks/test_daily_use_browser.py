"""An agency officer's day in Chromium: a progress save refreshes a readable history; a conflict keeps the text."""

import pytest
from django.urls import reverse

from tasks.models import ProgressUpdate, TaskStatus
from tasks.progress import progress_record


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_progress_save_through_htmx_refreshes_a_readable_history(
    page, live_server, browser_login, agency_officer, agency, task, artifacts_dir
):
    browser_login(page, agency_officer)
    page.goto(f"{live_server.url}{task.get_absolute_url()}")
    page.select_option("#id_status", TaskStatus.IN_PROGRESS)
    page.fill("#id_percent", "40")
    page.fill("#id_note", "Đã rà soát 120 văn bản")
    page.click("text=Lưu tiến độ")
    history = page.locator("#task-history")
    history.locator("text=Tình trạng").first.wait_for()
    text = history.inner_text()
    assert "Tình trạng: Chưa thực hiện → Đang thực hiện" in " ".join(text.split())
    assert agency.name in text and "in_progress" not in text
    page.screenshot(path=str(artifacts_dir / "task_history_after_save.png"), full_page=True)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_refused_conflicting_save_keeps_the_typed_note_and_applies_it_in_one_click(
    page, live_server, browser_login, agency_officer, province_admin, task, artifacts_dir
):
    browser_login(page, agency_officer)
    page.goto(f"{live_server.url}{task.get_absolute_url()}")
    # Meanwhile Home Affairs records progress on the same task.
    progress_record(task=task, user=province_admin, expected_version=task.version, status=TaskStatus.IN_PROGRESS,
                    percent=30, note="Sở Nội vụ cập nhật")  # fmt: skip
    page.fill("#id_percent", "60")
    page.fill("#id_note", "Ghi chú dài mà tôi không muốn gõ lại")
    page.click("text=Lưu tiến độ")
    conflict = page.locator("[data-testid=conflict]")
    conflict.wait_for()
    assert page.input_value("#id_note") == "Ghi chú dài mà tôi không muốn gõ lại"
    assert "30" in conflict.inner_text() and "60" in conflict.inner_text()
    page.screenshot(path=str(artifacts_dir / "task_conflict.png"), full_page=True)
    page.click("text=Lưu tiến độ")  # re-apply
    page.locator("[data-testid=conflict]").wait_for(state="detached")
    notes = list(ProgressUpdate.objects.filter(task=task).values_list("note", flat=True))
    assert "Ghi chú dài mà tôi không muốn gõ lại" in notes
    task.refresh_from_db()
    assert task.percent == 60


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_header_search_finds_a_task_typed_without_diacritics(
    page, live_server, browser_login, province_admin, task
):
    browser_login(page, province_admin)
    page.fill("#head-q", "PHAP LUAT")
    page.press("#head-q", "Enter")
    page.wait_for_url("**/search/?q=*")
    page.click(f"text={task.title[:30]}")
    assert page.url.endswith(reverse("tasks:task_detail", args=[task.pk]))


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_my_tasks_are_cards_on_a_390_px_phone(page, live_server, browser_login, agency_officer, agency, make_task,
                                              artifacts_dir):  # fmt: skip
    for n in range(3):
        make_task(agency, title=f"Nhiệm vụ rất dài số {n} về rà soát, đơn giản hoá thủ tục hành chính nội bộ")
    page.set_viewport_size({"width": 390, "height": 844})
    browser_login(page, agency_officer)
    page.goto(f"{live_server.url}{reverse('tasks:my_tasks')}")
    table = page.locator("[data-testid=task-rows]").first
    assert table.locator("thead").is_hidden()
    first = table.locator("tbody tr").first
    assert first.locator(".card-title a").is_visible() and first.locator(".row-actions .button").is_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth") <= 0
    page.screenshot(path=str(artifacts_dir / "my_tasks_390.png"), full_page=True)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_upload_shows_that_it_is_under_way_and_cannot_be_sent_twice(
    page, live_server, browser_login, province_admin, plan, tmp_path
):
    from .conftest import xlsx_bytes

    annex = tmp_path / "phu-luc.xlsx"
    annex.write_bytes(xlsx_bytes([["STT", "Nhiệm vụ", "Cơ quan chủ trì", "Thời gian hoàn thành"]]))
    browser_login(page, province_admin)
    page.goto(f"{live_server.url}{reverse('tasks:plan_import', args=[plan.pk])}")
    # Keep the page here (the listener runs after the portal's own) to look at the button mid-upload.
    page.evaluate("() => window.addEventListener('submit', (e) => e.preventDefault())")
    page.set_input_files("input[type=file]", str(annex))
    page.click("form[enctype] button[type=submit]")
    page.wait_for_selector("form[enctype] button[aria-busy=true]")
    button = page.locator("form[enctype] button[type=submit]")
    assert button.is_disabled() and button.inner_text() == "Đang tải lên…"
