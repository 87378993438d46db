import pytest
from django.urls import reverse

from conftest import PASSWORD

HOME_TITLES = {
    "national_admin": "Tổng quan toàn quốc",
    "province_admin": "Không gian làm việc của Sở Nội vụ",
    "leader": "Bảng điều khiển của lãnh đạo",  # redirected to their province's dashboard
    "viewer": "Tổng quan tỉnh",
}


@pytest.mark.parametrize("role", list(HOME_TITLES))
def test_each_role_lands_on_its_own_home_page_in_vietnamese(client, users_by_role, role):
    client.force_login(users_by_role[role])
    response = client.get(reverse("home"), follow=True)
    assert response.status_code == 200
    assert HOME_TITLES[role] in response.content.decode()


def test_an_agency_officers_home_is_my_tasks(client, agency_officer):
    client.force_login(agency_officer)
    response = client.get(reverse("home"))
    assert response["Location"] == reverse("tasks:my_tasks")


def test_the_home_page_can_be_read_in_english(client, leader):
    client.force_login(leader)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get(reverse("home"), follow=True).content.decode()
    assert '<html lang="en">' in body
    assert "Leader's dashboard" in body


def test_login_page_is_vietnamese_by_default(client):
    body = client.get(reverse("login")).content.decode()
    assert '<html lang="vi">' in body
    assert "Đăng nhập" in body


def test_logging_in_with_the_right_password_opens_the_home_page(client, viewer):
    response = client.post(reverse("login"), {"username": "viewer", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("home")


def test_repeated_wrong_passwords_lock_that_username_from_that_address_only(client, viewer, leader, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "viewer", "password": "wrong"}, REMOTE_ADDR="10.0.0.5")
    locked = client.post(reverse("login"), {"username": "viewer", "password": PASSWORD}, REMOTE_ADDR="10.0.0.5")
    assert locked.status_code == 429
    # A colleague behind the same office address still gets in.
    colleague = client.post(reverse("login"), {"username": "leader", "password": PASSWORD}, REMOTE_ADDR="10.0.0.5")
    assert colleague.status_code == 302
    # The same user from another address is not locked either.
    client.logout()
    elsewhere = client.post(reverse("login"), {"username": "viewer", "password": PASSWORD}, REMOTE_ADDR="10.0.0.9")
    assert elsewhere.status_code == 302


def test_pages_carry_a_strict_content_security_policy(client, viewer):
    client.force_login(viewer)
    response = client.get(reverse("home"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert "unsafe-inline" not in directives["script-src"]
    assert "unsafe-inline" not in directives["style-src"]
    assert directives["style-src-attr"] == "'unsafe-inline'"  # ECharts positions with style attributes
    assert "frame-ancestors 'none'" in policy
    assert "<script>" not in response.content.decode()


def test_password_change_page_is_translated(client, viewer):
    client.force_login(viewer)
    body = client.get(reverse("password_change")).content.decode()
    assert "Đổi mật khẩu" in body


def test_api_token_page_issues_a_token_that_authenticates_api_calls(client, viewer):
    client.force_login(viewer)
    client.post(reverse("api_token"))
    token = viewer.auth_token.key
    client.logout()
    response = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 200
    assert response.json()["role"] == "viewer"


def test_healthz_answers_without_login(client, db):
    assert client.get("/healthz").json()["status"] == "ok"
