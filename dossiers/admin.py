from django.contrib import admin

from cchc_portal.admin import ReferenceDataAdminMixin, ScopedAdminMixin

from .models import Dossier, Holiday, ImportJob, ImportSource, Procedure


@admin.register(Holiday)
class HolidayAdmin(ReferenceDataAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["date", "name"]
    date_hierarchy = "date"


@admin.register(Procedure)
class ProcedureAdmin(ReferenceDataAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["code", "name", "level", "allowance_days", "time_limit", "time_limit_unit"]
    search_fields = ["code", "name"]
    list_filter = ["level"]


@admin.register(ImportSource)
class ImportSourceAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """A province's own header mapping is its administrators'; a national one (no province) national."""

    list_display = ["name", "province"]


@admin.register(Dossier)
class DossierAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["receipt_number", "receiving_unit", "procedure", "status", "outcome", "received_at", "due_date"]
    list_filter = ["outcome", "status", "channel"]
    search_fields = ["receipt_number"]
    list_select_related = ["receiving_unit", "procedure"]
    raw_id_fields = ["procedure", "receiving_unit", "province", "agency", "import_job"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False  # dossiers come from imports only: an add here would bypass the summaries

    def has_change_permission(self, request, obj=None):
        return False  # dossiers come from imports only

    def has_delete_permission(self, request, obj=None):
        return False  # the summaries are kept by the imports' deltas: a delete here would bypass them


@admin.register(ImportJob)
class ImportJobAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["original_name", "province", "status", "processed_rows", "error_rows", "created_by", "created_at"]
    list_filter = ["status"]
    readonly_fields = [f.name for f in ImportJob._meta.fields]

    def has_add_permission(self, request):
        return False  # jobs are created by an upload

    def has_change_permission(self, request, obj=None):
        return False  # read here; cancelled or rerun on the import pages
