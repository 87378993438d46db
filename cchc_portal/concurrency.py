"""Optimistic locking and the one versioned-edit helper.

A second save of a stale form is refused, never silent. The refused form keeps what the
user typed, carries the version saved now (so pressing Save again re-applies their
values in one click) and lists, field by field, what they typed beside what is saved.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db import models, transaction
from django.db.models import F
from django.utils import formats
from django.utils.translation import gettext_lazy as _

STALE_MESSAGE = _(
    "Someone else saved this record while you were editing it, so your changes were not saved. "
    "What you typed is kept below, beside the values saved now: check them and save again to apply yours."
)


class StaleObjectError(Exception):
    pass


def save_versioned(instance: models.Model, expected_version: int, fields: list[str]) -> None:
    """UPDATE ... WHERE version = expected; raises StaleObjectError if someone saved first."""
    values = {name: getattr(instance, name) for name in fields}
    updated = (
        type(instance)
        ._default_manager.filter(pk=instance.pk, version=expected_version)
        .update(version=F("version") + 1, **values)
    )
    if not updated:
        raise StaleObjectError
    instance.version = expected_version + 1


class VersionedModelForm(forms.ModelForm):
    """Carries the version the user started from in a hidden field."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = self.instance.version
        elif not self.instance.pk:
            self.fields["version"].required = False


@dataclass
class Difference:
    label: str
    yours: str
    saved: str


def _shown(value: Any, field: forms.Field | None = None) -> str:
    """A value as the form shows it: choice labels, object names, local dates and numbers."""
    if value is None or value == "" or value == []:
        return "–"
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, models.QuerySet | list | tuple | set):
        return ", ".join(sorted(_shown(v, field) for v in value)) or "–"
    if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
        labels = {str(k): v for k, v in field.choices}
        return str(labels.get(str(value), value))
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    return str(formats.localize(value, use_l10n=True))


def differences(form: forms.BaseForm, current: dict[str, Any]) -> list[Difference]:
    """The fields where what the user typed differs from what is saved now."""
    found = []
    for name, saved in current.items():
        if name not in form.fields or name == "version":
            continue
        field = form.fields[name]
        typed = form.cleaned_data.get(name) if hasattr(form, "cleaned_data") else None
        yours, now = _shown(typed, field), _shown(saved, field)
        if yours != now:
            found.append(Difference(str(field.label or name), yours, now))
    return found


def refuse_stale(form: forms.BaseForm, *, version: int, current: dict[str, Any]) -> None:
    """Turn a refused bound form into the conflict form (typed values kept, current version carried)."""
    data = form.data.copy()
    data[form.add_prefix("version")] = str(version)
    form.data = data
    form.conflict = differences(form, current)
    form.add_error(None, STALE_MESSAGE)


def model_values(instance: models.Model, names) -> dict[str, Any]:
    """Current values of a saved instance for the fields `names` (many-to-many as lists)."""
    values = {}
    for name in names:
        try:
            field = instance._meta.get_field(name)
        except Exception:  # a form-only field
            continue
        values[name] = list(getattr(instance, name).all()) if field.many_to_many else getattr(instance, name)
    return values


def versioned_save(form: forms.BaseForm, write: Callable[[], Any], *, current: Callable[[], models.Model]) -> bool:
    """Run `write()` in one transaction; on a stale version, refuse and keep the form for a re-apply.

    `current()` returns the record as saved now (fetched again, the caller's scoping applies).
    Returns True when saved.
    """
    try:
        with transaction.atomic():
            write()
    except StaleObjectError:
        fresh = current()
        refuse_stale(form, version=fresh.version, current=model_values(fresh, form.fields))
        return False
    return True
