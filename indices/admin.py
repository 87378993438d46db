"""Admin for methodologies, scores (with the spreadsheet import) and rankings.

The import uses django-import-export's two-step flow (upload → preview →
confirm) as the shell; validation and writing are `indices.importing`, shared
with the `import_index_scores` command.
"""

from __future__ import annotations

import uuid

import tablib
from django import forms
from django.contrib import admin, messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportMixin
from import_export.formats import base_formats
from import_export.forms import ConfirmImportForm, ImportForm
from import_export.resources import ModelResource
from import_export.results import Result, RowResult

from accounts.models import Role
from audit.models import AuditSource
from cchc_portal.admin import ScopedAdminMixin, ScopedChoicesMixin
from cchc_portal.lib.imports import Rows, numbers_of
from cchc_portal.scoping import scope_for

from .forms import EditionChoiceField
from .importing import FileFormatError, apply_import, fmt, marked_workbook, plan_import, read_table
from .models import Component, Edition, Index, Ranking, Region, RegionMembership, Score, edition_copy_forward

MARKED_FILE_TIMEOUT = 3600


def importable_editions(user):
    """National indices: national administrators (or holders of indices.import_score with a national scope);
    a province's own index: that province's administrators."""
    qs = Edition.objects.select_related("index")
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    scope = scope_for(user)
    national = user.is_national_admin or (user.has_perm("indices.import_score") and scope.all)
    own = user.role == Role.PROVINCE_ADMIN or user.has_perm("indices.import_score")
    condition = Q(pk__in=[])
    if national:
        return qs
    if own and scope.province_ids:
        condition |= Q(index__owner_province_id__in=scope.province_ids)
    return qs.filter(condition)


def can_import(user) -> bool:
    return user.is_authenticated and (
        user.is_national_admin or user.role == Role.PROVINCE_ADMIN or user.has_perm("indices.import_score")
    )


def _rows_to_dataset(rows: list[list]) -> tablib.Dataset:
    width = max((len(r) for r in rows), default=0)
    padded = [list(r) + [None] * (width - len(r)) for r in rows]
    dataset = tablib.Dataset()
    if padded:
        dataset.headers = [("" if v is None else str(v)) for v in padded[0]]
        for row in padded[1:]:
            dataset.append(row)
    # The file's own row numbers (empty rows are not read), for the messages.
    dataset.row_numbers = numbers_of(rows)
    return dataset


class ScoreCSV(base_formats.CSV):
    """CSV read by our own reader: ',' ';' or tab, UTF-8 or Windows-1258, decimal commas kept as text."""

    def is_binary(self):
        return True

    def get_read_mode(self):
        return "rb"

    def create_dataset(self, in_stream, **kwargs):
        return _rows_to_dataset(read_table(in_stream, "upload.csv"))


class ScoreXLSX(base_formats.XLSX):
    def create_dataset(self, in_stream, **kwargs):
        return _rows_to_dataset(read_table(in_stream, "upload.xlsx"))


class ScoreImportForm(ImportForm):
    edition = EditionChoiceField(queryset=Edition.objects.none(), label=_("Index and year"))


class ScoreConfirmImportForm(ConfirmImportForm):
    edition = forms.ModelChoiceField(queryset=Edition.objects.all(), widget=forms.HiddenInput())


