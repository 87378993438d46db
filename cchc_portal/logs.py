"""Log lines as JSON, one time zone, with the request id, user, province and job id.

The context lives in context variables: the request middleware (ops.middleware) sets the
request's, `liveness.heartbeat` the job's. Gunicorn's own log uses the same formatter
(deploy/gunicorn.conf.py), so every line of every process reads alike.
"""

from __future__ import annotations

import contextvars
import json
import logging
import os
from contextlib import contextmanager
from datetime import datetime
from zoneinfo import ZoneInfo

request_id = contextvars.ContextVar("request_id", default=None)
user_id = contextvars.ContextVar("user_id", default=None)
province_id = contextvars.ContextVar("province_id", default=None)
client_ip = contextvars.ContextVar("client_ip", default=None)
job_id = contextvars.ContextVar("job_id", default=None)

CONTEXT = {
    "request_id": request_id,
    "user_id": user_id,
    "province_id": province_id,
    "client_ip": client_ip,
    "job_id": job_id,
}
# The portal's time zone (settings.TIME_ZONE); read here without Django so gunicorn can use it.
TIME_ZONE = ZoneInfo(os.environ.get("LOG_TIME_ZONE", "Asia/Ho_Chi_Minh"))
_RECORD_FIELDS = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, TIME_ZONE).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, var in CONTEXT.items():
            value = var.get()
            if value is not None:
                entry[key] = value
        for key, value in record.__dict__.items():
            if key not in _RECORD_FIELDS and not key.startswith("_") and key not in entry:
                entry[key] = value if isinstance(value, str | int | float | bool | type(None)) else str(value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


@contextmanager
def job_context(pk: int):
    token = job_id.set(pk)
    try:
        yield
    finally:
        job_id.reset(token)
