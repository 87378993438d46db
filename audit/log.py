"""The one audit writer: `snapshot` before, `record_change` (or `build_event` + `record_many`) after.

Every write path (forms, API, admin, imports, jobs) goes through `build_event`, so an event
always has the same shape: `changes` maps a field name to `[old, new]` in plain JSON
values (ISO dates, text for foreign keys, lists for many-to-many and files). A zero is a
value and is kept; only "no value" (None, "", [], and a False flag) is left out of a
creation or deletion. `audit.history` renders these rows for people.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from .models import AuditAction, AuditEvent, AuditSource, province_of

NOT_AUDITED = {"version", "name_folded", "updated_at"}


def plain(value: Any) -> Any:
    """A JSON value for the audit log."""
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.fields.files.FieldFile):
        return value.name or ""
    if isinstance(value, list | tuple | set):
        return [plain(v) for v in value]
    return value


_plain = plain  # older name, kept for callers outside this app


def snapshot(instance: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The audited values of `instance` (concrete fields, FK as their text)."""
    data: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if field.primary_key or (fields is not None and field.name not in fields):
            continue
        if field.name in NOT_AUDITED or field.name.endswith("_folded"):
            continue
        if field.is_relation:
            data[field.name] = plain(getattr(instance, field.name))
        else:
            data[field.name] = plain(field.value_from_object(instance))
    return data


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


def _is_empty(value: Any) -> bool:
    return value is None or value is False or value == "" or value == []


def build_event(
    instance: models.Model,
    *,
    actor=None,
    action: str = AuditAction.UPDATE,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    changes: dict[str, list[Any]] | None = None,
    source: str = AuditSource.WEB,
    note: str = "",
    at: dt.datetime | None = None,
    object_repr: str | None = None,
) -> AuditEvent | None:
    """An unsaved audit event, or None for an update that changed nothing."""
    if changes is None:
        if action == AuditAction.CREATE:
            values = after if after is not None else snapshot(instance)
            changes = {k: [None, plain(v)] for k, v in values.items() if not _is_empty(v)}
        elif action == AuditAction.DELETE:
            values = before if before is not None else snapshot(instance)
            changes = {k: [plain(v), None] for k, v in values.items() if not _is_empty(v)}
        else:
            changes = diff(before or {}, after if after is not None else snapshot(instance))
    else:
        changes = {k: [plain(old), plain(new)] for k, (old, new) in changes.items()}
    if action == AuditAction.UPDATE and not changes:
        return None
    return AuditEvent(
        at=at or timezone.now(),
        actor=actor if actor is not None and getattr(actor, "is_authenticated", False) else None,
        action=action,
        source=source,
        content_type=ContentType.objects.get_for_model(type(instance)),
        object_id=str(instance.pk),
        object_repr=(object_repr if object_repr is not None else str(instance))[:255],
        changes=changes,
        note=(note or "")[:255],
    )


def record_change(instance: models.Model, **kwargs) -> AuditEvent | None:
    """Write one audit event; an update with no changed value writes nothing."""
    event = build_event(instance, **kwargs)
    if event is not None:
        event.province_id = province_of(instance)
        event.save()
    return event


def record_many(events: Iterable[AuditEvent | None]) -> None:
    """Write events built with `build_event` in bulk (imports, jobs); their provinces are filled by
    `AuditEventQuerySet.bulk_create`, one query per kind of object."""
    AuditEvent.objects.bulk_create([e for e in events if e is not None], batch_size=1000)