class ScoreResource(ModelResource):
    """Delegates to indices.importing; builds import-export's Result for the preview."""

    class Meta:
        model = Score
        fields = ()

    def import_data(self, dataset, dry_run=False, raise_errors=False, **kwargs):
        edition = kwargs["edition"]
        user = kwargs.get("user")
        rows = [list(dataset.headers or [])] + [list(row) for row in dataset]
        numbers = getattr(dataset, "row_numbers", None) or range(1, len(rows) + 1)
        raw_rows = Rows(zip(numbers, rows, strict=False))
        plan = plan_import(edition, raw_rows)
        if plan.ok and not dry_run:
            apply_import(plan, actor=user, source=AuditSource.ADMIN, note=f"{edition}: {kwargs.get('file_name', '')}")
        return self.as_result(plan)

    @staticmethod
    def as_result(plan) -> Result:
        result = Result()
        columns = [c for c in plan.columns if c.field == "value"]
        result.diff_headers = [str(_("Row")), str(_("Subject"))] + [c.header for c in columns]
        codes = [c.component.pk if c.component else None for c in columns]
        types = {"new": RowResult.IMPORT_TYPE_NEW, "update": RowResult.IMPORT_TYPE_UPDATE}
        for row in plan.rows:
            row_result = RowResult()
            row_result.import_type = types.get(row.status, RowResult.IMPORT_TYPE_SKIP)
            row_result.object_repr = row.subject.name
            row_result.diff = [row.number, row.subject.name] + [
                fmt(row.cells[c].value) + (" *" if row.cells[c].computed else "") if c in row.cells else ""
                for c in codes
            ]
            result.append_row_result(row_result)
            result.increment_row_result_total(row_result)
        by_row: dict = {}
        for problem in plan.errors:
            by_row.setdefault(problem.row or 0, {}).setdefault(problem.column_name or "__all__", []).append(
                problem.message
            )
        raw_by_number = dict(zip(numbers_of(plan.raw_rows), plan.raw_rows, strict=True))
        for number, errors in sorted(by_row.items()):
            raw = raw_by_number.get(number, [])
            values = {result.diff_headers[0]: number}
            if plan.subject_column is not None and plan.subject_column < len(raw):
                values[result.diff_headers[1]] = raw[plan.subject_column]
            result.append_invalid_row(number, values, ValidationError(errors))
        result.plan = plan
        return result


