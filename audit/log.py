"""Recording changes: `snapshot` before, `record_change` after."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from .models import AuditAction, AuditEvent, AuditSource, province_of


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.fields.files.FieldFile):
        return value.name or ""
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    return value


def snapshot(instance: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The audited values of `instance` (concrete fields, FK as their text)."""
    data: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if field.primary_key or (fields is not None and field.name not in fields):
            continue
        if field.name in {"version", "name_folded", "updated_at"}:
            continue
        if field.is_relation:
            data[field.name] = _plain(getattr(instance, field.name))
        else:
            data[field.name] = _plain(field.value_from_object(instance))
    return data


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


def record_change(
    instance: models.Model,
    *,
    actor=None,
    action: str = AuditAction.UPDATE,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    changes: dict[str, list[Any]] | None = None,
    source: str = AuditSource.WEB,
    note: str = "",
) -> AuditEvent | None:
    """Write one audit event; an update with no changed value writes nothing."""
    if changes is None:
        if action == AuditAction.CREATE:
            changes = {k: [None, v] for k, v in (after or snapshot(instance)).items() if v not in (None, "")}
        elif action == AuditAction.DELETE:
            changes = {k: [v, None] for k, v in (before or {}).items() if v not in (None, "")}
        else:
            changes = diff(before or {}, after if after is not None else snapshot(instance))
    if action == AuditAction.UPDATE and not changes:
        return None
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        source=source,
        content_type=ContentType.objects.get_for_model(type(instance)),
        object_id=str(instance.pk),
        object_repr=str(instance)[:255],
        changes=changes,
        note=note[:255],
        province_id=province_of(instance),
    )


def record_many(events: list[AuditEvent]) -> None:
    """Bulk variant for imports: the caller builds unsaved AuditEvent rows."""
    AuditEvent.objects.bulk_create(events, batch_size=1000)
