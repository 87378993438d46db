"""Templates are edited here (sections and figures for the next rounds); rounds and reports are read here and
changed on the pages, where the state machine runs."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from cchc_portal.admin import ScopedAdminMixin
from cchc_portal.scoping import primary_province_id

from .models import ReportFigure, ReportRound, ReportSection, ReportTemplate, UnitReport


class _LockedWhenUsed:
    """Inline rows of a template version that a round uses are read-only: copy the version instead."""

    def _editable(self, request, obj) -> bool:
        if obj is None:
            return True
        if obj.in_use:
            return False
        if obj.province_id is None:
            return request.user.is_national_admin
        return request.user.can_manage_province(obj.province_id)

    def has_add_permission(self, request, obj=None):
        return self._editable(request, obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False  # retire a row instead, so the numbering of old rounds stays readable


class ReportSectionInline(_LockedWhenUsed, admin.TabularInline):
    model = ReportSection
    extra = 0
    fields = ["order", "code", "title", "guidance", "retired"]


class ReportFigureInline(_LockedWhenUsed, admin.TabularInline):
    model = ReportFigure
    extra = 0
    fields = ["order", "code", "group", "label", "unit", "value_type", "combine", "auto_source", "min_value",
              "max_value", "at_most", "rate_numerator", "rate_denominator", "retired"]  # fmt: skip


@admin.action(description=_("Make a new version for the next rounds"))
def make_new_version(modeladmin, request, queryset):
    province_id = None if request.user.is_national_admin else primary_province_id(request.user)
    if not request.user.is_national_admin and not request.user.is_province_admin:
        return
    for template in queryset:
        from provinces.models import AdministrativeUnit

        province = AdministrativeUnit.objects.get(pk=province_id) if province_id else template.province
        copy = template.new_version(province=province)
        messages.success(request, _("Created %(template)s.") % {"template": copy})


@admin.register(ReportTemplate)
class ReportTemplateAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "version", "province", "created_at"]
    inlines = [ReportSectionInline, ReportFigureInline]
    actions = [make_new_version]
    readonly_fields = ["province", "version", "created_at"]

    def has_add_permission(self, request):
        return False  # a version starts as a copy (action), never empty

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.province_id is None and not request.user.is_national_admin:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReportRound)
class ReportRoundAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "internal_deadline", "template"]
    list_filter = ["year", "kind"]
    readonly_fields = ["province", "year", "kind", "template", "opened_at", "opened_by", "texts"]
    fields = ["province", "year", "kind", "template", "internal_deadline", "opened_at", "opened_by",
              "document_number", "document_date", "signer_title", "signer_position", "signer_name", "recipients"]  # fmt: skip

    def has_add_permission(self, request):
        return False  # opened on the reports page (lists the expected units)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(UnitReport)
class UnitReportAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["agency", "round", "status", "first_submitted_at"]
    list_filter = ["status", "round__year"]
    search_fields = ["agency__name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # transitions run on the pages and API, through UnitReport.apply

    def has_delete_permission(self, request, obj=None):
        return False
