"""REST API: methodologies with their trees, rounds, a unit's assessment (read; self-scores written
while self-assessment is open). Published results are read through indices' `rankings/` endpoint.

Internal notes appear only for users who appraise the criterion's area (or the secretary).
"""

from __future__ import annotations

import django_filters
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from audit.models import AuditSource
from cchc_portal.concurrency import STALE_MESSAGE, StaleObjectError

from .models import STAGE_ORDER, Assessment, Criterion, Methodology, Round, Score, Stage
from .scoring import appraised_area_ids, explanation_answer_save, is_secretary, parse_points, self_score_save


class AssessmentCriterionSerializer(serializers.ModelSerializer):
    parent_code = serializers.CharField(source="parent.code", default=None, read_only=True)

    class Meta:
        model = Criterion
        fields = ["id", "code", "name", "kind", "parent_code", "max_points", "guide", "evidence_required", "by_survey"]


class AssessmentMethodologySerializer(serializers.ModelSerializer):
    province = serializers.CharField(source="province.code")
    criteria = AssessmentCriterionSerializer(many=True, read_only=True)

    class Meta:
        model = Methodology
        fields = [
            "id",
            "province",
            "year",
            "group",
            "name",
            "decision_ref",
            "bonus_cap",
            "penalty_cap",
            "bands",
            "is_sample",
            "criteria",
        ]


class AssessmentMethodologyViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = AssessmentMethodologySerializer
    filterset_fields = ["year", "group"]

    def get_queryset(self):
        return (
            Methodology.objects.for_user(self.request.user)
            .select_related("province")
            .prefetch_related("criteria__parent")
            .order_by("-year", "group")
        )


class AssessmentRoundFilter(django_filters.FilterSet):
    province = django_filters.CharFilter(field_name="methodology__province__code")
    year = django_filters.NumberFilter(field_name="methodology__year")
    group = django_filters.CharFilter(field_name="methodology__group")

    class Meta:
        model = Round
        fields = ["province", "year", "group", "stage"]


class AssessmentRoundSerializer(serializers.ModelSerializer):
    province = serializers.CharField(source="methodology.province.code")
    year = serializers.IntegerField(source="methodology.year")
    group = serializers.CharField(source="methodology.group")
    index_edition = serializers.SerializerMethodField()

    class Meta:
        model = Round
        fields = [
            "id", "methodology", "province", "year", "group", "stage", "self_opens", "self_closes",
            "appraisal1_closes", "explanation_closes", "appraisal2_closes", "decision_number", "decision_date",
            "signer", "published_at", "index_edition",
        ]  # fmt: skip

    def get_index_edition(self, round_) -> dict | None:
        edition = round_.index_edition
        return {"index": edition.index.code, "year": edition.year} if edition else None


class AssessmentRoundViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = AssessmentRoundSerializer
    filterset_class = AssessmentRoundFilter

    def get_queryset(self):
        return (
            Round.objects.for_user(self.request.user)
            .select_related("methodology__province", "index_edition__index")
            .order_by("-methodology__year", "pk")
        )


def _score_row(score: Score, *, appraisal_visible: bool, internal_visible: bool) -> dict:
    row = {
        "id": score.pk,
        "criterion": score.criterion.code,
        "max_points": score.max_points,
        "applicable": score.applicable,
        "by_survey": score.by_survey,
        "answer": score.answer,
        "declared_value": score.declared_value,
        "self_score": score.self_score,
        "self_explanation": score.self_explanation,
        "self_note": score.self_note,
        "explanation_answer": score.explanation_answer,
        "version": score.version,
    }
    if appraisal_visible:
        row.update(
            appraised_score=score.appraised_score, appraisal_note=score.appraisal_note, survey_score=score.survey_score
        )
    if internal_visible:
        row["internal_note"] = score.internal_note
    return row


def _get_assessment(request, pk: int) -> Assessment:
    return get_object_or_404(
        Assessment.objects.for_user(request.user).select_related("round__methodology", "agency", "unit"), pk=pk
    )


class AssessmentView(APIView):
    """A unit's assessment: its scores per criterion (internal notes only for the criterion's appraisers)."""

    @extend_schema(responses={200: dict})
    def get(self, request, pk: int):
        assessment = _get_assessment(request, pk)
        round_ = assessment.round
        member = assessment.is_member(request.user)
        areas = appraised_area_ids(request.user, round_)
        secretary = is_secretary(request.user, round_)
        appraisal_visible = not member or STAGE_ORDER.index(round_.stage) >= STAGE_ORDER.index(Stage.EXPLANATION)
        scores = assessment.scores.select_related("criterion").order_by("criterion__order")
        return Response(
            {
                "id": assessment.pk,
                "round": round_.pk,
                "unit": assessment.subject_name,
                "stage": round_.stage,
                "submitted_at": assessment.submitted_at,
                "explanation_request": assessment.explanation_request if appraisal_visible else "",
                "scores": [
                    _score_row(
                        s,
                        appraisal_visible=appraisal_visible,
                        internal_visible=not member and (secretary or s.area_id in areas),
                    )
                    for s in scores
                ],
            }
        )


class SelfScoreInput(serializers.Serializer):
    version = serializers.IntegerField(min_value=0)
    answer = serializers.CharField(required=False, allow_blank=True)
    declared_value = serializers.CharField(required=False, allow_blank=True, max_length=255)
    self_score = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    self_explanation = serializers.CharField(required=False, allow_blank=True)
    self_note = serializers.CharField(required=False, allow_blank=True)
    explanation_answer = serializers.CharField(required=False, allow_blank=True)


class SelfScoreView(APIView):
    """The unit writes one criterion while its stage is open: the self-score during self-assessment,
    its explanation during the explanation stage (same rules and messages as the pages)."""

    @extend_schema(request=SelfScoreInput, responses={200: dict})
    def patch(self, request, pk: int, score_pk: int):
        assessment = _get_assessment(request, pk)
        score = get_object_or_404(assessment.scores.select_related("criterion", "assessment__round"), pk=score_pk)
        data = SelfScoreInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        version = values.pop("version")
        try:
            if "explanation_answer" in values:
                explanation_answer_save(score, actor=request.user, version=version, text=values["explanation_answer"])
            else:
                if "self_score" in values:
                    values["self_score"] = parse_points(values["self_score"])
                self_score_save(score, actor=request.user, version=version, data=values, source=AuditSource.API)
        except PermissionDenied as exc:
            raise ApiPermissionDenied from exc
        except StaleObjectError:
            return Response({"detail": str(STALE_MESSAGE)}, status=status.HTTP_409_CONFLICT)
        except ValidationError as exc:
            return Response({"detail": exc.messages}, status=status.HTTP_400_BAD_REQUEST)
        return Response(_score_row(score, appraisal_visible=False, internal_visible=False))


urlpatterns = [
    path("assessments/<int:pk>/", AssessmentView.as_view(), name="api-assessment"),
    path("assessments/<int:pk>/scores/<int:score_pk>/", SelfScoreView.as_view(), name="api-assessment-score"),
]


def register(router) -> None:
    router.register("assessment-methodologies", AssessmentMethodologyViewSet, basename="assessment-methodology")
    router.register("assessment-rounds", AssessmentRoundViewSet, basename="assessment-round")
