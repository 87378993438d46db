"""The province's own index in the admin, scoped like the pages.

Methodology trees are reference data here (read-only below a national administrator): a province edits
its tree on the methodology page, which checks the tree and locks it once a round is open. Rounds,
assessments and scores are read here; they change on the pages, where the stages and deadlines run.
"""

from django.contrib import admin

from cchc_portal.admin import ReferenceDataAdminMixin, ScopedAdminMixin

from .models import Assessment, Criterion, Methodology, Round, Score


class _ReadOnlyAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Listed and opened in scope; written only on the pages."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CriterionInline(ReferenceDataAdminMixin, admin.TabularInline):
    model = Criterion
    extra = 0
    fields = ["order", "code", "name", "kind", "parent", "max_points", "by_survey"]
    raw_id_fields = ["parent"]
    show_change_link = False


@admin.register(Methodology)
class MethodologyAdmin(ReferenceDataAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "year", "group", "province", "is_sample"]
    list_filter = ["year", "group"]
    list_select_related = ["province"]
    search_fields = ["name", "decision_ref"]
    inlines = [CriterionInline]


@admin.register(Round)
class RoundAdmin(_ReadOnlyAdmin):
    province_field = "methodology__province"
    list_display = ["__str__", "stage", "self_closes", "appraisal2_closes", "decision_number", "published_at"]
    list_filter = ["stage", "methodology__year"]
    list_select_related = ["methodology__province"]


@admin.register(Assessment)
class AssessmentAdmin(_ReadOnlyAdmin):
    province_field = "round__methodology__province"
    list_display = ["__str__", "submitted_at", "explanation_requested_at", "explained_at"]
    list_filter = ["round__methodology__year", "round__stage"]
    list_select_related = ["round__methodology__province", "agency", "unit"]
    search_fields = ["agency__name", "unit__name"]
    exclude = ["signed_report"]  # downloaded through the permission-checked page, never by a storage URL


@admin.register(Score)
class ScoreAdmin(_ReadOnlyAdmin):
    province_field = "assessment__round__methodology__province"
    list_display = ["criterion", "assessment", "self_score", "appraised_score", "survey_score", "applicable"]
    list_filter = ["assessment__round__methodology__year", "applicable", "kind"]
    list_select_related = [
        "criterion",
        "assessment__round__methodology__province",
        "assessment__agency",
        "assessment__unit",
    ]
    search_fields = ["criterion__code", "assessment__agency__name", "assessment__unit__name"]
