"""The dossier import page's recent imports at phone width: headers, dates and counts stay whole.

The portal lets a phone's table cells break anywhere so a table fits; on this page that broke the
headers letter by letter ("Tệ p", "L ỗi"). The table now scrolls sideways in its own box instead."""

import pytest

from dossiers.models import ImportJob, JobStatus

# The headers, and each row's date, status and counts (names may wrap between words).
CELLS_ON_ONE_LINE = """() => [...document.querySelectorAll('[data-testid=recent-imports] tr')].map(tr =>
  [...tr.querySelectorAll('th, td.when, td.num, td.nowrap')].map(cell => {
    const range = document.createRange(); range.selectNodeContents(cell);
    return new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top))).size <= 1; }))"""


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [1366, 390])
def test_the_recent_imports_keep_their_cells_whole_on_a_phone(
    page, live_server, browser_login, province, province_admin, artifacts_dir, width
):
    for name, status in (
        ("ho-so-mot-cua-thang-11-2026-so-tu-phap.csv", JobStatus.SUCCEEDED),
        ("ho-so.xlsx", JobStatus.FAILED),
    ):
        ImportJob.objects.create(province=province, original_name=name, status=status, processed_rows=1234567,
                                 error_rows=12, created_by=province_admin)  # fmt: skip
    page.set_viewport_size({"width": width, "height": 900})
    browser_login(page, province_admin)
    page.goto(f"{live_server.url}/dossiers/imports/")
    assert page.locator("html").get_attribute("lang") == "vi"
    page.screenshot(path=str(artifacts_dir / f"dossier-imports-{width}.png"), full_page=True)
    rows = page.evaluate(CELLS_ON_ONE_LINE)
    assert [len(row) for row in rows] == [7, 4, 4] and all(all(row) for row in rows), rows
    assert "1.234.567" in page.inner_text("[data-testid=recent-imports]")
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
