"""Methodologies are reference data: national administrators edit them; others read them."""

from django.contrib import admin

from .models import IndexGroup, Indicator, Methodology, PublishedScore


class NationalOnlyEdit:
    def has_add_permission(self, request, *args) -> bool:
        return request.user.is_national_admin

    def has_change_permission(self, request, obj=None) -> bool:
        return request.user.is_national_admin

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_national_admin


class IndicatorInline(NationalOnlyEdit, admin.TabularInline):
    model = Indicator
    extra = 0


class IndexGroupInline(NationalOnlyEdit, admin.TabularInline):
    model = IndexGroup
    extra = 0


@admin.register(Methodology)
class MethodologyAdmin(NationalOnlyEdit, admin.ModelAdmin):
    list_display = ["name", "valid_from", "source"]
    inlines = [IndexGroupInline]


@admin.register(IndexGroup)
class IndexGroupAdmin(NationalOnlyEdit, admin.ModelAdmin):
    list_display = ["name", "methodology", "max_points", "order"]
    list_filter = ["methodology"]
    inlines = [IndicatorInline]


@admin.register(PublishedScore)
class PublishedScoreAdmin(admin.ModelAdmin):
    """Read-only: published figures change only through the audited import."""

    list_display = ["period", "province", "unit", "agency", "total", "imported_at"]
    list_filter = ["period"]

    def get_queryset(self, request):
        return super().get_queryset(request).for_user(request.user).select_related("province", "unit", "agency")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
