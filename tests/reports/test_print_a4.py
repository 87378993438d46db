"""The reporting pages print on A4 without anything cut off at the right edge.

The printable width of A4 with print.css's 10 mm margins is 190 mm = 718 CSS px, under portal.css's 720 px phone
breakpoint, so the phone rules reach paper too: there a table was a scrolling block (display: block;
overflow-x: auto), and on paper, where nothing scrolls, the round list came out with its right edge cut off.
Each page is laid out as the browser prints it (print media at the printable width) and checked: nothing is wider
than the paper, nothing clips its content sideways, every table is laid out as a table whose rows span it."""

import datetime as dt
import re

import pytest

from cchc_portal.lib.periods import ReportingPeriod
from reports.models import round_open

A4_PRINTABLE_WIDTH = 718  # (210 - 2 × 10) mm at 96 px per inch

PRINT_PROBLEMS = """() => {
  const width = document.documentElement.clientWidth, problems = [];
  const name = e => e.tagName.toLowerCase() + (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\\s+/).join('.') : '');
  for (const e of document.querySelectorAll('body *')) {
    const box = e.getBoundingClientRect(), style = getComputedStyle(e);
    if (!box.width || style.display === 'none') continue;
    if (box.right > width + 0.5) problems.push(`${name(e)} ends at ${Math.round(box.right)} px, the paper at ${width}`);
    if (style.overflowX !== 'visible' && e.scrollWidth > e.clientWidth + 1)
      problems.push(`${name(e)} clips ${e.scrollWidth - e.clientWidth} px of its content`);
  }
  for (const table of document.querySelectorAll('table')) {
    if (getComputedStyle(table).display !== 'table') { problems.push(`${name(table)} is printed as ${getComputedStyle(table).display}`); continue; }
    const right = table.getBoundingClientRect().right;
    for (const row of table.rows) {
      const box = row.getBoundingClientRect();
      if (box.width && box.right < right - 3) { problems.push(`${name(table)}: a row ends at ${Math.round(box.right)} px, the table at ${Math.round(right)}`); break; }
    }
  }
  return problems;
}"""


def pdf_pages(content: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", content))


def print_problems(page, path) -> tuple[list[str], int]:
    """Lay the page out as it prints, list what does not fit the paper, and print it to `path`."""
    page.set_viewport_size({"width": A4_PRINTABLE_WIDTH, "height": 1000})
    page.emulate_media(media="print")
    problems = page.evaluate(PRINT_PROBLEMS)
    page.set_viewport_size({"width": 1366, "height": 900})  # a desktop user printing
    content = page.pdf(format="A4")
    path.write_bytes(content)
    page.emulate_media(media="screen")
    return problems, pdf_pages(content)


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "vi-VN"}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_round_list_and_the_reports_pages_fit_the_width_of_an_a4_page(page, live_server, browser_login, province,
        agency, commune_committee, province_admin, agency_officer, artifacts_dir):  # fmt: skip
    from reports.models import ReportFigure, ReportSection, ReportTemplate
    from reports.template_data import load_first_template

    load_first_template(ReportTemplate, ReportSection, ReportFigure)
    rnd = round_open(province=province, period=ReportingPeriod(2026, "year"), internal_deadline=dt.date(2026, 12, 10))
    report = rnd.reports.get(agency=agency)
    browser_login(page, province_admin)
    for name, url in [
        ("round-list", "/reports/"),
        ("board", f"/reports/rounds/{rnd.pk}/"),
        ("unit-report", f"/reports/unit/{report.pk}/"),
        ("consolidated", f"/reports/rounds/{rnd.pk}/province"),
    ]:
        page.goto(f"{live_server.url}{url}")
        page.wait_for_load_state("networkidle")
        problems, pages = print_problems(page, artifacts_dir / f"reports-print-{name}.pdf")
        assert problems == [], name
        assert pages >= 1, name
        if name == "round-list":
            assert pages == 1
    page.click("form[action='/accounts/logout/'] button")
    browser_login(page, agency_officer)  # the round list with "My unit's reports"
    page.goto(f"{live_server.url}/reports/")
    problems, pages = print_problems(page, artifacts_dir / "reports-print-round-list-officer.pdf")
    assert problems == [] and pages == 1
