"""Every role's home reads in Vietnamese only, fits a 390 px phone, and the error pages are the portal's own."""

import re

import pytest

ENGLISH = ["Submit", "Created", "Constraint", "is not", "Did you mean", "ERROR"]
ROLES = ["national_admin", "province_admin", "agency_officer", "leader", "viewer"]
MAIN_PAGES = ["/", "/plans/", "/units/", "/units/agencies/", "/indices/", "/dossiers/", "/help/", "/search/?q=phap"]


def _english_words(text: str) -> list[str]:
    return [w for w in ENGLISH if re.search(rf"(?<![\w]){re.escape(w)}(?![\w])", text)]


def _overflow(page) -> int:
    return page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("role", ROLES)
def test_each_roles_home_is_vietnamese_only_and_fits_a_phone(page, browser_login, users_by_role, role, artifacts_dir):
    browser_login(page, users_by_role[role])
    assert _english_words(page.locator("body").inner_text()) == []
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert _overflow(page) <= 0
    assert page.locator("#mainnav").is_hidden()  # collapsed behind the menu button
    page.click(".navtoggle")
    assert page.locator("#mainnav").is_visible()
    page.screenshot(path=str(artifacts_dir / f"home_{role}_390.png"), full_page=True)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_main_pages_are_never_wider_than_a_phone(page, live_server, browser_login, province_admin, artifacts_dir):
    browser_login(page, province_admin)
    page.set_viewport_size({"width": 390, "height": 844})
    wide = {}
    for path in MAIN_PAGES:
        page.goto(f"{live_server.url}{path}")
        if _overflow(page) > 0:
            wide[path] = _overflow(page)
        name = path.strip("/").split("?")[0].replace("/", "_") or "home"
        page.screenshot(path=str(artifacts_dir / f"phone_{name}.png"), full_page=True)
    assert wide == {}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_403_and_404_pages_are_vietnamese_in_the_portal_layout(
    page, live_server, browser_login, agency_officer, province, artifacts_dir
):
    browser_login(page, agency_officer)
    missing = page.goto(f"{live_server.url}/khong-co-trang-nay/")
    assert missing.status == 404
    assert page.locator("[data-testid=error-page] h1").inner_text() == "Không tìm thấy trang"
    assert page.locator(".topbar").is_visible()
    page.screenshot(path=str(artifacts_dir / "error_404.png"), full_page=True)
    forbidden = page.goto(f"{live_server.url}/units/{province.pk}/agencies/new/")
    assert forbidden.status == 403
    assert page.locator("[data-testid=error-page] h1").inner_text() == "Bạn không có quyền xem trang này"
    assert _english_words(page.locator("body").inner_text()) == []
    page.screenshot(path=str(artifacts_dir / "error_403.png"), full_page=True)
    favicon = page.request.get(f"{live_server.url}/favicon.ico")
    assert favicon.ok


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_500_page_is_vietnamese(page, live_server, settings, artifacts_dir):
    from django.template import loader
    from django.utils import translation

    with translation.override("vi"):
        html = loader.get_template("500.html").render()
    page.set_content(html)
    assert page.locator("[data-testid=error-page] h1").inner_text() == "Hệ thống gặp sự cố"
    assert _english_words(page.locator("body").inner_text()) == []
