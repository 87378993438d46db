"""Done when: the whole cycle in a browser, with the reminder going through the real worker."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from docx import Document
from openpyxl import load_workbook

from conftest import wait_for
from notifications.models import Notification
from reports.models import ReportRound, ReportStatus, UnitReport

TYPED = {"TC1": "3", "TT1": "12", "TT2": "4", "TT3": "1", "KT1": "2", "KT2": "5", "VB1": "1.234", "VB2": "980",
         "MT1": "95,5"}  # fmt: skip


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "vi-VN"}


@pytest.fixture
def cycle_setup(province, agency, commune_committee, agency_officer, commune_officer, province_admin):
    """The first template (a transactional test flushes migration data) and the department's plan tasks."""
    from reports.models import ReportFigure, ReportSection, ReportTemplate
    from reports.template_data import load_first_template
    from tasks.models import Plan, Task

    load_first_template(ReportTemplate, ReportSection, ReportFigure)
    plan = Plan.objects.create(unit=province, year=2026, title="Kế hoạch CCHC năm 2026")
    plan.ensure_default_areas()
    area = plan.areas.first()
    for n, status in enumerate(["completed", "completed", "in_progress"], start=1):
        Task.objects.create(plan=plan, area=area, number=str(n), title=f"Nhiệm vụ {n}", lead_agency=agency,
                            status=status, deadline=dt.date(2026, 12, 31),
                            completion_date=dt.date(2026, 5, 1) if status == "completed" else None)  # fmt: skip


def _logout(page):
    page.click("form[action='/accounts/logout/'] button")
    page.wait_for_load_state("networkidle")


def _fill_and_submit(page, live_server, browser_login, user, *, typed=TYPED):
    browser_login(page, user)
    page.goto(f"{live_server.url}/reports/")
    page.click("table a.button")
    for code, value in typed.items():
        page.fill(f"#fig-{code}", value)
    page.fill("#text-I", "Ban hành kế hoạch CCHC năm, kiểm tra 2 đơn vị.")
    page.fill("#text-II", "Rà soát 12 TTHC, đơn giản hóa 4 TTHC.")
    page.click("button[value=submit]")
    page.locator(".msg-success").wait_for()
    _logout(page)


def _review(page, live_server, report, action, reason=""):
    page.goto(f"{live_server.url}/reports/unit/{report.pk}/")
    if reason:
        page.fill("#id_reason", reason)
    page.click(f"button[value={action}]")
    page.locator(".msg-success").wait_for()


@pytest.mark.browser
@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_the_reporting_cycle_from_opening_to_the_provinces_docx(  # noqa: PLR0915
    page, live_server, browser_login, cycle_setup, agency, commune_committee, agency_officer, commune_officer,
    province_admin, celery_worker_process, artifacts_dir,
):  # fmt: skip
    yesterday = dt.date.today() - dt.timedelta(days=1)
    # 1. The province administrator opens the round.
    browser_login(page, province_admin)
    page.goto(f"{live_server.url}/reports/")
    page.select_option("#id_period", "2026-year")
    page.fill("#id_internal_deadline", yesterday.isoformat())
    page.click("form[action='/reports/open'] button")
    page.locator("[data-testid=board-counts]").wait_for()
    rnd = ReportRound.objects.get()
    assert rnd.reports.count() == 2
    _logout(page)

    # 2. The department officer fills the typed figures (automatic ones come pre-filled) and submits.
    _fill_and_submit(page, live_server, browser_login, agency_officer)
    dept = UnitReport.objects.get(round=rnd, agency=agency)
    assert dept.status == ReportStatus.SUBMITTED
    assert dept.values["NV1"] == "3" and dept.values["NV2"] == "2" and dept.values["VB1"] == "1234"

    # 3. The commune is late: the board says so and one click reminds it, through the worker.
    browser_login(page, province_admin)
    page.goto(f"{live_server.url}/reports/rounds/{rnd.pk}/")
    assert "1/2 đã nộp" in page.inner_text("[data-testid=board-counts]")
    assert "Trễ hạn" in page.inner_text(f"tr[data-unit='{commune_committee.name}']")
    page.click("[data-testid=remind]")
    note = wait_for(lambda: Notification.objects.filter(user=commune_officer, kind="report_reminder").first())
    assert "Quá hạn" in note.title
    _logout(page)
    browser_login(page, commune_officer)
    page.goto(f"{live_server.url}/notifications/")
    assert note.title in page.inner_text("main")
    _logout(page)
    _fill_and_submit(page, live_server, browser_login, commune_officer, typed={**TYPED, "TC1": "2", "MT1": "100"})

    # 4. Review: return one with a reason, accept after resubmission, accept the other.
    browser_login(page, province_admin)
    _review(page, live_server, dept, "return", reason="Bổ sung số liệu kiểm tra CCHC")
    _logout(page)
    browser_login(page, agency_officer)
    page.goto(f"{live_server.url}/reports/unit/{dept.pk}/")
    assert "Bổ sung số liệu kiểm tra CCHC" in page.inner_text("[data-testid=return-reason]")
    page.fill("#fig-KT1", "3")
    page.click("button[value=submit]")
    page.locator(".msg-success").wait_for()
    _logout(page)
    dept.refresh_from_db()
    assert dept.status == ReportStatus.RESUBMITTED
    commune = UnitReport.objects.get(round=rnd, agency=commune_committee)
    browser_login(page, province_admin)
    _review(page, live_server, dept, "accept")
    _review(page, live_server, commune, "accept")
    page.goto(f"{live_server.url}/reports/rounds/{rnd.pk}/")
    page.locator("[data-testid=all-accepted]").wait_for()
    page.screenshot(path=str(artifacts_dir / "reports-board-all-accepted.png"), full_page=True)

    # 5. The province's report: number and signer, then both downloads.
    page.goto(f"{live_server.url}/reports/rounds/{rnd.pk}/province")
    page.fill("input[name=document_number]", "215")
    page.fill("input[name=signer_name]", "Nguyễn Văn An")
    page.click("form button.primary")
    page.locator(".msg-success").wait_for()
    with page.expect_download() as docx_info:
        page.click("[data-testid=download-docx]")
    with page.expect_download() as xlsx_info:
        page.click("[data-testid=download-xlsx]")
    doc = Document(io.BytesIO(open(docx_info.value.path(), "rb").read()))  # noqa: SIM115
    header = doc.tables[0].rows[0].cells
    assert "ỦY BAN NHÂN DÂN" in header[0].text and "TỈNH GIA LAI" in header[0].text
    assert "Số: 215/BC-UBND" in header[0].text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in header[1].text
    signature = doc.tables[1].rows[0].cells
    assert "Nơi nhận:" in signature[0].text and "Nguyễn Văn An" in signature[1].text
    annex = {row.cells[0].text: row.cells[3].text for row in doc.tables[2].rows}
    assert annex["TC1"] == "5" and annex["KT1"] == "5" and annex["VB1"] == "2.468"
    sheet = load_workbook(io.BytesIO(open(xlsx_info.value.path(), "rb").read())).active  # noqa: SIM115
    totals = {row[0]: row[3] for row in sheet.iter_rows(min_row=2, values_only=True)}
    accepted = list(UnitReport.objects.filter(round=rnd, status=ReportStatus.ACCEPTED))
    for code in ("NV1", "NV2", "TC1", "TT1", "KT1", "KT2", "VB1", "VB2"):
        assert Decimal(str(totals[code])) == sum(Decimal(r.values[code]) for r in accepted), code
