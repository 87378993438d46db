"""/healthz reports each dependency and the version; /readyz answers the proxy."""

import pytest
from django.urls import reverse

from cchc_portal.version import get_version

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_cache_broker_and_version(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "broker"}
    assert all(check["status"] == "ok" for check in body["checks"].values())
    assert body["version"] == get_version() != ""


def test_healthz_answers_503_and_names_the_cache_when_redis_is_down(client, settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    }
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["cache"]["status"] == "error"
    assert body["checks"]["database"]["status"] == "ok"


def test_readyz_only_needs_the_database(client):
    response = client.get(reverse("readyz"))
    assert response.status_code == 200
    assert response.json()["database"]["status"] == "ok"


def test_healthz_is_reachable_over_plain_http_for_the_container_check(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get(reverse("healthz")).status_code == 200
    assert client.get(reverse("readyz")).status_code == 200


def test_the_footer_shows_the_version(client):
    response = client.get(reverse("login"))
    assert f"{get_version()}</span>" in response.content.decode()
