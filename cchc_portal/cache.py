"""Generation-keyed caching (djangoproject.com's dashboard pattern).

Pages cache expensive blocks under (name, generation, filters). The job that
changes the underlying data calls `bump_generation(name)`, so stale entries are
simply never read again and expire on their own.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from django.core.cache import cache

DEFAULT_TIMEOUT = 6 * 3600


def _generation_key(name: str) -> str:
    return f"gen:{name}"


def generation(name: str) -> int:
    value = cache.get(_generation_key(name))
    if value is None:
        cache.add(_generation_key(name), 1, timeout=None)
        value = cache.get(_generation_key(name), 1)
    return value


def generations(*names: str) -> tuple[int, ...]:
    """Several generations in one cache round-trip (`generation` for each missing one)."""
    keys = [_generation_key(name) for name in names]
    found = cache.get_many(keys)
    return tuple(found[key] if key in found else generation(name) for key, name in zip(keys, names, strict=True))


def generations_with(names: tuple[str, ...], key: str) -> tuple[tuple[int, ...], Any]:
    """`generations(*names)` and the value cached under `key` (or None), in one round-trip."""
    keys = [_generation_key(name) for name in names]
    found = cache.get_many([*keys, key])
    values = tuple(found[k] if k in found else generation(name) for k, name in zip(keys, names, strict=True))
    return values, found.get(key)


def bump_generation(name: str) -> None:
    try:
        cache.incr(_generation_key(name))
    except ValueError:
        cache.set(_generation_key(name), 2, timeout=None)


def _key(name: str, parts: tuple) -> str:
    digest = hashlib.sha1(repr(parts).encode()).hexdigest()[:20]
    return f"{name}:{generation(name)}:{digest}"


def is_cached(name: str, parts: tuple) -> bool:
    """Whether `cached(name, parts, ...)` would be a hit now (warming tests and benches)."""
    return cache.get(_key(name, parts)) is not None


def cached(name: str, parts: tuple, compute: Callable[[], Any], timeout: int = DEFAULT_TIMEOUT) -> Any:
    key = _key(name, parts)
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout)
    return value
