"""With Redis unreachable, every page and the API still answer (uncached), never 500.

The cache points at a port where no server listens: a real Redis client meeting a real
refused connection, not a mock. The machine's own Redis is never touched.
"""

import socket

import pytest
from django.core.cache import cache
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from cchc_portal.cache_backends import _Breaker, cache_is_up
from tasks.models import Task


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed again when the block ends: nothing listens there


@pytest.fixture
def redis_down(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "cchc_portal.cache_backends.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{_closed_port()}/13",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    _Breaker.reset()
    yield
    _Breaker.reset()


def _pages_without_arguments() -> list[str]:
    """Every named page of the portal that takes no argument (admin and logout excluded)."""
    urls = []

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.app_name == "admin" or "api" in str(pattern.pattern):
                    continue
                walk(pattern.url_patterns, f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace)
            elif isinstance(pattern, URLPattern) and pattern.name and not pattern.pattern.regex.groups:
                if pattern.name in {"logout", "set_language", "healthz"}:  # /healthz: checked below
                    continue
                urls.append(reverse(f"{namespace}{pattern.name}"))

    walk(get_resolver().url_patterns, "")
    return urls


def _api_lists() -> list[str]:
    from cchc_portal.api_urls import router

    return [f"/api/v1/{prefix}/" for prefix, _viewset, _basename in router.registry]


def test_the_cache_reports_itself_down_and_reads_miss(redis_down):
    assert cache_is_up() is False
    cache.set("k", 1)
    assert cache.get("k", "missing") == "missing"
    assert cache.add("lock", 1) is True  # locks fail open
    with pytest.raises(ValueError):
        cache.incr("k")


def test_a_running_cache_reports_itself_up():
    assert cache_is_up() is True


@pytest.mark.parametrize("who", ["gia_lai_admin", "gia_lai_leader", "national_admin"])
def test_every_page_and_api_list_answers_without_the_cache(
    client, request, who, redis_down, gia_lai_plan, gia_lai_dossiers, index_results
):
    client.force_login(request.getfixturevalue(who))
    task = Task.objects.filter(plan=gia_lai_plan).first()
    urls = [
        *_pages_without_arguments(),
        *_api_lists(),
        reverse("tasks:plan_detail", args=[gia_lai_plan.pk]),
        reverse("tasks:task_detail", args=[task.pk]),
        reverse("dashboards:leader") + f"?province={gia_lai_plan.province.code}",
        "/api/v1/schema/",
    ]
    failures = {}
    for url in urls:
        status = client.get(url).status_code
        if status >= 500:
            failures[url] = status
    assert failures == {}
    assert len(urls) > 20


def test_healthz_reports_the_cache_down_while_readyz_keeps_the_process_in_service(client, db, redis_down):
    health = client.get("/healthz")
    assert health.status_code == 503 and health.json()["checks"]["cache"]["status"] != "ok"
    assert client.get("/readyz").status_code == 200


def test_progress_can_be_entered_through_the_api_without_the_cache(client, redis_down, gia_lai_plan, gia_lai_admin):
    client.force_login(gia_lai_admin)
    task = Task.objects.filter(plan=gia_lai_plan, status="in_progress").first()
    response = client.post(
        f"/api/v1/tasks/{task.pk}/progress/",
        {"version": task.version, "status": "in_progress", "percent": 40, "note": "Đang làm"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
