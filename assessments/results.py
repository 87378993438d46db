"""Results of a round, computed in SQL, and their publication into `indices`.

Per unit: points = appraised points on applicable criteria + survey points + bonus − penalty
(bonus and penalty each capped by the methodology); the unit's own maximum = the maxima of its
applicable criteria (a not-applicable area is taken out), and percent = points / own maximum.
Ranks share ties (1, 2, 2, 4) and are per round, i.e. per target group.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import DecimalField, ExpressionWrapper, F, Func, Q, Sum, Value, Window
from django.db.models.functions import Coalesce, Greatest, Least, NullIf, Rank
from django.db.models.functions import Round as RoundTo
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.log import record_change
from indices.models import Component, ComponentKind, Edition, Index, SubjectLevel
from indices.models import Score as IndexScore
from indices.rankings import rankings_compute

from .models import ADJUSTMENT_KINDS, Assessment, NodeKind, Round, Score, Stage, TargetGroup, fmt_points
from .scoring import is_secretary

DEC = DecimalField(max_digits=14, decimal_places=4)
ZERO = Value(Decimal(0), output_field=DEC)
PERCENT_PLACES = Decimal("0.01")


class Percent(Func):
    """100 × part / whole in exact numeric on PostgreSQL (SQLite would divide integers)."""

    template = "(%(expressions)s)"
    arg_joiner = " * 100 / "
    output_field = DEC

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(
            compiler,
            connection,
            template="(CAST(%(expressions)s AS REAL))",
            arg_joiner=" AS REAL) * 100.0 / CAST(",
            **extra,
        )


def _sum(expression, condition: Q):
    return Coalesce(Sum(expression, filter=condition, output_field=DEC), ZERO, output_field=DEC)


def results_queryset(round_: Round):
    """One row (a dict) per assessment with points, maximum, percent and rank, aggregated over the score
    table alone (grouped by assessment id only: no join, no wide GROUP BY)."""
    methodology = round_.methodology
    scored = Q(applicable=True) & ~Q(kind__in=ADJUSTMENT_KINDS)
    return (
        Score.objects.filter(assessment__round_id=round_.pk)
        .values("assessment_id")
        .annotate(
            self_points=_sum("self_score", scored & Q(by_survey=False)),
            appraised_points=_sum("appraised_score", scored & Q(by_survey=False)),
            survey_points=_sum("survey_score", scored & Q(by_survey=True)),
            bonus=Least(
                _sum("appraised_score", Q(kind=NodeKind.BONUS)), Value(methodology.bonus_cap, output_field=DEC)
            ),
            penalty=Least(
                _sum("appraised_score", Q(kind=NodeKind.PENALTY)), Value(methodology.penalty_cap, output_field=DEC)
            ),
            own_max=_sum("max_points", scored),
        )
        .annotate(
            total=Greatest(
                ExpressionWrapper(
                    F("appraised_points") + F("survey_points") + F("bonus") - F("penalty"), output_field=DEC
                ),
                ZERO,
            )
        )
        # Ranked on the percent as published (2 decimals), so ties here are the ties in `indices`.
        .annotate(percent=RoundTo(Percent(F("total"), NullIf(F("own_max"), ZERO)), 2, output_field=DEC))
        .annotate(rank=Window(Rank(), order_by=F("percent").desc(nulls_last=True)))
        .order_by("rank", "assessment_id")
    )


def results_with_units(round_: Round) -> list[tuple[Assessment, dict]]:
    assessments = Assessment.objects.filter(round=round_).select_related("agency", "unit").in_bulk()
    return [(assessments[row["assessment_id"]], row) for row in results_queryset(round_)]


def q2(value: Decimal | None) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(PERCENT_PLACES, rounding=ROUND_HALF_UP)


def round_results(round_: Round) -> list[dict]:
    """The results as plain rows (percent to 2 decimals, band, change vs the previous published year)."""
    methodology = round_.methodology
    rows = []
    previous = _previous_percent(round_)
    for a, r in results_with_units(round_):
        percent = q2(r["percent"])
        band = methodology.band_for(percent)
        key = a.agency_id or a.unit_id
        before = previous.get(key)
        rows.append(
            {
                "assessment": a,
                "name": a.subject_name,
                "self_points": r["self_points"],
                "appraised_points": r["appraised_points"],
                "survey_points": r["survey_points"],
                "bonus": r["bonus"],
                "penalty": r["penalty"],
                "total": r["total"],
                "gap": r["appraised_points"] - r["self_points"],
                "own_max": r["own_max"],
                "percent": percent,
                "band": band,
                "rank": r["rank"],
                "previous_percent": before,
                "change": None if before is None or percent is None else percent - before,
            }
        )
    return rows


def _previous_percent(round_: Round) -> dict[int, Decimal]:
    """Percent per unit in last year's published edition of the same index (from `indices`)."""
    methodology = round_.methodology
    field = "agency_id" if methodology.group == TargetGroup.AGENCY else "unit_id"
    return {
        subject: q2(value)
        for subject, value in IndexScore.objects.filter(
            edition__index__code=index_code(round_), edition__year=methodology.year - 1, component__isnull=True
        ).values_list(field, "value")
    }


