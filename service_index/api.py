"""/api/v1/service-index/: Decision 766 points, rates, numerators and denominators of a province or commune."""

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.scoping import scope_for
from cchc_portal.cache import cached, generations
from dossiers.models import DossierSummary, HandlingTimeSummary, local_today
from dossiers.stats import STATS_CACHE
from provinces.models import AdministrativeUnit, UnitLevel

from .figures import HandlingTime, Period, handling_times, rolled_up_sums, score, unit_sums
from .importing import PUBLISHED_CACHE
from .models import Methodology, PublishedScore
from .views import handling_summaries, unit_rows

IMPORTED = "imported"


def published_json(item: PublishedScore | None) -> dict | None:
    """The national portal's published figures (imported), or None."""
    if item is None:
        return None
    return {
        "source": IMPORTED,
        "total": _number(item.total),
        "group_points": item.group_points,
        "on_time_rate": _number(item.on_time_rate),
        "online_rate": _number(item.online_rate),
        "dossiers": item.dossiers,
        "file": item.source_name,
        "imported_at": item.imported_at.isoformat(),
    }


COMPUTED = "computed"


def _number(value):
    return None if value is None else str(value)


def score_json(result: dict) -> dict:
    """A `figures.score` result as JSON: every figure with its source."""
    if not result["has_dossiers"]:
        return {"has_dossiers": False, "total": None, "share": None, "source": COMPUTED, "groups": []}
    return {
        "has_dossiers": True,
        "source": COMPUTED,
        "total": _number(result["total"]),
        "available": _number(result["available"]),
        "share": _number(result["share"]),
        "weakest_indicator": result["weakest"].code if result["weakest"] else None,
        "groups": [
            {
                "code": g["group"].code,
                "name": g["group"].name,
                "max_points": _number(g["group"].max_points),
                "points": _number(g["points"]),
                "source": COMPUTED,
                "indicators": [
                    {
                        "code": i["indicator"].code,
                        "formula": i["indicator"].formula,
                        "rate": _number(i["rate"].rate),
                        "numerator": i["rate"].numerator,
                        "denominator": i["rate"].denominator,
                        "points": _number(i["points"]),
                        "max_points": _number(i["indicator"].max_points),
                        "threshold": _number(i["indicator"].threshold),
                        "threshold_confirmed": i["indicator"].threshold_confirmed,
                        "source": COMPUTED,
                    }
                    for i in g["indicators"]
                ],
            }
            for g in result["groups"]
        ],
    }


def handling_json(item: HandlingTime) -> dict:
    """A procedure's average handling time, in the unit of time it states."""
    return {
        "procedure": item.code,
        "name": item.name,
        "unit": item.unit,
        "finished": item.finished,
        "average": _number(round(item.average, 2)),
        "time_limit": _number(item.time_limit),
        "source": COMPUTED,
    }


class ServiceIndexView(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("unit", str, required=True, description="Official code of a current province or commune."),
            OpenApiParameter("period", str, required=True, description="2026-08, 2026-Q3, 2026-H1 or 2026."),
            OpenApiParameter("group_by", str, enum=["agency", "commune"]),
        ],
        responses=dict,
    )
    def get(self, request):
        """The body is computed once per (unit, period, grouping, scope, day) until an import bumps the
        dossier figures ("dossier-stats", as the 766 page) or the published figures; a cached request
        reads the user, their scope and one cache entry. The scope is part of the key, so a user of
        another province never reads this body: the unit is looked up in their scope (404, not cached)."""
        code = request.query_params.get("unit", "")
        try:
            period = Period.parse(request.query_params.get("period", ""))
        except ValueError:
            raise ValidationError({"period": "2026-08, 2026-Q3, 2026-H1 or 2026"}) from None
        group_by = request.query_params.get("group_by") or ""
        if group_by not in ("", "agency", "commune"):
            raise ValidationError({"group_by": "agency or commune"})
        scope = scope_for(request.user)
        parts = ("service-index-api", code, period.code, group_by, scope, local_today(), generations(PUBLISHED_CACHE))
        return Response(cached(STATS_CACHE, parts, lambda: _body(request.user, code, period, group_by)))


def _body(user, code: str, period: Period, group_by: str) -> dict:
    scope = scope_for(user)
    units = AdministrativeUnit.objects.filter(valid_to__isnull=True, level__in=[UnitLevel.PROVINCE, UnitLevel.COMMUNE])
    if not scope.all:
        units = units.filter(
            Q(pk__in=scope.province_ids) | Q(province_id__in=scope.province_ids) | Q(pk__in=scope.commune_ids)
        )
    level = UnitLevel.PROVINCE if len(code) <= 2 else UnitLevel.COMMUNE
    unit = get_object_or_404(units, code=code, level=level)
    if group_by and level != UnitLevel.PROVINCE:
        raise ValidationError({"group_by": "Only for a province."})
    methodology = Methodology.objects.prefetch_related("groups__indicators").in_force(period.last)
    if methodology is None:
        raise ValidationError({"period": "No methodology in force."})
    summaries = DossierSummary.objects.for_user(user)
    handling = HandlingTimeSummary.objects.for_user(user)
    if level == UnitLevel.PROVINCE:
        summaries, handling = summaries.filter(province=unit), handling_summaries(user, unit)
    else:
        summaries, handling = summaries.filter(receiving_unit=unit), handling.filter(receiving_unit=unit)
    sums_by_id = None
    if group_by:
        # The province's and its departments' or communes' sums from one query (as the page).
        total, by_agency, by_unit = rolled_up_sums(summaries, period)
        sums_by_id = by_agency if group_by == "agency" else by_unit
    else:
        total = unit_sums(summaries, period)
    body = {
        "unit": {"code": unit.code, "name": unit.name, "level": unit.level},
        "period": period.code,
        "methodology": {"code": methodology.code, "source": methodology.source},
        **score_json(score(methodology, total)),
    }
    # Average handling time per procedure (finished dossiers received in the period), worst first.
    body["handling_time"] = [handling_json(item) for item in handling_times(handling, period)]
    published = {
        ("unit", p.unit_id) if p.unit_id else ("agency", p.agency_id): p
        for p in PublishedScore.objects.for_user(user).filter(period=period.code)
        .filter(Q(unit=unit) | Q(province=unit))
    }  # fmt: skip
    body["published"] = published_json(published.get(("unit", unit.pk)))
    if group_by:
        body["rows"] = [
            {"id": row["id"], "code": row["code"], "name": row["name"], "rank": row["rank"],
             **score_json(row["score"]),
             "published": published_json(published.get(("agency" if group_by == "agency" else "unit", row["id"])))}
            for row in unit_rows(unit, summaries, period, methodology, group_by, sums_by_id)
        ]  # fmt: skip
    return body


urlpatterns = [path("service-index/", ServiceIndexView.as_view(), name="service-index")]


def register(router) -> None:
    pass
