"""A leader opens the demo province's 766 page, drills down to a commune's late dossiers; figures match the API."""

import datetime as dt

import pytest

from cchc_portal.lib.numbers import format_decimal
from dossiers.models import local_today
from service_index.figures import Period


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_leader_drills_down_from_the_province_to_a_communes_late_dossiers(
    page, browser_login, live_server, reference_units, make_user, artifacts_dir
):
    from dossiers.demo import load_demo
    from provinces.demo import load_demo_province

    province = load_demo_province()
    load_demo(province=province, rows=4000)
    leader = make_user("lanhdao766", "leader", units=[province])
    period = Period.containing("month", local_today() - dt.timedelta(days=1))
    browser_login(page, leader)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{live_server.url}/service-index/?period={period.code}")
    page.screenshot(path=str(artifacts_dir / "service_index_1366.png"), full_page=True)
    page.screenshot(path=str(artifacts_dir / "service_index_1366_top.png"))

    api = page.request.get(
        f"{live_server.url}/api/v1/service-index/?unit={province.code}&period={period.code}&group_by=commune"
    ).json()
    assert page.locator('[data-testid="total"]').inner_text() == format_decimal(api["total"])
    commune = next(row for row in api["rows"] if row["has_dossiers"])
    on_time = commune["groups"][1]["indicators"][0]
    late = on_time["denominator"] - on_time["numerator"]

    row = page.locator(f'[data-testid="communes"] tr[data-id="{commune["id"]}"]')
    assert row.locator('[data-testid="on-time"]').inner_text() == f"{format_decimal(on_time['rate'])}%"
    row.locator('[data-testid="drill"]').click()
    page.wait_for_load_state("networkidle")
    assert commune["name"] in page.locator(".lead").inner_text()
    assert page.locator('[data-testid="count"]').inner_text().replace(".", "") == str(late)

    page.goto(f"{live_server.url}/service-index/?period={period.code}")
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(artifacts_dir / "service_index_390.png"), full_page=True)
    page.screenshot(path=str(artifacts_dir / "service_index_390_top.png"))
    page.locator('[data-testid="communes"]').scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts_dir / "service_index_390_communes.png"))
    page.emulate_media(media="print")
    page.pdf(path=str(artifacts_dir / "service_index_print.pdf"), format="A4")
