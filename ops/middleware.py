"""Request context for the logs: request id, client address, user and province; one line per request."""

from __future__ import annotations

import logging
import re
import time
import uuid

from django.utils.functional import empty

from cchc_portal import logs
from cchc_portal.proxy import client_ip

logger = logging.getLogger("cchc.request")
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestLogMiddleware:
    """Sets the log context before the view and writes one JSON line after it.

    A request id from the proxy (nginx's $request_id in X-Request-ID) is kept so the proxy's
    log and ours join up; otherwise one is made here. It is returned in X-Request-ID.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.monotonic()
        given = request.headers.get("X-Request-ID", "")
        rid = given if REQUEST_ID.match(given) else uuid.uuid4().hex
        request.client_ip = client_ip(request)
        tokens = [(logs.request_id, logs.request_id.set(rid)), (logs.client_ip, logs.client_ip.set(request.client_ip))]
        try:
            response = self.get_response(request)
            user = _loaded_user(request)
            if user is not None and user.is_authenticated:
                tokens.append((logs.user_id, logs.user_id.set(user.pk)))
                scope = getattr(user, "_cchc_scope", None)  # cchc_portal.scoping's per-request cache
                if scope is not None and scope.province_ids:
                    tokens.append((logs.province_id, logs.province_id.set(min(scope.province_ids))))
            response["X-Request-ID"] = rid
            logger.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.monotonic() - started) * 1000, 1),
                },
            )
            return response
        finally:
            for var, token in reversed(tokens):
                var.reset(token)


def _loaded_user(request):
    """The user if the request already loaded it: logging must not add a query to any page."""
    lazy = getattr(request, "user", None)
    wrapped = getattr(lazy, "_wrapped", lazy)
    return None if wrapped is empty else wrapped
