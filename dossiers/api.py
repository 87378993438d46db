"""REST API: the push endpoint for one-stop systems and the statistics read from the summary table."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Role
from cchc_portal.lib.workdays import first_of_month
from cchc_portal.scoping import scope_for
from provinces.models import AdministrativeUnit, UnitLevel

from . import importing, stats
from .models import DossierSummary

MAX_BULK_ROWS = 5000


@extend_schema_field({"oneOf": [{"type": "string"}, {"type": "number"}, {"type": "boolean"}]})
class CellField(serializers.Field):
    """A cell as a file would hold it (text, a number or true/false), read by the file import's parser."""

    def to_internal_value(self, data):
        if data is None or isinstance(data, str | int | float | bool):
            return data
        raise ValidationError(_("Expected text, a number or true/false."))

    def to_representation(self, value):
        return value


class BulkDossierSerializer(serializers.Serializer):
    receipt_number = serializers.CharField()
    procedure_code = serializers.CharField()
    procedure_name = serializers.CharField(required=False)
    procedure_level = serializers.ChoiceField(choices=["province", "commune"], required=False)
    unit_code = serializers.CharField(help_text="Official code of the receiving province or commune.")
    agency = serializers.CharField(required=False, help_text="Agency name as in the portal.")
    channel = serializers.ChoiceField(choices=["in_person", "post", "online_full", "online_partial"], required=False)
    received_at = serializers.CharField(help_text="dd/mm/yyyy [HH:MM] or ISO 8601.")
    due_at = serializers.CharField(required=False)
    paused_days = serializers.IntegerField(required=False)
    finished_at = serializers.CharField(required=False)
    returned_at = serializers.CharField(required=False)
    status = serializers.ChoiceField(
        choices=["in_progress", "finished", "rejected", "withdrawn", "paused"], required=False
    )
    # Decision 766 facts, optional and checked as the file import checks its columns. A field
    # any dossier of the request gives is a column of the request: a dossier without it reads
    # as an empty cell ("no"); a field no dossier gives stays "no data".
    supplement_count = CellField(required=False, allow_null=True, help_text="Supplementation requests (0-99).")
    supplement_requested_at = CellField(required=False, allow_null=True, help_text="dd/mm/yyyy or ISO 8601.")
    supplement_completed_at = CellField(required=False, allow_null=True, help_text="dd/mm/yyyy or ISO 8601.")
    supplement_days = CellField(required=False, allow_null=True, help_text="Days waited for supplementation.")
    e_result = CellField(required=False, allow_null=True, help_text="Yes/no or a result file link.")
    fee_bearing = CellField(required=False, allow_null=True, help_text="Yes/no, the fee amount or 'Miễn phí'.")
    paid_online = CellField(required=False, allow_null=True, help_text="Yes/no or the payment channel.")
    digitised = CellField(required=False, allow_null=True)
    reused = CellField(required=False, allow_null=True)
    vneid = CellField(required=False, allow_null=True)
    complaint = CellField(required=False, allow_null=True)


# The documented input is the real input: the importer reads exactly the serializer's fields.
BULK_FIELDS = list(BulkDossierSerializer().fields)


class BulkResultSerializer(serializers.Serializer):
    received = serializers.IntegerField()
    inserted = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    errors = serializers.ListField(child=serializers.DictField())


class BulkInputErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(allow_null=True, help_text="1-based position in the list; null for the body.")
    field = serializers.CharField(allow_null=True)
    message = serializers.CharField()


class BulkErrorSerializer(serializers.Serializer):
    errors = BulkInputErrorSerializer(many=True)


def import_scope_for(user) -> importing.Scope:
    """Who may push which units: national admins any; province admins their provinces (or communes);
    a one-stop system's service account the units attached to it (and its agencies' units).
    Agency officers, leaders and viewers may not: the bulk API overwrites dossiers."""
    if user.is_national_admin:
        return importing.Scope()
    if user.role not in (Role.PROVINCE_ADMIN, Role.SERVICE_ACCOUNT):
        raise PermissionDenied(_("Only one-stop systems' service accounts and administrators may push dossiers."))
    scope = scope_for(user)
    return importing.Scope(scope.province_ids, scope.commune_ids)


def _validation_errors(errors) -> list[dict]:
    """DRF's per-item errors ({index: {field: [messages]}}) as one flat list: row (1-based), field, message."""
    items = enumerate(errors) if isinstance(errors, list) else errors.items()
    flat = []
    for index, item in items:
        if not isinstance(index, int):
            flat.extend({"row": None, "field": None, "message": m} for m in _messages(item))
            continue
        for field, messages in (item or {}).items():
            name = None if field == "non_field_errors" else field
            flat.extend({"row": index + 1, "field": name, "message": m} for m in _messages(messages))
    return flat


def _messages(value) -> list[str]:
    if isinstance(value, dict):
        return [m for v in value.values() for m in _messages(v)]
    if isinstance(value, list):
        return [m for v in value for m in _messages(v)]
    return [str(value)]


