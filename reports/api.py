"""REST API of the reporting cycle: rounds (with counts), submissions, consolidated figures, documents,
unit reports (read) and their transitions (write). Scoped like the pages."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from audit.models import AuditSource
from cchc_portal.concurrency import StaleObjectError
from cchc_portal.lib.periods import ReportingPeriod

from . import documents
from .consolidation import consolidate
from .models import Action, ReportRefused, ReportRound, ReportStatus, UnitReport


class RoundSerializer(serializers.ModelSerializer):
    province_code = serializers.CharField(source="province.code", read_only=True)
    period = serializers.SerializerMethodField()
    period_label = serializers.SerializerMethodField()
    due_date = serializers.DateField(read_only=True)
    counts = serializers.SerializerMethodField()

    class Meta:
        model = ReportRound
        fields = ["id", "province", "province_code", "year", "kind", "period", "period_label", "internal_deadline",
                  "due_date", "template", "document_number", "counts"]  # fmt: skip

    def get_period(self, rnd) -> str:
        return rnd.period.code

    def get_period_label(self, rnd) -> str:
        return rnd.period.label

    def get_counts(self, rnd) -> dict:
        counts = {s.value: getattr(rnd, f"n_{s.value}", 0) for s in ReportStatus}
        return {"expected": rnd.n_expected, "late": rnd.n_late, **counts}


class SubmissionSerializer(serializers.ModelSerializer):
    agency_name = serializers.CharField(source="agency.name", read_only=True)
    late = serializers.BooleanField(source="is_late", read_only=True)
    submitted_by = serializers.CharField(source="submitted_by.username", default=None, read_only=True)

    class Meta:
        model = UnitReport
        fields = ["id", "agency", "agency_name", "status", "first_submitted_at", "submitted_at", "submitted_by", "late"]


class UnitReportSerializer(SubmissionSerializer):
    class Meta:
        model = UnitReport
        fields = [*SubmissionSerializer.Meta.fields, "round", "values", "auto_values", "override_reasons", "texts",
                  "return_reason", "reopened_at", "reopen_reason", "version"]  # fmt: skip


@extend_schema(
    parameters=[
        OpenApiParameter("province", str, description="Province code, e.g. 52"),
        OpenApiParameter("period", str, description="2026-Q1, 2026-H1, 2026-Q3 (9 months) or 2026-Y"),
    ]
)
class RoundViewSet(viewsets.ReadOnlyModelViewSet):
    """Reporting rounds in the user's scope, each with its counts by state."""

    serializer_class = RoundSerializer

    def get_queryset(self):
        user = self.request.user
        if getattr(self, "swagger_fake_view", False) or getattr(user, "is_agency_officer", False):
            return ReportRound.objects.none()
        rounds = ReportRound.objects.for_user(user).select_related("province").with_counts().order_by("-year", "id")
        params = self.request.query_params
        if params.get("province"):
            rounds = rounds.filter(province__code=params["province"])
        if params.get("period"):
            period = ReportingPeriod.from_slug(params["period"])
            rounds = rounds.for_period(period) if period else rounds.none()
        return rounds

    @extend_schema(responses=SubmissionSerializer(many=True))
    @action(detail=True)
    def submissions(self, request, pk=None):
        rnd = self.get_object()
        reports = rnd.reports.select_related("agency", "submitted_by", "round").order_by("agency__kind", "agency__name")
        return Response(SubmissionSerializer(reports, many=True).data)

    @action(detail=True)
    def figures(self, request, pk=None):
        rnd = self.get_object()
        return Response(
            [
                {
                    "code": r["code"],
                    "label": r["label"],
                    "unit": r["unit"],
                    "value": float(r["value"]) if r["value"] is not None else None,
                    "units": r["units"],
                }
                for r in consolidate(rnd)
            ]  # fmt: skip
        )

    @action(detail=True, url_path="report.docx")
    def report_docx(self, request, pk=None):
        rnd = self.get_object()
        response = HttpResponse(documents.round_docx(rnd), content_type=documents.DOCX_TYPE)
        response["Content-Disposition"] = f'attachment; filename="bao-cao-cchc-{rnd.period.code}.docx"'
        return response

    @action(detail=True, url_path="annex.xlsx")
    def annex_xlsx(self, request, pk=None):
        rnd = self.get_object()
        response = HttpResponse(documents.annex_xlsx(rnd), content_type=documents.XLSX_TYPE)
        response["Content-Disposition"] = f'attachment; filename="phu-luc-cchc-{rnd.period.code}.xlsx"'
        return response


class UnitReportViewSet(viewsets.ReadOnlyModelViewSet):
    """Unit reports: a unit's officers see their unit's; province staff, leaders and viewers the province's."""

    serializer_class = UnitReportSerializer
    filterset_fields = ["round", "status", "agency"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return UnitReport.objects.none()
        return (
            UnitReport.objects.for_user(self.request.user)
            .select_related("agency", "submitted_by", "round")
            .order_by("round_id", "agency__name")
        )


class TransitionInputSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=Action.choices)
    version = serializers.IntegerField(min_value=0, help_text="The report's version you started from.")
    values = serializers.DictField(child=serializers.CharField(allow_blank=True), required=False)
    override_reasons = serializers.DictField(child=serializers.CharField(allow_blank=True), required=False)
    texts = serializers.DictField(child=serializers.CharField(allow_blank=True), required=False)
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class UnitReportTransitionView(APIView):
    """Save a draft or submit (the unit's officers), return, accept or reopen (province staff)."""

    @extend_schema(request=TransitionInputSerializer, responses={200: UnitReportSerializer})
    def post(self, request, pk: int):
        report = get_object_or_404(
            UnitReport.objects.for_user(request.user).filter(Q(pk=pk)).select_related("round__template", "agency"),
            pk=pk,
        )
        serializer = TransitionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if data["action"] in (Action.SAVE, Action.SUBMIT) and report.can_edit(request.user):
            report.refresh_auto_values()
        try:
            report.apply(
                data["action"],
                user=request.user,
                expected_version=data["version"],
                values=data.get("values"),
                reasons=data.get("override_reasons"),
                texts=data.get("texts"),
                reason=data.get("reason", ""),
                source=AuditSource.API,
            )
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        except StaleObjectError:
            report.refresh_from_db()
            return Response(
                {"detail": _("Someone else changed this report first; reload it."),
                 "current": UnitReportSerializer(report).data},
                status=status.HTTP_409_CONFLICT,
            )  # fmt: skip
        except ReportRefused as exc:
            return Response({"detail": exc.messages[0]}, status=status.HTTP_409_CONFLICT)
        except DjangoValidationError as exc:
            detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
            return Response(detail, status=status.HTTP_400_BAD_REQUEST)
        return Response(UnitReportSerializer(report).data)


urlpatterns = [
    path("unit-reports/<int:pk>/transition/", UnitReportTransitionView.as_view(), name="unit-report-transition"),
]


def register(router) -> None:
    router.register("report-rounds", RoundViewSet, basename="report-round")
    router.register("unit-reports", UnitReportViewSet, basename="unit-report")
