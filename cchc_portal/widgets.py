import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class VnDateInput(forms.DateInput):
    """Day-first text date (20/9/2019), the way staff write dates."""

    def __init__(self, attrs=None):
        super().__init__(
            attrs={"placeholder": _("dd/mm/yyyy"), "inputmode": "numeric", **(attrs or {})}, format="%d/%m/%Y"
        )


def parse_date_input(text: str) -> dt.date:
    """The date typed in a day-first text input outside a Django form (the VnDateInput markup written in a
    template): the active language's DATE_INPUT_FORMATS, so 20/09/2026 first and 2026-09-20 still accepted.

    Raises ValueError when the text is empty or not a date, as `dt.date.fromisoformat` did.
    """
    try:
        return forms.DateField().clean(text)
    except ValidationError as exc:
        raise ValueError(text) from exc


class SearchSelect(forms.Select):
    """A select with type-ahead (Tom Select, static/js/pickers.js); diacritics and case do not matter."""

    def __init__(self, attrs=None, choices=()):
        defaults = {
            "data-picker": "search",
            "data-no-results": _("Nothing found"),
            "data-placeholder": _("Type to search…"),
        }
        super().__init__(attrs={**defaults, **(attrs or {})}, choices=choices)


class TagsSelect(forms.SelectMultiple):
    """A multi-select shown as removable tags with type-ahead (Tom Select)."""

    def __init__(self, attrs=None, choices=()):
        defaults = {"data-picker": "tags", "data-no-results": _("Nothing found"), "data-placeholder": _("Type to add…")}
        super().__init__(attrs={**defaults, **(attrs or {})}, choices=choices)


def use_picker(field: forms.ModelChoiceField, queryset) -> None:
    """Give a model choice field the picker widget, the queryset and the model's `choice_label()`."""
    multiple = isinstance(field, forms.ModelMultipleChoiceField)
    field.widget = TagsSelect() if multiple else SearchSelect()
    field.queryset = queryset
    field.widget.choices = field.choices
    field.widget.is_required = field.required
    model = queryset.model
    if hasattr(model, "choice_label"):
        field.label_from_instance = model.choice_label
