"""Done when: an officer updates a task in the browser; the province administrator sees it."""

import datetime as dt

import pytest

from conftest import wait_for
from tasks.figures import plan_figures_compute
from tasks.models import Evidence, PlanFigures, TaskStatus

from .conftest import pdf_bytes


@pytest.fixture
def browser_context_args(browser_context_args):
    # Chromium asks for English by default; staff browsers ask for Vietnamese.
    return {**browser_context_args, "locale": "vi-VN"}


@pytest.fixture
def browser_plan(plan, make_task, agency, home_affairs):
    make_task(home_affairs, status=TaskStatus.COMPLETED, deadline=dt.date(2026, 3, 31), title="Ban hành kế hoạch")
    target = make_task(agency, title="Rà soát văn bản quy phạm pháp luật", deadline=dt.date(2026, 12, 31))
    make_task(agency, title="Kiểm tra văn bản", deadline=dt.date(2026, 12, 31))
    make_task(home_affairs, title="Tuyên truyền", deadline=None, status=TaskStatus.ONGOING)
    plan_figures_compute(plan.pk)
    return plan, target


def _officer_completes_task(page, live_server, browser_login, officer, task):
    browser_login(page, officer)
    page.goto(f"{live_server.url}/plans/my-tasks/?year=2026")
    page.click(f"tr[data-task='{task.pk}'] a.button")
    page.select_option("select[name=status]", "completed")
    page.fill("textarea[name=note]", "Đã rà soát 120 văn bản, ban hành báo cáo")
    page.fill("input[name=document_number]", "15/BC-STP")
    page.fill("input[name=document_date]", "05/06/2026")
    page.set_input_files(
        "input[name=files]", files=[{"name": "bao-cao.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}]
    )
    page.click("form.progress-form button[type=submit]")
    page.locator("#progress-panel .msg-success").wait_for()
    assert "bao-cao.pdf" in page.inner_text("#progress-panel")
    page.click("form[action='/accounts/logout/'] button")


def _admin_sees_update(page, live_server, browser_login, admin, plan, task, artifacts_dir):
    browser_login(page, admin)
    page.goto(f"{live_server.url}/plans/{plan.pk}/")
    row = page.locator(f"tr[data-task='{task.pk}']")
    assert "Hoàn thành" in row.inner_text()
    page.goto(f"{live_server.url}/plans/tasks/{task.pk}/")
    body = page.inner_text("main")
    assert "Đã rà soát 120 văn bản" in body
    assert "15/BC-STP" in body
    assert "officer" in page.inner_text("table.history")
    page.screenshot(path=str(artifacts_dir / "tasks-progress-history.png"), full_page=True)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_officer_update_reaches_the_province_admin(page, live_server, browser_login, agency_officer, province_admin,
                                                   browser_plan, artifacts_dir):  # fmt: skip
    plan, task = browser_plan
    _officer_completes_task(page, live_server, browser_login, agency_officer, task)
    assert Evidence.objects.filter(task=task).count() == 1
    _admin_sees_update(page, live_server, browser_login, province_admin, plan, task, artifacts_dir)
    page.goto(f"{live_server.url}/plans/{plan.pk}/")
    assert page.inner_text("[data-testid=completion-rate]") == "50,00%"  # jobs run in-process here


@pytest.mark.browser
@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_completion_rate_changes_after_the_real_worker_runs(page, live_server, browser_login, agency_officer,
                                                           province_admin, browser_plan, artifacts_dir,
                                                           celery_worker_process):  # fmt: skip
    plan, task = browser_plan
    assert PlanFigures.objects.get(plan=plan).rate_display == "25,00%"
    _officer_completes_task(page, live_server, browser_login, agency_officer, task)
    wait_for(lambda: PlanFigures.objects.get(plan=plan).completed == 2)
    _admin_sees_update(page, live_server, browser_login, province_admin, plan, task, artifacts_dir)
    page.goto(f"{live_server.url}/plans/{plan.pk}/")
    assert page.inner_text("[data-testid=completion-rate]") == "50,00%"
    assert "2 hoàn thành" in page.inner_text("[data-testid=status-summary]")