def index_code(round_: Round) -> str:
    methodology = round_.methodology
    return f"CCHC-{methodology.province.code}-{methodology.group.upper()}"


SUBJECT_LEVELS = {
    TargetGroup.AGENCY: SubjectLevel.AGENCY,
    TargetGroup.COMMUNE: SubjectLevel.COMMUNE,
    TargetGroup.PROVINCE: SubjectLevel.PROVINCE,
}
COMPONENT_KINDS = {
    NodeKind.AREA: ComponentKind.AREA,
    NodeKind.CRITERION: ComponentKind.CRITERION,
    NodeKind.SUB_CRITERION: ComponentKind.SUB_CRITERION,
}


@transaction.atomic
def round_publish(round_: Round, *, actor, decision_number: str, decision_date, signer: str, version: int) -> Edition:
    """Record the decision, make the round read-only and write an edition with scores and ranks into `indices`."""
    if not is_secretary(actor, round_):
        raise PermissionDenied
    round_ = Round.objects.select_for_update().select_related("methodology__province").get(pk=round_.pk)
    if round_.version != version:
        from cchc_portal.concurrency import StaleObjectError

        raise StaleObjectError
    if round_.stage != Stage.FINALISING:
        raise ValidationError(_("Only a round the council has finalised can be published."))
    if not (decision_number or "").strip() or not decision_date or not (signer or "").strip():
        raise ValidationError(_("Give the decision's number, date and signer."))
    methodology = round_.methodology
    index, _created = Index.objects.get_or_create(
        code=index_code(round_),
        defaults={
            "name_vi": methodology.name[:255],
            "name_en": methodology.name[:255],
            "owner_province": methodology.province,
            "publisher": f"UBND {methodology.province.name}"[:255],
            "order": 200,
        },
    )
    if Edition.objects.filter(index=index, year=methodology.year).exists():
        raise ValidationError(_("Results for %(year)s are already published.") % {"year": methodology.year})
    edition = Edition.objects.create(
        index=index,
        year=methodology.year,
        methodology_ref=(methodology.decision_ref or "")[:255],
        subject_level=SUBJECT_LEVELS[methodology.group],
        maximum=Decimal(100),
        unit_label="%",
        # The classification itself is the group ("Tốt"); its label says where it starts ("≥ 80%").
        group_thresholds=[
            {"code": b.get("label") or b["code"], "label": f"≥ {fmt_points(Decimal(str(b['min'])))}%", "min": b["min"]}
            for b in methodology.bands
        ],
        notes=_("Decision %(number)s of %(date)s, signed by %(signer)s.")
        % {"number": decision_number, "date": decision_date.strftime("%d/%m/%Y"), "signer": signer},
    )
    areas = list(methodology.criteria.filter(kind=NodeKind.AREA).order_by("order", "code"))
    components = {
        area.pk: Component.objects.create(
            edition=edition,
            code=area.code,
            name_vi=area.name[:255],
            kind=ComponentKind.AREA,
            max_score=area.max_points,
            order=area.order,
        )
        for area in areas
    }
    field = "agency" if methodology.group == TargetGroup.AGENCY else "unit"
    rows = []
    for a, r in results_with_units(round_):
        if r["percent"] is None:
            continue
        rows.append(
            IndexScore(
                edition=edition,
                value=q2(r["percent"]),
                points=r["total"],
                points_max=r["own_max"],
                self_assessed=r["self_points"],
                appraised=r["appraised_points"],
                **{field: a.subject},
            )
        )
    area_points = (
        Assessment.objects.filter(round=round_, scores__area__in=areas, scores__applicable=True)
        .values(f"{field}_id", "scores__area_id")
        .annotate(
            points=Coalesce(Sum(Coalesce("scores__appraised_score", "scores__survey_score")), ZERO, output_field=DEC)
        )
    )
    for row in area_points:
        rows.append(
            IndexScore(
                edition=edition,
                component=components[row["scores__area_id"]],
                value=row["points"],
                **{f"{field}_id": row[f"{field}_id"]},
            )
        )
    IndexScore.objects.bulk_create(rows, batch_size=2000)
    round_.decision_number = decision_number.strip()
    round_.decision_date = decision_date
    round_.signer = signer.strip()
    round_.published_at = timezone.now()
    round_.stage = Stage.PUBLISHED
    round_.index_edition = edition
    round_.version += 1
    round_.save()
    record_change(
        round_, actor=actor, changes={"stage": [Stage.FINALISING, Stage.PUBLISHED], "decision_number": [None, decision_number]},
        note=_("results published"),
    )  # fmt: skip
    rankings_compute(edition.pk)
    return edition
