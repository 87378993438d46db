"""A Redis cache that degrades to "uncached" when Redis is unreachable.

Django's own `RedisCache` raises `redis.ConnectionError` from every cache call when
the server is down, so every page that caches (and every API request, through DRF's
throttle) would answer 500. This backend logs the failure and answers as an empty
cache would: reads miss, writes are dropped, `add` reports success (so locks and
throttles fail open), `incr` reports a missing key. After a failure it does not try
Redis again for `RETRY_AFTER` seconds, so an outage costs one failed connection per
process every few seconds instead of one per cache call.

Settings: `"BACKEND": "cchc_portal.cache_backends.ResilientRedisCache"`; pass
`socket_connect_timeout`/`socket_timeout` in OPTIONS so a black-holed server cannot
hang a request.
"""

from __future__ import annotations

import logging
import time

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

RETRY_AFTER = 5.0
ERRORS = (RedisError, OSError)


class _Breaker:
    """Process-wide: after a failure, skip Redis until `down_until`."""

    down_until = 0.0

    @classmethod
    def open(cls) -> bool:
        return time.monotonic() < cls.down_until

    @classmethod
    def trip(cls, exc: Exception) -> None:
        if not cls.open():
            log.warning("cache unavailable (%s); serving uncached for %.0f s", exc, RETRY_AFTER)
        cls.down_until = time.monotonic() + RETRY_AFTER

    @classmethod
    def reset(cls) -> None:
        cls.down_until = 0.0


def _resilient(fallback):
    """Wrap a client method: on a Redis error (or while the breaker is open) return `fallback(*args)`."""

    def decorate(method):
        def wrapper(self, *args, **kwargs):
            if _Breaker.open():
                return fallback(*args, **kwargs)
            try:
                return method(self, *args, **kwargs)
            except ERRORS as exc:
                _Breaker.trip(exc)
                return fallback(*args, **kwargs)

        wrapper.__name__ = method.__name__
        wrapper.__doc__ = method.__doc__
        return wrapper

    return decorate


def _missing_key(*args, **kwargs):
    raise ValueError("Key not found (cache unavailable).")


class ResilientRedisCacheClient(RedisCacheClient):
    add = _resilient(lambda *a, **k: True)(RedisCacheClient.add)
    get = _resilient(lambda key, default, **k: default)(RedisCacheClient.get)
    set = _resilient(lambda *a, **k: None)(RedisCacheClient.set)
    touch = _resilient(lambda *a, **k: False)(RedisCacheClient.touch)
    delete = _resilient(lambda *a, **k: False)(RedisCacheClient.delete)
    get_many = _resilient(lambda *a, **k: {})(RedisCacheClient.get_many)
    has_key = _resilient(lambda *a, **k: False)(RedisCacheClient.has_key)
    incr = _resilient(_missing_key)(RedisCacheClient.incr)
    set_many = _resilient(lambda *a, **k: [])(RedisCacheClient.set_many)
    delete_many = _resilient(lambda *a, **k: None)(RedisCacheClient.delete_many)
    clear = _resilient(lambda *a, **k: False)(RedisCacheClient.clear)

    def ping(self) -> bool:
        try:
            return bool(self.get_client(write=True).ping())
        except ERRORS:
            return False


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ResilientRedisCacheClient


def cache_is_up(alias: str = "default") -> bool:
    """True when the cache answers (always True for a non-Redis cache). For health checks."""
    backend = caches[alias]
    if not isinstance(backend, RedisCache):
        return True
    client = backend._cache
    if isinstance(client, ResilientRedisCacheClient):
        up = client.ping()
        if up:
            _Breaker.reset()
        return up
    try:
        return bool(client.get_client(write=True).ping())
    except ERRORS:
        return False
