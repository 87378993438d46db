"""Computing an edition's ranking from its total scores (run by the rankings job).

- Competition ranking (1, 2, 2, 4) in SQL with Window(Rank()).
- Subjects without a total are not ranked; they are counted (`subject_count`
  against `ranked_count`, "rank 51 of 61").
- Previous edition: the same subject if it was ranked; across the 2025
  reorganisation a province with exactly one predecessor compares with it
  directly, a merged province lists its predecessors' ranks and scores and
  gets no change (old scores are never re-aggregated into new provinces).
"""

from __future__ import annotations

from collections import defaultdict

from django.db import transaction
from django.db.models import F, Window
from django.db.models.functions import Rank
from django.utils import timezone

from cchc_portal.cache import bump_generation
from provinces.models import AgencySuccession, UnitSuccession

from .models import Edition, Ranking, RegionMembership, Score, SubjectLevel

CACHE_NAME = "indices"


def _subject_field(edition: Edition) -> str:
    return "agency_id" if edition.subject_level == SubjectLevel.AGENCY else "unit_id"


def _predecessors(edition: Edition, subject_ids: list[int]) -> dict[int, list[int]]:
    if edition.subject_level == SubjectLevel.AGENCY:
        pairs = AgencySuccession.objects.filter(successor_id__in=subject_ids).values_list(
            "successor_id", "predecessor_id"
        )
    else:
        pairs = UnitSuccession.objects.filter(successor_id__in=subject_ids).values_list(
            "successor_id", "predecessor_id"
        )
    result: dict[int, list[int]] = defaultdict(list)
    for successor, predecessor in pairs:
        result[successor].append(predecessor)
    return result


@transaction.atomic
def rankings_compute(edition_id: int, *, cascade: bool = True) -> int:
    """(Re)write the Ranking rows of one edition; safe to run any number of times. Returns the rows ranked."""
    edition = Edition.objects.select_related("index").get(pk=edition_id)
    subject_field = _subject_field(edition)
    subject_key = subject_field[:-3]
    totals = list(
        Score.objects.filter(edition=edition, component__isnull=True, **{f"{subject_field}__isnull": False})
        .annotate(position=Window(Rank(), order_by=F("value").desc()))
        .values_list(subject_field, "value", "position", "points", "points_max")
        .order_by("position", subject_field)
    )
    ranked_count = len(totals)
    subject_ids = [row[0] for row in totals]
    eligible = edition.subjects().count()
    subject_count = max(eligible, ranked_count)

    components: dict[int, dict[str, str]] = defaultdict(dict)
    for subject_id, code, value in Score.objects.filter(edition=edition, component__isnull=False).values_list(
        subject_field, "component__code", "value"
    ):
        components[subject_id][code] = str(value)

    previous = edition.previous()
    previous_rows: dict[int, Ranking] = {}
    if previous is not None:
        if not previous.rankings.exists() and previous.scores.filter(component__isnull=True).exists():
            rankings_compute(previous.pk, cascade=False)
        previous_rows = {getattr(r, subject_field): r for r in previous.rankings.select_related("unit", "agency")}
    lineage = _predecessors(edition, [s for s in subject_ids if s not in previous_rows]) if previous_rows else {}

    regions = {}
    if subject_key == "unit":
        regions = dict(RegionMembership.objects.filter(unit_id__in=subject_ids).values_list("unit_id", "region_id"))

    now = timezone.now()
    rows = []
    for subject_id, value, position, points, points_max in totals:
        ranking = Ranking(
            edition=edition,
            score=value,
            points=points,
            points_max=points_max,
            rank=position,
            ranked_count=ranked_count,
            subject_count=subject_count,
            group=edition.group_for(value),
            region_id=regions.get(subject_id),
            components=components.get(subject_id, {}),
            computed_at=now,
            **{subject_field: subject_id},
        )
        before = previous_rows.get(subject_id)
        predecessors = [previous_rows[p] for p in lineage.get(subject_id, []) if p in previous_rows]
        if before is None and len(lineage.get(subject_id, [])) == 1 and predecessors:
            before = predecessors[0]
        if before is not None:
            ranking.previous_rank = before.rank
            ranking.previous_score = before.score
            ranking.previous_ranked_count = before.ranked_count
            ranking.rank_change = before.rank - position
            ranking.score_change = value - before.score
        elif len(lineage.get(subject_id, [])) > 1:
            ranking.predecessors = [
                {
                    "code": p.subject_code,
                    "name": p.subject_name,
                    "rank": p.rank,
                    "score": str(p.score),
                    "ranked_count": p.ranked_count,
                }
                for p in sorted(predecessors, key=lambda r: r.rank)
            ]
        rows.append(ranking)
    Ranking.objects.filter(edition=edition).delete()
    Ranking.objects.bulk_create(rows, batch_size=1000)
    if cascade:
        following = edition.next()
        if following is not None and following.scores.filter(component__isnull=True).exists():
            rankings_compute(following.pk, cascade=False)
    transaction.on_commit(lambda: bump_generation(CACHE_NAME))
    return ranked_count


def rankings_compute_all(index_code: str | None = None, year: int | None = None) -> dict[str, int]:
    """Recompute every edition (oldest first, so each compares with a fresh previous ranking)."""
    editions = Edition.objects.select_related("index").order_by("index__code", "year")
    if index_code:
        editions = editions.filter(index__code=index_code)
    if year:
        editions = editions.filter(year=year)
    result = {}
    for edition in editions:
        if edition.scores.exists() or edition.rankings.exists():
            result[str(edition)] = rankings_compute(edition.pk, cascade=bool(year))
    return result
