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


FIRST_YEAR, LAST_YEAR = 1900, 2100  # a year outside is a slip (0026 for 2026), not a date anyone means


def validate_year(value: dt.date) -> None:
    """Refuse a date whose year is before 1900 or after 2100 (20/09/0026 parses, and is a typo)."""
    if value is not None and not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValidationError(
            _("The year must be between %(first)d and %(last)d (type the date as dd/mm/yyyy, e.g. 20/09/2026)."),
            code="year_range",
            params={"first": FIRST_YEAR, "last": LAST_YEAR},
        )


class VnDateField(forms.DateField):
    """A date typed day-first (VnDateInput) whose year is between 1900 and 2100. ModelForms take it with
    `field_classes = {"name": VnDateField}` in their Meta."""

    widget = VnDateInput
    default_validators = [validate_year]
    default_error_messages = {"invalid": _("Enter a valid date as dd/mm/yyyy.")}


class DateInputError(ValueError):
    """A typed date that is not one; `message` says why (not a date, or a year out of range)."""

    def __init__(self, text: str, message: str, code: str):
        super().__init__(text)
        self.message, self.code = message, code

    @property
    def year_out_of_range(self) -> bool:
        return self.code == "year_range"

    def message_or(self, invalid: str) -> str:
        """The reason to show: the year rule's own message, else `invalid` (the field's own words for "not a date")."""
        return self.message if self.year_out_of_range else invalid


def parse_date_input(text: str) -> dt.date:
    """The date typed in a day-first text input outside a Django form (the VnDateInput markup written in a
    template): the active language's DATE_INPUT_FORMATS, so 20/09/2026 first and 2026-09-20 still accepted,
    and a year between 1900 and 2100 (VnDateField's rules).

    Raises DateInputError (a ValueError, as `dt.date.fromisoformat` raised) when the text is empty, not a date
    or has a year out of range; its `message` is the field error to show.
    """
    try:
        return VnDateField().clean(text)
    except ValidationError as exc:
        raise DateInputError(text, exc.messages[0], exc.error_list[0].code or "invalid") from exc


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


class PortalFileInput(forms.ClearableFileInput):
    """A file input whose button and "no file" text are the page's language, not the browser's.

    The markup stays a real <input type="file"> (it works without JavaScript); static/js/portal.js lays a
    translated button and the chosen file name(s) over it from these data attributes. Templates that write
    the input by hand include "includes/file_input.html", which carries the same attributes.
    """

    def __init__(self, attrs=None):
        defaults = {"data-file-button": _("Choose file"), "data-file-empty": _("No file chosen")}
        super().__init__(attrs={**defaults, **(attrs or {})})


class PortalMultipleFileInput(PortalFileInput):
    """PortalFileInput taking several files (the chosen names are listed, comma-separated)."""

    allow_multiple_selected = True


class PortalFileField(forms.FileField):
    """A FileField drawn with PortalFileInput."""

    widget = PortalFileInput
