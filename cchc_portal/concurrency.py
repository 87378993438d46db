"""Optimistic locking: a second save of a stale form is refused, never silent."""

from django import forms
from django.db import models
from django.db.models import F
from django.utils.translation import gettext_lazy as _

STALE_MESSAGE = _(
    "Someone else changed this record while you were editing it. Your changes were not saved; "
    "the current values are shown below. / Dữ liệu đã được người khác cập nhật trong lúc bạn sửa."
)


class StaleObjectError(Exception):
    pass


def save_versioned(instance: models.Model, expected_version: int, fields: list[str]) -> None:
    """UPDATE ... WHERE version = expected; raises StaleObjectError if someone saved first.

    An UPDATE bypasses `save()` and its `pre_save` text cleaning: text values are cleaned here."""
    from cchc_portal.lib.text import clean_text

    values = {name: clean_text(getattr(instance, name)) for name in fields}
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
