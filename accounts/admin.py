from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin as BaseTOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.log import record_change, snapshot
from audit.models import AuditAction, AuditSource
from cchc_portal.admin import ScopedChoicesMixin
from cchc_portal.scoping import scope_for
from provinces.models import AdministrativeUnit, Agency

from .models import Role, User

# What a province administrator may set on a user of their province (no superuser, staff, groups or permissions).
PROVINCE_ADMIN_FIELDSETS = (
    (None, {"fields": ("username", "password")}),
    (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
    (_("Permissions"), {"fields": ("is_active",)}),
    (_("Role and scope"), {"fields": ("role", "units", "agencies")}),
)
PROVINCE_ADMIN_ROLES = [Role.PROVINCE_ADMIN, Role.AGENCY_OFFICER, Role.LEADER, Role.VIEWER]
# Audited fields of a user (never the password hash or the last login).
AUDITED_FIELDS = ["username", "first_name", "last_name", "email", "role", "is_active", "is_staff", "is_superuser"]


def _audit_snapshot(user: User) -> dict:
    return {
        **snapshot(user, AUDITED_FIELDS),
        "units": sorted(str(u) for u in user.units.all()),
        "agencies": sorted(str(a) for a in user.agencies.all()),
    }


@admin.register(User)
class UserAdmin(ScopedChoicesMixin, BaseUserAdmin):
    """Users: national administrators manage everyone; a province administrator the users of their
    province, with roles and units of that province only (unit and agency choices are scoped)."""

    fieldsets = BaseUserAdmin.fieldsets + ((_("Role and scope"), {"fields": ("role", "units", "agencies")}),)
    # No "password-based authentication: enabled / disabled" choice: the portal signs in by password only.
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "password1", "password2")}),
        (_("Role and scope"), {"fields": ("role", "units", "agencies")}),
    )
    list_display = ["username", "first_name", "last_name", "role", "is_active", "last_login"]
    list_filter = ["role", "is_active", "is_staff"]
    autocomplete_fields = ["units", "agencies"]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_national_admin:
            return qs
        scope = scope_for(request.user)
        in_province = (
            Q(units__in=scope.province_ids)
            | Q(units__province_id__in=scope.province_ids)
            | Q(agencies__province_id__in=scope.province_ids)
        )
        # Province administrators manage the users of their own province, never a national administrator,
        # nor a user who also works elsewhere (resetting their password would reach the other province).
        units_elsewhere = AdministrativeUnit.objects.exclude(
            pk__in=AdministrativeUnit.objects.in_scope_of(request.user).values("pk")
        )
        agencies_elsewhere = Agency.objects.exclude(pk__in=Agency.objects.for_user(request.user).values("pk"))
        ids = (
            qs.filter(in_province)
            .exclude(pk__in=qs.filter(units__in=units_elsewhere).values("pk"))
            .exclude(pk__in=qs.filter(agencies__in=agencies_elsewhere).values("pk"))
            .values("pk")
        )
        return qs.filter(Q(pk__in=ids) | Q(pk=request.user.pk)).exclude(
            Q(is_superuser=True) | Q(role=Role.NATIONAL_ADMIN)
        )

    def get_fieldsets(self, request, obj=None):
        if request.user.is_national_admin:
            return super().get_fieldsets(request, obj)
        if obj is None:
            return self.add_fieldsets[:1] + PROVINCE_ADMIN_FIELDSETS[1:]
        return PROVINCE_ADMIN_FIELDSETS

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "role" and not request.user.is_national_admin:
            kwargs["choices"] = [(role.value, role.label) for role in PROVINCE_ADMIN_ROLES]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        if not allowed or obj is None or request.user.is_national_admin:
            return allowed
        return self.get_queryset(request).filter(pk=obj.pk).exists()

    def has_delete_permission(self, request, obj=None):
        return request.user.is_national_admin and super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        form._audit_before = _audit_snapshot(User.objects.get(pk=obj.pk)) if change and obj.pk else None
        if not request.user.is_national_admin:
            # Staff access follows the role; a province administrator never makes a superuser.
            obj.is_superuser = False
            obj.is_staff = obj.role == Role.PROVINCE_ADMIN
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        user = form.instance
        if not request.user.is_national_admin and not (user.units.exists() or user.agencies.exists()):
            # A user a province administrator creates belongs to their province (or it would vanish from their list).
            user.units.add(*scope_for(request.user).province_ids)
        before = getattr(form, "_audit_before", None)
        record_change(
            user,
            actor=request.user,
            action=AuditAction.UPDATE if change else AuditAction.CREATE,
            before=before,
            after=_audit_snapshot(user),
            source=AuditSource.ADMIN,
        )


# --- two-factor devices (django-otp) ---------------------------------------------------------------

TOTP_FIELDSET_TITLES = {
    "Identity": _("Identity"),
    "Timestamps": _("Times"),
    "Configuration": _("Configuration"),
    "State": _("State"),
    "Throttling": _("Throttling of wrong codes"),
}


class TOTPDeviceAdmin(BaseTOTPDeviceAdmin):
    """django-otp's admin with Vietnamese fieldset titles, search help and QR column (its strings are
    plain English, not marked for translation; field names and help texts are set in TOTPConfig)."""

    search_help_text = _("Search by user name or email address")

    def get_fieldsets(self, request, obj=None):
        return [
            (TOTP_FIELDSET_TITLES.get(title, title) if title else title, options)
            for title, options in super().get_fieldsets(request, obj)
        ]

    @admin.display(description=_("QR code"))
    def qrcode_link(self, device):
        href = reverse("admin:otp_totp_totpdevice_config", kwargs={"pk": device.pk})
        return format_html('<a href="{}">{}</a>', href, _("QR code"))


admin.site.unregister(TOTPDevice)
admin.site.register(TOTPDevice, TOTPDeviceAdmin)
