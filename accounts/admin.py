from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = BaseUserAdmin.fieldsets + ((_("Role and scope"), {"fields": ("role", "units", "agencies")}),)
    add_fieldsets = BaseUserAdmin.add_fieldsets + ((_("Role and scope"), {"fields": ("role",)}),)
    list_display = ["username", "first_name", "last_name", "role", "is_active", "last_login"]
    list_filter = ["role", "is_active", "is_staff"]
    autocomplete_fields = ["units", "agencies"]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_national_admin:
            return qs
        from cchc_portal.scoping import scope_for

        scope = scope_for(request.user)
        # Province administrators manage the users of their own province only.
        return qs.filter(units__in=scope.province_ids).distinct() | qs.filter(pk=request.user.pk)
