"""Behind nginx the client is the address nginx appended to X-Forwarded-For — and only then."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from cchc_portal.proxy import client_ip
from conftest import PASSWORD


def _request(remote: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


@pytest.fixture
def behind_one_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.TRUSTED_PROXY_IPS = ["127.0.0.0/8", "172.16.0.0/12"]


def test_without_a_proxy_the_socket_address_is_the_client(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(_request("198.51.100.4", "203.0.113.9")) == "198.51.100.4"


def test_behind_the_proxy_the_address_it_appended_is_the_client(behind_one_proxy):
    assert client_ip(_request("127.0.0.1", "203.0.113.9")) == "203.0.113.9"


def test_a_forged_header_left_of_the_proxys_entry_is_ignored(behind_one_proxy):
    assert client_ip(_request("172.18.0.1", "10.9.9.9, 203.0.113.9")) == "203.0.113.9"


def test_a_client_reaching_gunicorn_directly_cannot_choose_its_address(behind_one_proxy):
    assert client_ip(_request("198.51.100.4", "203.0.113.9")) == "198.51.100.4"


def test_a_garbage_header_falls_back_to_the_socket_address(behind_one_proxy):
    assert client_ip(_request("127.0.0.1", "not-an-ip")) == "127.0.0.1"
    assert client_ip(_request("127.0.0.1", "")) == "127.0.0.1"


def _fail_login(client, username: str, forwarded: str):
    return client.post(
        reverse("login"), {"username": username, "password": "wrong"}, REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR=forwarded,
    )  # fmt: skip


def test_an_attacker_behind_the_proxy_does_not_lock_the_user_out_elsewhere(
    behind_one_proxy, client, province_admin, settings
):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        _fail_login(client, province_admin.username, "203.0.113.66")
    locked = _fail_login(client, province_admin.username, "203.0.113.66")
    assert locked.status_code == 429
    from_office = client.post(
        reverse("login"), {"username": province_admin.username, "password": PASSWORD}, REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.20",
    )  # fmt: skip
    assert from_office.status_code == 302


def test_the_attacker_cannot_dodge_the_lock_by_forging_the_header(behind_one_proxy, client, province_admin, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for n in range(4):
        response = _fail_login(client, province_admin.username, f"10.0.0.{n}, 203.0.113.66")
    assert response.status_code == 429


def test_the_request_log_line_carries_the_client_address_and_request_id(behind_one_proxy, client, json_log):
    response = client.get(reverse("login"), REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")
    line = [entry for entry in json_log() if entry["logger"] == "cchc.request"][-1]
    assert line["client_ip"] == "203.0.113.9"
    assert line["request_id"] == response["X-Request-ID"]
    assert (line["status"], line["path"]) == (200, "/accounts/login/")
