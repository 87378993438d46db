from django.contrib import admin

from audit.admin import AuditedAdminMixin
from cchc_portal.admin import ScopedAdminMixin

from .models import (
    AdministrativeUnit,
    Agency,
    AgencySuccession,
    SteeringCommittee,
    SteeringCommitteeMember,
    UnitSuccession,
)


class SuccessionInline(admin.TabularInline):
    model = UnitSuccession
    fk_name = "successor"
    raw_id_fields = ["predecessor"]
    extra = 0


@admin.register(AdministrativeUnit)
class AdministrativeUnitAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["code", "name", "level", "type", "parent", "valid_from", "valid_to"]
    list_filter = ["level", "type", ("valid_to", admin.EmptyFieldListFilter)]
    search_fields = ["code", "name", "name_folded"]
    raw_id_fields = ["parent", "province"]
    list_select_related = ["parent"]
    inlines = [SuccessionInline]

    def has_change_permission(self, request, obj=None):
        # Reference data: only national administrators change it.
        return request.user.is_national_admin and super().has_change_permission(request, obj)

    def has_add_permission(self, request):
        return request.user.is_national_admin and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_national_admin and super().has_delete_permission(request, obj)


class AgencySuccessionInline(admin.TabularInline):
    model = AgencySuccession
    fk_name = "successor"
    raw_id_fields = ["predecessor"]
    extra = 0


@admin.register(Agency)
class AgencyAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "province", "kind", "valid_from", "valid_to"]
    list_filter = ["kind", ("valid_to", admin.EmptyFieldListFilter)]
    search_fields = ["name", "name_folded", "short_name"]
    raw_id_fields = ["province", "commune"]
    list_select_related = ["province"]
    inlines = [AgencySuccessionInline]


class MemberInline(admin.TabularInline):
    model = SteeringCommitteeMember
    raw_id_fields = ["agency"]
    extra = 0


@admin.register(SteeringCommittee)
class SteeringCommitteeAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "province", "establishing_decision_number", "regulation_decision_number"]
    raw_id_fields = ["province"]
    inlines = [MemberInline]


@admin.register(UnitSuccession)
class UnitSuccessionAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["predecessor", "successor", "kind", "effective_date"]
    list_filter = ["kind", "effective_date"]
    raw_id_fields = ["predecessor", "successor"]
    search_fields = ["predecessor__name", "successor__name"]
