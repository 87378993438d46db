"""The one history renderer: audit rows as sentences staff can read.

Driven by the audited models' own metadata: a field's verbose name is the label, a
choice's label replaces its code, dates and numbers use the active language's formats,
lists read as "added …; removed …". Rows written before this renderer existed (ISO
dates, codes, lists of file names) read the same way because only the stored plain
JSON values are interpreted, never their shape at the time of writing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Prefetch
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from .models import AuditEvent, AuditSource

EMPTY = "–"


@dataclass
class ChangeLine:
    label: str
    old: str = ""
    new: str = ""
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    is_list: bool = False

    def __str__(self) -> str:
        if self.is_list:
            parts = []
            if self.added:
                parts.append(_("added %(items)s") % {"items": ", ".join(self.added)})
            if self.removed:
                parts.append(_("removed %(items)s") % {"items": ", ".join(self.removed)})
            return f"{self.label}: {'; '.join(parts) or EMPTY}"
        if not self.old:
            return f"{self.label}: {self.new or EMPTY}"
        return f"{self.label}: {self.old} → {self.new or EMPTY}"


@dataclass
class HistoryRow:
    event: AuditEvent
    who: str
    unit: str
    what: str
    lines: list[ChangeLine]
    undo_url: str = ""  # set by the page when this change can be undone in one click

    @property
    def at(self) -> dt.datetime:
        return self.event.at

    @property
    def note(self) -> str:
        """Notes written by jobs are msgids (gettext_noop); file names and free text pass unchanged."""
        return _(self.event.note) if self.event.note else ""

    @property
    def source(self) -> str:
        return "" if self.event.source == AuditSource.WEB else self.event.get_source_display()


def _field(model: type[models.Model] | None, name: str):
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def field_label(model: type[models.Model] | None, name: str) -> str:
    """The field's verbose name; for a reverse relation, the related model's plural name."""
    found = _field(model, name)
    if found is None:
        return name.replace("_", " ")
    if found.is_relation and found.auto_created and not found.concrete:
        return capfirst(found.related_model._meta.verbose_name_plural)
    return capfirst(getattr(found, "verbose_name", name))


def _date(value: str) -> str:
    try:
        if "T" in value or " " in value.strip():
            moment = dt.datetime.fromisoformat(value)
            if timezone.is_aware(moment):
                moment = timezone.localtime(moment)
            return formats.date_format(moment, "SHORT_DATETIME_FORMAT")
        return formats.date_format(dt.date.fromisoformat(value), "SHORT_DATE_FORMAT")
    except ValueError:
        return value


def _number(value: Any, decimal: bool) -> str:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    if decimal:
        number = number.normalize() if number == number.to_integral() else number
        places = max(0, -number.as_tuple().exponent) if isinstance(number.as_tuple().exponent, int) else 0
        return formats.number_format(number, decimal_pos=places, use_l10n=True, force_grouping=True)
    return formats.number_format(int(number), use_l10n=True, force_grouping=True)


def display_value(found, value: Any) -> str:
    """One stored plain value as people read it."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if found is not None:
        choices = dict(found.flatchoices) if getattr(found, "choices", None) else None
        if choices and value in choices:
            return str(choices[value])
        if isinstance(found, models.BooleanField):
            return _("yes") if value in (True, "True", "true", 1) else _("no")
        if isinstance(found, models.DateField | models.DateTimeField) and isinstance(value, str):
            return _date(value)
        if isinstance(found, models.DecimalField | models.FloatField):
            return _number(value, decimal=True)
        if isinstance(found, models.IntegerField) and not found.primary_key:
            return _number(value, decimal=False)
        if isinstance(found, models.FileField) and isinstance(value, str):
            return value.rsplit("/", 1)[-1]
    if isinstance(value, int | float | Decimal):
        return _number(value, decimal=not isinstance(value, int))
    return str(value)


def describe(event: AuditEvent, model: type[models.Model] | None = None) -> list[ChangeLine]:
    """The changes of one event as labelled lines, in the model's field order."""
    if model is None:
        model = ContentType.objects.get_for_id(event.content_type_id).model_class()
    order = {f.name: i for i, f in enumerate(model._meta.get_fields())} if model else {}
    lines = []
    for name in sorted(event.changes or {}, key=lambda n: (order.get(n, len(order)), n)):
        values = event.changes[name]
        old, new = (values + [None, None])[:2] if isinstance(values, list) else (None, values)
        found = _field(model, name)
        label = field_label(model, name)
        if isinstance(old, list) or isinstance(new, list):
            before = [display_value(None, v) for v in old or []]
            after = [display_value(None, v) for v in new or []]
            lines.append(
                ChangeLine(
                    label,
                    added=[v for v in after if v not in before],
                    removed=[v for v in before if v not in after],
                    is_list=True,
                )
            )
        else:
            lines.append(ChangeLine(label, old=display_value(found, old), new=display_value(found, new)))
    return lines


def person(user) -> tuple[str, str]:
    """A user's display name and the unit they work for (agencies first, then units)."""
    if user is None:
        return _("system"), ""
    name = user.get_full_name() or user.username
    agencies = list(user.agencies.all())
    units = list(user.units.all())
    unit = agencies[0].name if agencies else (units[0].name if units else "")
    return name, unit


def history_rows(events, *, undo=None) -> list[HistoryRow]:
    """Rows for a history table; a fixed number of queries whatever the number of events.

    `undo(event)` may return the URL that undoes the event (or "" when it cannot be undone).
    """
    events = list(events)
    actor_ids = {e.actor_id for e in events if e.actor_id}
    users = {
        u.pk: u
        for u in get_user_model()
        .objects.filter(pk__in=actor_ids)
        .prefetch_related(Prefetch("agencies"), Prefetch("units"))
    } if actor_ids else {}  # fmt: skip
    rows = []
    for event in events:
        model = ContentType.objects.get_for_id(event.content_type_id).model_class()
        who, unit = person(users.get(event.actor_id))
        kind = capfirst(model._meta.verbose_name) if model else ""
        what = f"{capfirst(event.get_action_display())}: {kind} {event.object_repr}".strip()
        row = HistoryRow(event=event, who=who, unit=unit, what=what, lines=describe(event, model))
        row.undo_url = undo(event) if undo else ""
        rows.append(row)
    return rows
