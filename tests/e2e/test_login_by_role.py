"""A person logs in through the real form in Chromium and lands on their role's home page."""

import pytest

HOME_TESTID = '[data-testid="home-title"]'


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "role,title",
    [
        ("national_admin", "Tổng quan toàn quốc"),
        ("province_admin", "Không gian làm việc của Sở Nội vụ"),
        ("agency_officer", "Nhiệm vụ của tôi"),
        ("leader", "Bảng điều khiển của lãnh đạo"),  # a leader's home is the province dashboard
        ("viewer", "Tổng quan tỉnh"),
    ],
)
def test_each_role_logs_in_and_sees_its_home_page(page, browser_login, users_by_role, role, title):
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    browser_login(page, users_by_role[role])
    heading = page.locator('[data-testid="home-title"], [data-testid="my-tasks-title"]').first
    assert heading.inner_text().lower().startswith(title.lower())  # the dashboard title is styled in capitals
    assert page.locator("html").get_attribute("lang") == "vi"
    # No CSP violation or script error on the page.
    assert errors == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_user_switches_the_interface_to_english_and_logs_out(page, browser_login, leader, live_server):
    browser_login(page, leader)
    page.click('button[name="language"][value="en"]')
    page.wait_for_load_state("networkidle")
    assert page.locator(HOME_TESTID).inner_text().lower() == "leader's dashboard"
    page.click("text=Log out")
    page.wait_for_load_state("networkidle")
    assert "/accounts/login/" in page.url or page.url.rstrip("/") == live_server.url
