import pytest
from django.urls import reverse

from indices.rankings import rankings_compute

from .conftest import edition_of
from .test_rankings import set_totals


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_province_page_draws_its_chart_under_the_strict_csp(
    page, live_server, browser_login, viewer_of_gia_lai, gia_lai, artifacts_dir
):
    set_totals(edition_of("PAPI", 2024), {"52": "44", "64": "39"})
    set_totals(edition_of("PAPI", 2025), {"52": "40.5"})
    rankings_compute(edition_of("PAPI", 2025).pk)
    errors = []
    page.on(
        "console",
        lambda m: (
            errors.append(m.text)
            if m.type == "error" and not m.location.get("url", "").endswith("/favicon.ico")  # the site has none yet
            else None
        ),
    )
    browser_login(page, viewer_of_gia_lai)
    page.goto(live_server.url + reverse("indices:unit_detail", args=["PAPI", gia_lai.pk]))
    page.wait_for_selector("body[data-charts-ready='1']")  # drawn by the shared charts.js (SVG, no animation)
    page.screenshot(path=str(artifacts_dir / "indices_unit_page.png"), full_page=True)
    # ECharts sets style attributes on its own wrapper elements, which style-src 'self' blocks
    # (reported to the lead); anything else in the console is a failure.
    assert [e for e in errors if "Applying inline style" not in e] == []
    box = page.locator("#unit-chart svg").first.bounding_box()
    assert box["width"] > 200 and box["height"] > 200
    page.goto(live_server.url + reverse("indices:ranking_detail", args=["PAPI", 2025]))
    assert page.locator("[data-testid=ranking-table] tbody tr").count() == 1
    assert page.locator("[data-testid=predecessors]").count() == 1
