"""The leader dashboard and the plan page print on at most three A4 pages and fit a 390 px phone."""

import re

import pytest
from django.urls import reverse

MAX_PAGES = 3


def pdf_pages(content: bytes) -> int:
    """Pages of a PDF written by Chromium (page objects are not compressed in its output)."""
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", content))


def _print(page, path):
    # Lay the page out at the width of A4 paper, as the browser's print preview does, then print.
    page.set_viewport_size({"width": 794, "height": 1123})
    page.emulate_media(media="print")
    page.wait_for_timeout(300)  # the charts redraw at their print size on the media change
    content = page.pdf(format="A4", print_background=True)
    path.write_bytes(content)
    page.emulate_media(media="screen")
    page.set_viewport_size({"width": 1366, "height": 900})
    return pdf_pages(content)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_leader_dashboard_and_the_plan_print_on_at_most_three_a4_pages_and_fit_a_phone(
    page, live_server, browser_login, gia_lai_leader, gia_lai_plan, index_results, gia_lai_dossiers, artifacts_dir
):
    page.set_viewport_size({"width": 1366, "height": 900})
    browser_login(page, gia_lai_leader)
    page.goto(f"{live_server.url}{reverse('dashboards:leader')}")
    page.wait_for_selector("body[data-charts-ready='1']")
    dashboard_pages = _print(page, artifacts_dir / "print_dashboard_leader.pdf")
    assert 1 <= dashboard_pages <= MAX_PAGES
    page.goto(f"{live_server.url}{gia_lai_plan.get_absolute_url()}")
    plan_pages = _print(page, artifacts_dir / "print_plan.pdf")
    assert 1 <= plan_pages <= MAX_PAGES
    page.set_viewport_size({"width": 390, "height": 844})
    for url in (reverse("dashboards:leader"), gia_lai_plan.get_absolute_url()):
        page.goto(f"{live_server.url}{url}")
        page.wait_for_load_state("networkidle")
        width = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert width <= 0, url
    page.screenshot(path=str(artifacts_dir / "plan_390.png"), full_page=True)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_chart_tooltips_escape_names_and_numbers_read_the_vietnamese_way(
    page, live_server, browser_login, gia_lai_leader, gia_lai_plan, index_results, gia_lai_dossiers
):
    area = gia_lai_plan.areas.get(code="I")
    area.name = '<img src=x id="injected"><a href="https://example.org">Cải cách thể chế</a>'
    area.save()
    from tasks.figures import plan_figures_compute

    plan_figures_compute(gia_lai_plan.pk)
    browser_login(page, gia_lai_leader)
    page.goto(f"{live_server.url}{reverse('dashboards:leader')}")
    page.wait_for_selector("body[data-charts-ready='1']")
    assert page.evaluate("() => CCHCCharts.number(10000)") == "10.000"
    assert page.evaluate("() => CCHCCharts.percent(76.4705)") == "76,47%"
    assert page.evaluate("() => CCHCCharts.formatter(',', 2)(81.5, 3)") == "81,50"  # ECharts' 2nd arg ignored
    tooltip = page.evaluate(
        """() => {
          const el = document.querySelector('[data-chart=plan-areas]');
          const option = echarts.getInstanceByDom(el).getOption();
          return option.tooltip[0].formatter([{dataIndex: 0, marker: '', seriesName: 'Hoàn thành', value: 2}]);
        }"""
    )
    assert "<img" not in tooltip and "<a " not in tooltip and "&#60;img" in tooltip
    box = page.locator("[data-chart=plan-areas]").bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.15, box["y"] + box["height"] * 0.6)
    page.wait_for_timeout(300)
    assert page.locator("#injected").count() == 0
    labels = page.evaluate(
        "() => Array.from(document.querySelectorAll('[data-chart] svg text')).map(t => t.textContent)"
    )
    assert labels and not [t for t in labels if re.fullmatch(r"\d{1,3}(,\d{3})+", t)]  # no "10,000" axis labels


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_leaders_own_province_stands_out_and_the_island_labels_are_whole(
    page, live_server, browser_login, gia_lai_leader, index_results, artifacts_dir
):
    page.set_viewport_size({"width": 1366, "height": 900})
    browser_login(page, gia_lai_leader)
    page.goto(f"{live_server.url}{reverse('dashboards:national')}")
    page.wait_for_selector("#national-map[data-ready='1']")
    own = page.locator("[data-testid=own-province]")
    assert own.count() == 1 and "Gia Lai" in own.inner_text()
    width = page.evaluate(
        """() => window.__cchcMap.getOption().series[0].data.find(d => d.name === '52').itemStyle.borderWidth"""
    )
    assert width > 1
    boxes = page.evaluate(
        """() => {
          const map = document.getElementById('national-map').getBoundingClientRect();
          return Array.from(document.querySelectorAll('#national-map svg text'))
            .filter(t => /Hoàng Sa|Trường Sa|Đà Nẵng|Khánh Hòa/.test(t.textContent))
            .map(t => { const r = t.getBoundingClientRect();
                        return [t.textContent, r.left >= map.left - 1 && r.right <= map.right + 1
                                && r.top >= map.top - 1 && r.bottom <= map.bottom + 1]; });
        }"""
    )
    assert boxes and all(inside for _text, inside in boxes), boxes
    page.screenshot(path=str(artifacts_dir / "national_own_province.png"), full_page=True)
