"""Health endpoints: /healthz reports each dependency, /readyz answers the proxy."""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

from cchc_portal.version import get_version

logger = logging.getLogger(__name__)


def _check(name: str, probe) -> dict:
    started = time.monotonic()
    try:
        detail = probe()
    except Exception as exc:
        logger.warning("health check %s failed: %s", name, exc)
        return {"status": "error", "error": f"{type(exc).__name__}: {exc}"[:300]}
    result = {"status": "ok", "ms": round((time.monotonic() - started) * 1000, 1)}
    if detail:
        result["detail"] = detail
    return result


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return connection.vendor


def _cache():
    key = "healthz:probe"
    cache.set(key, "1", 10)
    if cache.get(key) != "1":
        raise RuntimeError("cache did not return the value just written")
    return settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]


def _broker():
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "in-process (no broker configured)"
    from cchc_portal.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return "reachable"


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Every dependency, each with its status: 503 when one is down (for monitoring)."""
    checks = {"database": _check("database", _database), "cache": _check("cache", _cache)}
    checks["broker"] = _check("broker", _broker)
    healthy = all(check["status"] == "ok" for check in checks.values())
    body = {"status": "ok" if healthy else "error", "version": get_version(), "checks": checks}
    return JsonResponse(body, status=200 if healthy else 503)


@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """For the proxy: this process can serve pages (its database answers). The cache and the broker
    may be down without taking pages down, so they are /healthz's business."""
    check = _check("database", _database)
    ready = check["status"] == "ok"
    return JsonResponse({"status": "ok" if ready else "error", "database": check}, status=200 if ready else 503)
