"""The board and a unit's form at desktop and phone width: nothing spills sideways; screenshots for review."""

import datetime as dt

import pytest

from cchc_portal.lib.periods import ReportingPeriod
from reports.models import round_open


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "vi-VN"}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [1366, 390])
def test_board_and_form_fit_the_screen(page, live_server, browser_login, province, agency, commune_committee,
                                       agency_officer, province_admin, artifacts_dir, width):  # fmt: skip
    from reports.models import ReportFigure, ReportSection, ReportTemplate
    from reports.template_data import load_first_template

    load_first_template(ReportTemplate, ReportSection, ReportFigure)
    rnd = round_open(province=province, period=ReportingPeriod(2026, "year"), internal_deadline=dt.date(2026, 12, 10))
    report = rnd.reports.get(agency=agency)
    page.set_viewport_size({"width": width, "height": 900})
    browser_login(page, agency_officer)
    page.goto(f"{live_server.url}/reports/unit/{report.pk}/")
    page.screenshot(path=str(artifacts_dir / f"reports-form-{width}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
    page.click("form[action='/accounts/logout/'] button")
    from provinces.models import Agency
    from reports.models import UnitReport
    from reports.views import BOARD_PAGE_SIZE

    for n in range(BOARD_PAGE_SIZE):  # more units than a page: the pager shows
        unit = Agency.objects.create(province=province, name=f"Ủy ban nhân dân xã Số {n:02d}", kind="commune_committee")
        UnitReport.objects.create(round=rnd, agency=unit, province=province)
    browser_login(page, province_admin)
    page.goto(f"{live_server.url}/reports/rounds/{rnd.pk}/?kind=commune_committee")
    page.screenshot(path=str(artifacts_dir / f"reports-board-{width}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
    pager = page.locator("nav.pagination")
    assert pager.inner_text().split() == ["Trang", "1/2", "Trang", "sau", "›"]
    pager.get_by_text("Trang sau").click()
    assert "kind=commune_committee" in page.url and "page=2" in page.url
    assert page.locator("table.board-table tbody tr").count() == 1  # 51 commune committees: 50 on page 1


# Each field of the province report's form: its label's box, its control's box (input or textarea).
FIELD_BOXES = """() => [...document.querySelectorAll('[data-testid=document-fields] .field, [data-testid=section-fields] .field')]
  .map(field => {
    const box = el => { const r = el.getBoundingClientRect(); return {left: r.left, right: r.right, top: r.top, bottom: r.bottom}; };
    return {label: field.querySelector('label').textContent.trim(), labelBox: box(field.querySelector('label')),
            control: box(field.querySelector('input, textarea'))};
  })"""

ANNEX_LINES = """() => [...document.querySelectorAll('table.annex-table tbody tr[data-figure]')].map(tr =>
  [tr.children[0], tr.children[3]].map(td => {
    const range = document.createRange(); range.selectNodeContents(td);
    return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size; }))"""


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [1366, 390])
def test_the_province_reports_labels_sit_above_their_own_inputs(page, live_server, browser_login, province, agency,
                                                                province_admin, artifacts_dir, width):  # fmt: skip
    """At 390 px the document fields' labels ran on after the inputs ("/BC-UBND Ngày" then the date input on
    the next line), so a label looked attached to the field after it; a bad date shows the form again."""
    from reports.models import ReportFigure, ReportSection, ReportTemplate
    from reports.template_data import load_first_template

    load_first_template(ReportTemplate, ReportSection, ReportFigure)
    rnd = round_open(province=province, period=ReportingPeriod(2026, "year"), internal_deadline=dt.date(2026, 12, 10))
    page.set_viewport_size({"width": width, "height": 900})
    browser_login(page, province_admin)
    page.goto(f"{live_server.url}/reports/rounds/{rnd.pk}/province")
    page.fill("#id_document_number", "215")
    page.fill("#id_document_date", "20/09/0026")
    page.fill("#id_signer_name", "Nguyễn Văn Bình")
    page.locator("[data-testid=document-fields] ~ p.actions button[type=submit]").click()
    page.wait_for_load_state()
    assert page.input_value("#id_document_date") == "20/09/0026"  # kept, with the reason beside it
    assert page.input_value("#id_signer_name") == "Nguyễn Văn Bình"
    assert "Năm phải từ 1900 đến 2100" in page.inner_text("#error_document_date")
    fields = page.evaluate(FIELD_BOXES)
    assert len(fields) >= 7, fields
    for field in fields:
        label, control = field["labelBox"], field["control"]
        assert label["bottom"] <= control["top"] + 1, field  # the label above its own control
        assert label["left"] < control["right"] and control["left"] < label["right"], field  # and over it
        assert control["right"] <= width, field
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
    assert all(lines == [1, 1] for lines in page.evaluate(ANNEX_LINES))  # codes and figures whole
    page.locator("[data-testid=document-fields]").screenshot(path=str(artifacts_dir / f"reports-document-{width}.png"))


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
# submitted: "Trả lại" and "Tiếp nhận"; accepted: "Mở lại"; each with the reason field
@pytest.mark.parametrize("status", ["submitted", "accepted"])
@pytest.mark.parametrize("width", [1366, 390])
def test_a_units_report_seen_by_the_province_fits_the_screen(page, live_server, browser_login, province, agency,
                                                            province_admin, artifacts_dir, width, status):  # fmt: skip
    """The reviewer's reason field (an input of size 40 in an inline label) made the page ~10 px wider than a
    390 px phone; its label is now above it and the field shrinks to the bar."""
    from django.utils import timezone

    from reports.models import ReportFigure, ReportSection, ReportTemplate, UnitReport
    from reports.template_data import load_first_template

    load_first_template(ReportTemplate, ReportSection, ReportFigure)
    rnd = round_open(province=province, period=ReportingPeriod(2026, "year"), internal_deadline=dt.date(2026, 12, 10))
    report = rnd.reports.get(agency=agency)
    UnitReport.objects.filter(pk=report.pk).update(status=status, first_submitted_at=timezone.now())
    page.set_viewport_size({"width": width, "height": 900})
    browser_login(page, province_admin)
    page.goto(f"{live_server.url}/reports/unit/{report.pk}/")
    page.screenshot(path=str(artifacts_dir / f"reports-unit-as-province-{status}-{width}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # was 400 at 390
    reason = page.locator("#id_reason").bounding_box()
    label = page.locator("label[for=id_reason]").bounding_box(timeout=5000)
    assert reason["x"] + reason["width"] <= width
    assert label["y"] + label["height"] <= reason["y"] + 1  # the label above its own input
