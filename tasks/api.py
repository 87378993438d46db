"""REST API: plans (with stored figures), tasks, progress updates (read) and progress entry (write)."""

from __future__ import annotations

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from audit.models import AuditSource
from cchc_portal.concurrency import StaleObjectError

from .models import Plan, ProgressUpdate, Task, TaskStatus, overdue_q, today
from .progress import progress_record


class FiguresSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    completed = serializers.IntegerField()
    completed_late = serializers.IntegerField()
    in_progress = serializers.IntegerField()
    ongoing = serializers.IntegerField()
    not_started = serializers.IntegerField()
    overdue = serializers.IntegerField()
    completion_rate = serializers.FloatField(allow_null=True)
    computed_at = serializers.DateTimeField()


class PlanSerializer(serializers.ModelSerializer):
    unit_code = serializers.CharField(source="unit.code", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    areas = serializers.SerializerMethodField()
    figures = serializers.SerializerMethodField()

    class Meta:
        model = Plan
        fields = ["id", "unit", "unit_code", "unit_name", "agency", "province", "year", "title", "decision_number",
                  "decision_date", "areas", "figures"]  # fmt: skip

    def get_areas(self, plan) -> list[dict]:
        return [{"id": a.pk, "code": a.code, "name": a.name} for a in plan.areas.all()]

    @extend_schema(responses=FiguresSerializer(allow_null=True))
    def get_figures(self, plan) -> dict | None:
        figures = getattr(plan, "figures", None)
        if figures is None:
            return None
        data = FiguresSerializer(figures).data
        data["completion_rate"] = float(figures.completion_rate) if figures.completion_rate is not None else None
        return data


class PlanFilter(django_filters.FilterSet):
    unit_code = django_filters.CharFilter(field_name="unit__code")

    class Meta:
        model = Plan
        fields = ["year", "unit", "province", "unit_code"]


class PlanViewSet(viewsets.ReadOnlyModelViewSet):
    """Reform plans in the user's scope; `figures` are the stored results of the figures job."""

    serializer_class = PlanSerializer
    filterset_class = PlanFilter

    def get_queryset(self):
        return (
            Plan.objects.for_user(self.request.user)
            .select_related("unit", "figures")
            .prefetch_related("areas")
            .order_by("-year", "unit__code", "pk")
        )


class TaskSerializer(serializers.ModelSerializer):
    area_code = serializers.CharField(source="area.code", read_only=True)
    lead_agency_name = serializers.CharField(source="lead_agency.name", read_only=True)
    overdue = serializers.SerializerMethodField()
    completed_late = serializers.BooleanField(read_only=True)

    class Meta:
        model = Task
        fields = ["id", "plan", "area", "area_code", "number", "title", "lead_agency", "lead_agency_name",
                  "coordinating_agencies", "coordinating_note", "deadline", "recurring", "deadline_text",
                  "expected_output", "status", "completion_date", "percent", "overdue", "completed_late",
                  "last_progress_at", "version"]  # fmt: skip

    def get_overdue(self, task) -> bool:
        return task.is_overdue()


class TaskFilter(django_filters.FilterSet):
    agency = django_filters.NumberFilter(field_name="lead_agency_id", label="Lead agency id")
    status = django_filters.ChoiceFilter(choices=TaskStatus.choices)
    overdue = django_filters.BooleanFilter(method="filter_overdue")
    year = django_filters.NumberFilter(field_name="plan__year")

    class Meta:
        model = Task
        fields = ["plan", "agency", "status", "overdue", "area", "year"]

    def filter_overdue(self, queryset, name, value):
        return queryset.filter(overdue_q(today())) if value else queryset.exclude(overdue_q(today()))


class TaskViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = TaskSerializer
    filterset_class = TaskFilter

    def get_queryset(self):
        return (
            Task.objects.for_user(self.request.user)
            .select_related("area", "lead_agency")
            .prefetch_related("coordinating_agencies")
            .order_by("plan_id", "area__order", "order", "id")
        )


class ProgressUpdateSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.username", default=None, read_only=True)
    files = serializers.SerializerMethodField()

    class Meta:
        model = ProgressUpdate
        fields = ["id", "task", "author", "created_at", "period_year", "period", "status", "percent", "note",
                  "document_number", "document_date", "files"]  # fmt: skip

    def get_files(self, update) -> list[dict]:
        return [
            {"id": f.pk, "name": f.original_name, "size": f.size, "url": f.get_absolute_url()}
            for f in update.files.all()
        ]


class ProgressUpdateViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ProgressUpdateSerializer
    filterset_fields = ["task", "period_year", "period"]

    def get_queryset(self):
        return (
            ProgressUpdate.objects.filter(task__in=Task.objects.for_user(self.request.user))
            .select_related("author")
            .prefetch_related("files")
            .order_by("-created_at", "-id")
        )


class ProgressInputSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=0, help_text="The task's version you started from.")
    status = serializers.ChoiceField(choices=TaskStatus.choices)
    percent = serializers.IntegerField(min_value=0, max_value=100, required=False, allow_null=True)
    completion_date = serializers.DateField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    document_number = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    document_date = serializers.DateField(required=False, allow_null=True)
    files = serializers.ListField(child=serializers.FileField(), required=False, default=list)


class ProgressCreateView(APIView):
    """Report progress on a task your agency leads (404 for any other task; 409 when stale)."""

    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(request=ProgressInputSerializer, responses={201: ProgressUpdateSerializer})
    def post(self, request, pk: int):
        task = get_object_or_404(Task.objects.editable_by(request.user), pk=pk)
        data = request.data.copy() if hasattr(request.data, "getlist") else dict(request.data)
        if hasattr(request.data, "getlist"):
            data.setlist("files", request.FILES.getlist("files"))
        serializer = ProgressInputSerializer(data=data)
        serializer.is_valid(raise_exception=True)
        values = serializer.validated_data
        try:
            update = progress_record(
                task=task,
                user=request.user,
                expected_version=values["version"],
                status=values["status"],
                percent=values.get("percent"),
                completion_date=values.get("completion_date"),
                note=values.get("note", ""),
                document_number=values.get("document_number", ""),
                document_date=values.get("document_date"),
                files=values.get("files", []),
                source=AuditSource.API,
            )
        except StaleObjectError:
            task.refresh_from_db()
            return Response(
                {"detail": _("Someone else changed this task first: reload it and apply your changes again."),
                 "current": TaskSerializer(task).data},
                status=status.HTTP_409_CONFLICT,
            )  # fmt: skip
        except DjangoValidationError as exc:
            return Response({"files": exc.messages}, status=status.HTTP_400_BAD_REQUEST)
        return Response(ProgressUpdateSerializer(update).data, status=status.HTTP_201_CREATED)


urlpatterns = [path("tasks/<int:pk>/progress/", ProgressCreateView.as_view(), name="task-progress-create")]


def register(router) -> None:
    router.register("plans", PlanViewSet, basename="plan")
    router.register("tasks", TaskViewSet, basename="task")
    router.register("progress-updates", ProgressUpdateViewSet, basename="progress-update")
