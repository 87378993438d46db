from django.contrib import admin

from cchc_portal.admin import ReferenceDataAdminMixin, ScopedAdminMixin, ScopedChoicesMixin

from .models import (
    AdministrativeUnit,
    Agency,
    AgencySuccession,
    SteeringCommittee,
    SteeringCommitteeMember,
    UnitSuccession,
)


class SuccessionInline(ScopedChoicesMixin, admin.TabularInline):
    model = UnitSuccession
    fk_name = "successor"
    raw_id_fields = ["predecessor"]
    extra = 0


@admin.register(AdministrativeUnit)
class AdministrativeUnitAdmin(ReferenceDataAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["code", "name", "level", "type", "parent", "valid_from", "valid_to"]
    list_filter = ["level", "type", ("valid_to", admin.EmptyFieldListFilter)]
    search_fields = ["code", "name", "name_folded"]
    raw_id_fields = ["parent", "province"]
    list_select_related = ["parent"]
    inlines = [SuccessionInline]

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if request.GET.get("model_name") == "user" and request.GET.get("field_name") == "units":
            # Choosing a user's units (Users admin autocomplete): only units the administrator may grant.
            queryset = queryset.in_scope_of(request.user)
        return queryset, may_have_duplicates


class AgencySuccessionInline(ScopedChoicesMixin, admin.TabularInline):
    model = AgencySuccession
    fk_name = "successor"
    raw_id_fields = ["predecessor"]
    extra = 0


@admin.register(Agency)
class AgencyAdmin(ScopedAdminMixin, admin.ModelAdmin):
    unit_field = "commune"
    list_display = ["name", "province", "kind", "valid_from", "valid_to"]
    list_filter = ["kind", ("valid_to", admin.EmptyFieldListFilter)]
    search_fields = ["name", "name_folded", "short_name"]
    raw_id_fields = ["province", "commune"]
    list_select_related = ["province"]
    inlines = [AgencySuccessionInline]


class MemberInline(ScopedChoicesMixin, admin.TabularInline):
    model = SteeringCommitteeMember
    raw_id_fields = ["agency"]
    extra = 0


@admin.register(SteeringCommittee)
class SteeringCommitteeAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "province", "establishing_decision_number", "regulation_decision_number"]
    raw_id_fields = ["province"]
    inlines = [MemberInline]


@admin.register(UnitSuccession)
class UnitSuccessionAdmin(ReferenceDataAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    unit_field = "successor"
    list_display = ["predecessor", "successor", "kind", "effective_date"]
    list_filter = ["kind", "effective_date"]
    raw_id_fields = ["predecessor", "successor"]
    search_fields = ["predecessor__name", "successor__name"]