class DossierBulkView(APIView):
    """Push up to 5,000 dossiers; the same validation and upsert as the file import."""

    @extend_schema(
        request=BulkDossierSerializer(many=True), responses={200: BulkResultSerializer, 400: BulkErrorSerializer}
    )
    def post(self, request):
        scope = import_scope_for(request.user)
        if isinstance(request.data, list) and len(request.data) > MAX_BULK_ROWS:
            return Response(
                {
                    "errors": [
                        {
                            "row": None,
                            "field": None,
                            "message": _("At most %(n)d dossiers per request.") % {"n": MAX_BULK_ROWS},
                        }
                    ]
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        serializer = BulkDossierSerializer(data=request.data, many=True)
        if not serializer.is_valid():
            return Response({"errors": _validation_errors(serializer.errors)}, status=status.HTTP_400_BAD_REQUEST)
        rows = serializer.validated_data
        given = {name for item in rows for name in item}
        columns = {
            name: index
            for index, name in enumerate(BULK_FIELDS)
            if name not in importing.SERVICE_FIELDS or name in given
        }

        def cells():
            for number, item in enumerate(rows, start=1):
                yield number, [_plain(item.get(name)) for name in BULK_FIELDS]

        report = importing.import_rows(
            cells(), columns=columns, scope=scope, headers=BULK_FIELDS, progress_every=MAX_BULK_ROWS
        )
        body = {
            "received": report.total_rows,
            "inserted": report.inserted,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "errors": report.errors_sample,
        }
        return Response(body, status=status.HTTP_200_OK)


def _plain(value):
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


class StatsSerializer(serializers.Serializer):
    received = serializers.IntegerField()
    carried_over = serializers.IntegerField()
    finished = serializers.IntegerField()
    early = serializers.IntegerField()
    on_time = serializers.IntegerField()
    late = serializers.IntegerField()
    in_progress = serializers.IntegerField()
    overdue = serializers.IntegerField()
    on_time_rate = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    late_rate = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)


def _date_param(request, name: str, default: dt.date) -> dt.date:
    text = request.query_params.get(name)
    if not text:
        return default
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValidationError({name: "Use YYYY-MM-DD."}) from None


def _rates(figures: dict) -> dict:
    return {
        **figures,
        "on_time_rate": None if figures["on_time_rate"] is None else str(figures["on_time_rate"]),
        "late_rate": None if figures["late_rate"] is None else str(figures["late_rate"]),
    }


class DossierStatsView(APIView):
    """Figures for a province or commune over whole months (from's month to to's month)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("unit", str, required=True, description="Official code of a current province or commune."),
            OpenApiParameter("from", str, description="YYYY-MM-DD; counted from the first day of its month."),
            OpenApiParameter("to", str, description="YYYY-MM-DD; counted to the last day of its month."),
            OpenApiParameter("group_by", str, enum=["agency", "commune", "month"]),
        ],
        responses=StatsSerializer,
    )
    def get(self, request):
        from .models import default_period

        code = request.query_params.get("unit", "")
        scope = scope_for(request.user)
        units = AdministrativeUnit.objects.filter(
            valid_to__isnull=True, level__in=[UnitLevel.PROVINCE, UnitLevel.COMMUNE]
        )
        if not scope.all:
            units = units.filter(
                Q(pk__in=scope.province_ids) | Q(province_id__in=scope.province_ids) | Q(pk__in=scope.commune_ids)
            )
        level = UnitLevel.PROVINCE if len(code) <= 2 else UnitLevel.COMMUNE
        unit = get_object_or_404(units, code=code, level=level)
        first_default, last_default = default_period()
        first = first_of_month(_date_param(request, "from", first_default))
        last = first_of_month(_date_param(request, "to", last_default))
        if last < first:
            raise ValidationError({"to": "Must not be before from."})
        summaries = stats.summaries_for_unit(unit, DossierSummary.objects.for_user(request.user))
        body = {
            "unit": {"code": unit.code, "name": unit.name, "level": unit.level},
            "from": first.isoformat(),
            "to": last.isoformat(),
            **_rates(stats.period(summaries, first, last)),
        }
        group_by = request.query_params.get("group_by")
        if group_by in ("agency", "commune"):
            body["groups"] = [_rates(row) for row in stats.grouped(summaries, first, last, group_by)]
        elif group_by == "month":
            body["groups"] = [
                {**_rates(row), "month": row["month"].isoformat()} for row in stats.monthly(summaries, first, last)
            ]
        elif group_by:
            raise ValidationError({"group_by": "agency, commune or month"})
        return Response(body)


urlpatterns = [
    path("dossiers/bulk", DossierBulkView.as_view(), name="dossier-bulk"),
    path("dossier-stats/", DossierStatsView.as_view(), name="dossier-stats"),
]


def register(router) -> None:
    pass
