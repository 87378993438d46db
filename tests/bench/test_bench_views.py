"""The benchmark-only trivial view exists only when CCHC_BENCH_VIEWS=1."""

import importlib

import pytest
from django.urls import NoReverseMatch, clear_url_caches, reverse

import cchc_portal.urls


@pytest.fixture
def bench_views_on(monkeypatch):
    monkeypatch.setenv("CCHC_BENCH_VIEWS", "1")
    importlib.reload(cchc_portal.urls)
    clear_url_caches()
    yield
    monkeypatch.delenv("CCHC_BENCH_VIEWS")
    importlib.reload(cchc_portal.urls)
    clear_url_caches()


def test_the_trivial_bench_view_does_not_exist_in_a_normal_deployment(client, leader):
    client.force_login(leader)
    assert client.get("/bench/trivial").status_code == 404
    with pytest.raises(NoReverseMatch):
        reverse("bench_trivial")


def test_the_trivial_bench_view_answers_a_logged_in_user_when_switched_on(client, leader, bench_views_on):
    assert reverse("bench_trivial") == "/bench/trivial"
    assert client.get("/bench/trivial").status_code == 302  # login required, like every real page
    client.force_login(leader)
    response = client.get("/bench/trivial")
    assert response.status_code == 200
    assert response.content == b"ok\n"
