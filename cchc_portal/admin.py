"""Admin helpers shared by every app: the admin is scoped exactly like the pages.

- Lists go through the model's `for_user` queryset.
- Every foreign-key and many-to-many choice (main form and inlines) is limited to
  the user's scope: `in_scope_of(user)` where the related queryset has it (units:
  public to read, but only those of the user's province or commune may be
  chosen), else `for_user(user)`. A raw-id or hand-made POST naming a row outside
  the scope is refused by the form ("Select a valid choice").
- Add and change check the province (and, for commune-scoped administrators, the
  commune) the submitted row would belong to; a refusal is a form error, and
  `save_model` refuses again so no path writes outside the scope.
- `ReferenceDataAdminMixin`: read-only below national administrator.
"""

from __future__ import annotations

from django.contrib.admin.widgets import ForeignKeyRawIdWidget
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from audit.admin import AuditedAdminMixin

OUT_OF_SCOPE = _("You may only add or change records of your own province or commune.")
NOT_IN_SCOPE = _("Not found among the records of your province or commune.")
# Messages of Django's admin and auth forms that its Vietnamese catalogue lacks; the project catalogue has them.
ADMIN_STRINGS = [
    ngettext_lazy("Please correct the error below.", "Please correct the errors below.", 1),
    _("After you’ve created a user, you’ll be able to edit more user options."),
    _("Reset password"),
    _("Set password"),
    _("Raw passwords are not stored, so there is no way to see the user’s password."),
    _("Show counts"),
    _("Hide counts"),
]


def scoped_choices(model, user, queryset=None):
    """The rows of `model` a user may pick in a form."""
    queryset = model._default_manager.all() if queryset is None else queryset
    if hasattr(queryset, "in_scope_of"):
        return queryset.in_scope_of(user)
    if hasattr(queryset, "for_user"):
        return queryset.for_user(user)
    return queryset


class ScopedChoicesMixin:
    """Limits every foreign-key and many-to-many choice to the user's scope (ModelAdmin and inlines)."""

    def _scope_field(self, field, db_field, request):
        if field is not None and hasattr(field, "queryset"):
            field.queryset = scoped_choices(db_field.related_model, request.user, field.queryset)
            if not request.user.is_national_admin:
                field.error_messages = {**field.error_messages, "invalid_choice": NOT_IN_SCOPE}
                _scope_raw_id_label(field)
        return field

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        return self._scope_field(super().formfield_for_foreignkey(db_field, request, **kwargs), db_field, request)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        return self._scope_field(super().formfield_for_manytomany(db_field, request, **kwargs), db_field, request)


def _scope_raw_id_label(field) -> None:
    """A raw-id input shows the name of the record typed in: only for records in scope."""
    widget = getattr(field.widget, "widget", field.widget)
    if not isinstance(widget, ForeignKeyRawIdWidget):
        return
    queryset, label = field.queryset, widget.label_and_url_for_value

    def scoped_label(value):
        if value in (None, "") or not str(value).isdigit() or not queryset.filter(pk=value).exists():
            return "", ""
        return label(value)

    widget.label_and_url_for_value = scoped_label


def _follow(value, parts: list[str]):
    for part in parts:
        value = getattr(value, part, None)
        if value is None:
            return None
    return value


class ScopedAdminMixin(ScopedChoicesMixin, AuditedAdminMixin):
    """Admin lists, choices, adds and changes scoped like the pages.

    `province_field` names the path to the province that owns the row;
    `unit_field` (optional) the path to the unit (province or commune) that owns
    it, so that a commune-scoped administrator manages their commune's rows.
    """

    province_field = "province"
    unit_field: str | None = None

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs.for_user(request.user) if hasattr(qs, "for_user") else qs

    # --- the owner of a row, stored or submitted ---------------------------------------

    def _owner(self, obj, data: dict | None = None) -> tuple[int | None, int | None]:
        """(unit id, province id) that own `obj`, reading the first hop from submitted `data`."""

        def resolve(path: str | None):
            if not path:
                return None
            first, *rest = path.split("__")
            head = data[first] if data is not None and first in data else getattr(obj, first, None)
            return _follow(head, rest) if head is not None else None

        unit = resolve(self.unit_field)
        if unit is not None:
            # The unit decides: a row moved to another unit belongs to that unit's province.
            return unit.pk, unit.province_id_for_scope
        return None, getattr(resolve(self.province_field), "pk", None)

    def _province_id(self, obj):
        return self._owner(obj)[1]

    def can_write(self, request, obj, data: dict | None = None) -> bool:
        unit_id, province_id = self._owner(obj, data)
        return request.user.can_manage_unit(unit_id, province_id)

    # --- permissions ---------------------------------------------------------------------

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        if not allowed or obj is None:
            return allowed
        return self.can_write(request, obj)

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        if not allowed or obj is None:
            return allowed
        return self.can_write(request, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        admin = self

        class ScopedForm(form_class):
            def clean(self):
                cleaned = super().clean()
                owners = {path.split("__")[0] for path in (admin.province_field, admin.unit_field) if path}
                if owners & set(self.errors):
                    return cleaned  # the field already says it is out of scope
                if not admin.can_write(request, self.instance, cleaned):
                    raise ValidationError(OUT_OF_SCOPE, code="out_of_scope")
                return cleaned

        ScopedForm.__name__ = form_class.__name__
        return ScopedForm

    def save_model(self, request, obj, form, change):
        # The form has refused already; this guards any other path (actions, custom views).
        if not self.can_write(request, obj):
            raise PermissionDenied(OUT_OF_SCOPE)
        super().save_model(request, obj, form, change)


class ReferenceDataAdminMixin:
    """National reference data (units, procedures, holidays, methodologies): read-only below national admin."""

    def has_add_permission(self, request, *args):
        return request.user.is_national_admin and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return request.user.is_national_admin and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_national_admin and super().has_delete_permission(request, obj)
