"""A leader's morning: the dashboard with real figures, then the national map and a click on a province."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from cchc_portal.lib.numbers import format_percent
from dashboards.formatting import rate_sentence


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_leader_reads_the_dashboard_then_opens_a_province_from_the_national_map(
    page,
    live_server,
    browser_login,
    gia_lai_leader,
    gia_lai,
    gia_lai_plan,
    index_results,
    gia_lai_dossiers,
    artifacts_dir,
):
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.set_viewport_size({"width": 1366, "height": 900})
    browser_login(page, gia_lai_leader)
    assert page.url.rstrip("/").endswith(reverse("dashboards:leader").rstrip("/"))
    page.wait_for_selector("body[data-charts-ready='1']")
    for block in ("indices", "plan", "criteria", "dossiers"):
        assert page.locator(f"[data-testid=block-{block}]").is_visible()

    # The figures agree with the API.
    year = timezone.localdate().year
    plans = page.request.get(f"{live_server.url}/api/v1/plans/?year={year}").json()
    plans = plans.get("results", plans)
    figures = next(p for p in plans if p["id"] == gia_lai_plan.pk)["figures"]
    assert page.locator("[data-testid=plan-completion]").inner_text() == rate_sentence(
        figures["completed"], figures["total"], figures["completion_rate"], "vi"
    )
    assert page.locator("[data-testid=plan-overdue]").inner_text() == str(figures["overdue"])
    rankings = page.request.get(f"{live_server.url}/api/v1/rankings/?index=PAPI&year=2025").json()
    mine = next(r for r in rankings["results"] if r["unit_code"] == "52")
    card = page.locator("[data-testid=index-card][data-index=PAPI]")
    assert card.locator("[data-testid=rank]").inner_text() == f"{mine['rank']}/{rankings['ranked']}"
    assert len(mine["predecessors"]) == 2
    assert "Bình Định" in card.locator("[data-testid=predecessors] + ul").inner_text()
    assert card.locator(".trend-chart svg").count() == 1  # drawn with the SVG renderer
    month = timezone.localdate().replace(day=1).isoformat()
    stats = page.request.get(f"{live_server.url}/api/v1/dossier-stats/?unit=52&from={month}&to={month}").json()
    assert page.locator("[data-testid=dossiers-month-rate]").inner_text() == format_percent(stats["on_time_rate"])
    page.screenshot(path=str(artifacts_dir / "dashboard_leader.png"), full_page=True)

    # The national map: choropleth, then a real click on Gia Lai (52) in the 34-province map.
    page.click("text=Bản đồ chỉ số toàn quốc")
    page.wait_for_selector("#national-map[data-ready='1']")
    page.wait_for_selector("body[data-charts-ready='1']")
    assert page.locator("#national-map svg path").count() > 34
    rows = page.locator("[data-testid=ranking-table] tbody tr")
    assert rows.count() == 34
    page.screenshot(path=str(artifacts_dir / "dashboard_national_map.png"), full_page=True)
    box = page.locator("#national-map").bounding_box()
    x, y = page.evaluate("() => window.__cchcMap.convertToPixel({seriesIndex: 0}, [108.2, 13.9])")
    page.mouse.click(box["x"] + x, box["y"] + y)
    page.wait_for_url(re.compile(r"/indices/PAR_INDEX/unit/\d+/$"))
    assert page.url.endswith(reverse("indices:unit_detail", args=["PAR_INDEX", gia_lai.pk]))
    assert "Gia Lai" in page.locator("h1").inner_text()
    assert [e for e in errors if "favicon" not in e] == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_2024_map_has_the_63_old_provinces_and_prints_on_a4(
    page, live_server, browser_login, viewer, index_results, artifacts_dir
):
    browser_login(page, viewer)
    page.set_viewport_size({"width": 1024, "height": 1366})  # a tablet in portrait
    page.goto(f"{live_server.url}{reverse('dashboards:national')}?index=PAPI&year=2024")
    page.wait_for_selector("body[data-charts-ready='1']")
    assert page.locator("[data-testid=ranking-table] tbody tr").count() == 63
    page.screenshot(path=str(artifacts_dir / "dashboard_national_2024_tablet.png"), full_page=True)
    page.emulate_media(media="print")
    page.wait_for_timeout(300)  # the charts redraw at their print size on the media change
    page.pdf(path=str(artifacts_dir / "dashboard_national_2024.pdf"), format="A4")
