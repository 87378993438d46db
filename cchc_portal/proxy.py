"""The client's address behind a reverse proxy, for django-axes and the logs.

X-Forwarded-For is only believed when the connection comes from a trusted proxy address,
and then only the entries the trusted proxies appended (TRUSTED_PROXY_COUNT from the right):
anything to their left was written by the client and can be forged.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def _address(value: str):
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str:
    remote = request.META.get("REMOTE_ADDR", "") or ""
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    peer = _address(remote)
    if peer is None or not any(peer in net for net in _networks(tuple(settings.TRUSTED_PROXY_IPS))):
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < count:
        return remote
    candidate = forwarded[-count]
    return candidate if _address(candidate) is not None else remote