class ComponentInline(ScopedChoicesMixin, admin.TabularInline):
    model = Component
    fields = ["code", "name_vi", "name_en", "kind", "parent", "max_score", "max_is_provisional", "order"]
    extra = 0
    show_change_link = True

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "parent":
            edition_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = (
                Component.objects.filter(edition_id=edition_id) if edition_id else Component.objects.none()
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class IndicesAdminPermissions:
    """National administrators keep methodologies; province administrators their province's own indices."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff and can_import(request.user)

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request, *args):
        return request.user.is_national_admin

    def has_change_permission(self, request, obj=None):
        return request.user.is_national_admin

    def has_delete_permission(self, request, obj=None):
        return request.user.is_national_admin


@admin.register(Index)
class IndexAdmin(IndicesAdminPermissions, ScopedAdminMixin, admin.ModelAdmin):
    province_field = "owner_province"
    list_display = ["code", "name_vi", "owner_province", "order"]
    search_fields = ["code", "name_vi", "name_en"]


@admin.register(Edition)
class EditionAdmin(IndicesAdminPermissions, ScopedAdminMixin, admin.ModelAdmin):
    province_field = "index__owner_province"
    list_display = ["index", "year", "methodology_ref", "subject_level", "maximum", "unit_label"]
    list_filter = [("index", admin.RelatedOnlyFieldListFilter), "year", "subject_level"]
    inlines = [ComponentInline]
    actions = ["copy_forward"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("index")

    @admin.action(description=_("Copy the methodology to the next year"))
    def copy_forward(self, request, queryset):
        for edition in queryset:
            try:
                copy = edition_copy_forward(edition)
            except ValidationError as exc:
                self.message_user(request, "; ".join(exc.messages), messages.ERROR)
            else:
                self.message_user(request, _("Created %(edition)s; edit its components.") % {"edition": copy})


@admin.register(Component)
class ComponentAdmin(IndicesAdminPermissions, ScopedAdminMixin, admin.ModelAdmin):
    province_field = "edition__index__owner_province"
    list_display = ["edition", "code", "name_vi", "max_score", "max_is_provisional", "parent"]
    list_filter = [("edition__index", admin.RelatedOnlyFieldListFilter), "edition__year", "max_is_provisional"]
    search_fields = ["code", "name_vi", "name_en"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("edition__index", "parent")


@admin.register(Score)
class ScoreAdmin(IndicesAdminPermissions, ScopedAdminMixin, ImportMixin, admin.ModelAdmin):
    province_field = "edition__index__owner_province"
    list_display = ["edition", "unit", "agency", "component", "value", "computed", "updated_at"]
    list_filter = [("edition__index", admin.RelatedOnlyFieldListFilter), "edition__year"]
    search_fields = ["unit__name", "agency__name"]
    list_select_related = ["edition__index", "unit", "agency", "component"]
    raw_id_fields = ["unit", "agency", "component"]
    resource_classes = [ScoreResource]
    formats = [ScoreXLSX, ScoreCSV]
    import_form_class = ScoreImportForm
    confirm_form_class = ScoreConfirmImportForm
    import_template_name = "admin/indices/score/import.html"
    # Score changes are written to the audit log by indices.importing; no LogEntry per row.
    skip_admin_log = True

    def has_import_permission(self, request):
        return can_import(request.user) and importable_editions(request.user).exists()

    def get_import_formats(self):
        return self.formats

    def create_import_form(self, request):
        form = super().create_import_form(request)
        form.fields["edition"].queryset = importable_editions(request.user)
        return form

    def create_confirm_form(self, request, import_form=None):
        form = super().create_confirm_form(request, import_form)
        form.fields["edition"].queryset = importable_editions(request.user)
        return form

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:
            initial["edition"] = import_form.cleaned_data["edition"].pk
        return initial

    def get_import_data_kwargs(self, **kwargs):
        form = kwargs.get("form")
        data = super().get_import_data_kwargs(**kwargs)
        data.pop("request", None)
        if form is not None and "edition" in getattr(form, "cleaned_data", {}):
            data["edition"] = form.cleaned_data["edition"]
        return data

    def add_data_read_fail_error_to_form(self, form, e):
        form.add_error("import_file", str(e) if isinstance(e, FileFormatError) else repr(e))

    def import_action(self, request, **kwargs):
        response = super().import_action(request, **kwargs)
        result = getattr(response, "context_data", {}).get("result")
        plan = getattr(result, "plan", None)
        if plan is not None and plan.problems and plan.raw_rows:
            token = uuid.uuid4().hex
            cache.set(f"indices:marked:{token}", (request.user.pk, marked_workbook(plan)), MARKED_FILE_TIMEOUT)
            response.context_data["marked_file_url"] = reverse("admin:indices_score_marked_file", args=[token])
        if plan is not None:
            response.context_data["plan"] = plan
        return response

    def process_result(self, result, request):
        plan = result.plan
        for problem in plan.problems[:50]:
            self.message_user(request, str(problem), messages.ERROR if problem.level == "error" else messages.WARNING)
        self.message_user(request, plan.summary(), messages.SUCCESS if plan.ok else messages.ERROR)
        return super().process_result(result, request)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        from .jobs import enqueue_rankings

        enqueue_rankings(obj.edition_id)

    def add_success_message(self, result, request):
        pass

    def get_urls(self):
        return [
            path(
                "marked/<str:token>.xlsx",
                self.admin_site.admin_view(self.marked_file),
                name="indices_score_marked_file",
            )
        ] + super().get_urls()

    def marked_file(self, request, token: str):
        if not self.has_import_permission(request):
            raise PermissionDenied
        stored = cache.get(f"indices:marked:{token}")
        if stored is None or stored[0] != request.user.pk:
            raise Http404
        response = HttpResponse(
            stored[1], content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = 'attachment; filename="loi-nhap-diem.xlsx"'
        return response


@admin.register(Ranking)
class RankingAdmin(IndicesAdminPermissions, ScopedAdminMixin, admin.ModelAdmin):
    province_field = "edition__index__owner_province"
    list_display = ["edition", "rank", "unit", "agency", "score", "rank_change", "group", "computed_at"]
    # Only the indices the user may read (a province's own index is its province's).
    list_filter = [("edition__index", admin.RelatedOnlyFieldListFilter), "edition__year"]
    list_select_related = ["edition__index", "unit", "agency"]

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class RegionMembershipInline(ScopedChoicesMixin, admin.TabularInline):
    model = RegionMembership
    raw_id_fields = ["unit"]
    extra = 0


@admin.register(Region)
class RegionAdmin(IndicesAdminPermissions, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["code", "name_vi", "name_en", "order"]
    inlines = [RegionMembershipInline]
