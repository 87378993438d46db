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
    browser_login(page, province_admin)
    page.goto(f"{live_server.url}/reports/rounds/{rnd.pk}/")
    page.screenshot(path=str(artifacts_dir / f"reports-board-{width}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
