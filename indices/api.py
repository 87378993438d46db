"""REST API: read-only indices, editions and components, and the rankings of an edition."""

from __future__ import annotations

import django_filters
from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from .models import Component, Edition, Index, Ranking


class IndexSerializer(serializers.ModelSerializer):
    years = serializers.SerializerMethodField()

    class Meta:
        model = Index
        fields = ["id", "code", "name_vi", "name_en", "owner_province", "publisher", "years"]

    def get_years(self, index) -> list[int]:
        return sorted(e.year for e in index.editions.all())


class IndexViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = IndexSerializer
    filterset_fields = ["code", "owner_province"]

    def get_queryset(self):
        return Index.objects.for_user(self.request.user).prefetch_related("editions").order_by("order", "code")


class EditionFilter(django_filters.FilterSet):
    index = django_filters.CharFilter(field_name="index__code", lookup_expr="iexact")

    class Meta:
        model = Edition
        fields = ["index", "year", "subject_level"]


class EditionSerializer(serializers.ModelSerializer):
    index = serializers.CharField(source="index.code")

    class Meta:
        model = Edition
        fields = [
            "id",
            "index",
            "year",
            "methodology_ref",
            "subject_level",
            "maximum",
            "unit_label",
            "aggregation",
            "group_thresholds",
            "notes",
        ]


class EditionViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = EditionSerializer
    filterset_class = EditionFilter

    def get_queryset(self):
        return Edition.objects.for_user(self.request.user).select_related("index").order_by("index__code", "year")


class ComponentFilter(django_filters.FilterSet):
    index = django_filters.CharFilter(field_name="edition__index__code", lookup_expr="iexact")
    year = django_filters.NumberFilter(field_name="edition__year")

    class Meta:
        model = Component
        fields = ["edition", "index", "year", "kind"]


class ComponentSerializer(serializers.ModelSerializer):
    parent_code = serializers.CharField(source="parent.code", default=None, read_only=True, allow_null=True)

    class Meta:
        model = Component
        fields = [
            "id",
            "edition",
            "code",
            "name_vi",
            "name_en",
            "kind",
            "parent",
            "parent_code",
            "max_score",
            "max_is_provisional",
            "order",
        ]


class ComponentViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ComponentSerializer
    filterset_class = ComponentFilter

    def get_queryset(self):
        return (
            Component.objects.for_user(self.request.user).select_related("parent").order_by("edition", "order", "code")
        )


def _number(value):
    return None if value is None else float(value)


class RankingsView(APIView):
    """The ranking of one index and year, ordered by rank (ties share a rank: 1, 2, 2, 4)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("index", OpenApiTypes.STR, required=True, description="Index code, e.g. PAPI"),
            OpenApiParameter("year", OpenApiTypes.INT, required=True),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        code, year = request.query_params.get("index"), request.query_params.get("year")
        if not code or not (year or "").isdigit():
            raise ValidationError({"detail": "index and year are required, e.g. ?index=PAPI&year=2023"})
        edition = get_object_or_404(
            Edition.objects.for_user(request.user).select_related("index"), index__code__iexact=code, year=int(year)
        )
        rankings = Ranking.objects.filter(edition=edition).select_related("unit", "agency").order_by("rank", "pk")
        groups = edition.group_labels()
        results = [
            {
                "unit_code": r.subject_code,
                "unit_name": r.subject.name,
                "score": _number(r.score),
                "rank": r.rank,
                "previous_rank": r.previous_rank,
                "rank_change": r.rank_change,
                "score_change": _number(r.score_change),
                "group": r.group or None,
                "group_label": groups.get(r.group, r.group) or None,
                "points": _number(r.points),
                "points_max": _number(r.points_max),
                "predecessors": r.predecessors,
                "components": {k: float(v) for k, v in r.components.items()},
            }
            for r in rankings
        ]
        first = rankings[0] if results else None
        return Response(
            {
                "index": edition.index.code,
                "year": edition.year,
                "ranked": len(results),
                "subjects": first.subject_count if first else edition.subjects().count(),
                "computed_at": first.computed_at if first else None,
                "results": results,
            }
        )


urlpatterns = [path("rankings/", RankingsView.as_view(), name="api-rankings")]


def register(router) -> None:
    router.register("indices", IndexViewSet, basename="index")
    router.register("index-editions", EditionViewSet, basename="index-edition")
    router.register("index-components", ComponentViewSet, basename="index-component")
