from django.contrib import admin

from cchc_portal.admin import ScopedAdminMixin, ScopedChoicesMixin

from .models import Plan, PlanArea, PlanFigures, Task, TaskCriterion


class PlanAreaInline(ScopedChoicesMixin, admin.TabularInline):
    model = PlanArea
    extra = 0


@admin.register(Plan)
class PlanAdmin(ScopedAdminMixin, admin.ModelAdmin):
    unit_field = "unit"
    list_display = ["title", "unit", "year", "decision_number"]
    list_filter = ["year"]
    search_fields = ["title", "unit__name"]
    raw_id_fields = ["unit", "agency"]
    inlines = [PlanAreaInline]


class TaskCriterionInline(ScopedChoicesMixin, admin.TabularInline):
    model = TaskCriterion
    extra = 0


@admin.register(Task)
class TaskAdmin(ScopedAdminMixin, admin.ModelAdmin):
    province_field = "plan__province"
    unit_field = "plan__unit"
    list_display = ["__str__", "plan", "lead_agency", "deadline", "status"]
    list_filter = ["status", "plan__year"]
    search_fields = ["title", "number"]
    raw_id_fields = ["plan", "area", "lead_agency", "coordinating_agencies"]
    inlines = [TaskCriterionInline]
    readonly_fields = ["overdue_since", "last_progress_at"]


@admin.register(PlanFigures)
class PlanFiguresAdmin(ScopedAdminMixin, admin.ModelAdmin):
    province_field = "plan__province"
    unit_field = "plan__unit"
    list_display = ["plan", "total", "completed", "overdue", "completion_rate", "computed_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(plan__in=Plan.objects.for_user(request.user))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
