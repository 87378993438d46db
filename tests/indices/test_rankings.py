from decimal import Decimal

from django.core.management import call_command
from django.test import TestCase

from cchc_portal.cache import generation
from indices.models import Ranking, Score
from indices.rankings import rankings_compute
from provinces.models import AdministrativeUnit

from .conftest import edition_of


def unit(code: str, year: int) -> AdministrativeUnit:
    date = "2025-06-30" if year < 2025 else "2025-07-01"
    return AdministrativeUnit.objects.provinces().valid_on(date).get(code=code)


def set_totals(edition, totals: dict[str, str]) -> None:
    Score.objects.bulk_create(
        Score(edition=edition, unit=unit(code, edition.year), value=Decimal(value)) for code, value in totals.items()
    )


def ranks(edition) -> dict[str, int]:
    return dict(Ranking.objects.filter(edition=edition).values_list("unit__code", "rank"))


def test_ties_share_a_rank_and_the_next_rank_is_skipped(methodologies):
    edition = edition_of("PAPI", 2023)
    set_totals(edition, {"01": "45.5", "02": "44.1", "04": "44.1", "06": "40"})
    rankings_compute(edition.pk)
    assert ranks(edition) == {"01": 1, "02": 2, "04": 2, "06": 4}


def test_subjects_without_a_score_are_not_ranked_but_counted(methodologies):
    edition = edition_of("PAPI", 2023)
    set_totals(edition, {"01": "45.5", "02": "44.1"})
    rankings_compute(edition.pk)
    second = Ranking.objects.get(edition=edition, unit__code="02")
    assert (second.rank, second.ranked_count, second.subject_count) == (2, 2, 63)


def test_rank_and_score_change_come_from_the_previous_edition(methodologies):
    set_totals(edition_of("PAPI", 2022), {"01": "40", "02": "42", "04": "41"})
    set_totals(edition_of("PAPI", 2023), {"01": "43.25", "02": "42", "04": "40.5"})
    rankings_compute(edition_of("PAPI", 2023).pk)  # computes 2022 on the way
    ha_noi = Ranking.objects.get(edition__year=2023, edition__index__code="PAPI", unit__code="01")
    assert (ha_noi.rank, ha_noi.previous_rank, ha_noi.rank_change) == (1, 3, 2)
    assert ha_noi.score_change == Decimal("3.25")
    cao_bang = Ranking.objects.get(edition__year=2023, edition__index__code="PAPI", unit__code="04")
    assert (cao_bang.rank_change, cao_bang.score_change) == (-1, Decimal("-0.5"))


def test_an_unchanged_province_compares_with_its_single_predecessor_across_2025(methodologies):
    set_totals(edition_of("PAPI", 2024), {"04": "41", "01": "45", "52": "44", "64": "39"})
    set_totals(edition_of("PAPI", 2025), {"04": "43", "01": "42"})
    rankings_compute(edition_of("PAPI", 2025).pk)
    cao_bang = Ranking.objects.get(edition__year=2025, edition__index__code="PAPI", unit__code="04")
    assert cao_bang.unit.valid_to is None  # the new Cao Bằng, successor of the old one
    assert (cao_bang.previous_rank, cao_bang.rank_change, cao_bang.score_change) == (3, 2, Decimal("2"))
    assert cao_bang.predecessors == []


def test_a_merged_province_shows_its_predecessors_instead_of_a_change(methodologies):
    set_totals(edition_of("PAPI", 2024), {"04": "41", "01": "45", "52": "44", "64": "39"})
    set_totals(edition_of("PAPI", 2025), {"52": "40.5", "01": "42"})
    rankings_compute(edition_of("PAPI", 2025).pk)
    gia_lai = Ranking.objects.get(edition__year=2025, edition__index__code="PAPI", unit__code="52")
    assert gia_lai.rank_change is None and gia_lai.score_change is None and gia_lai.previous_rank is None
    assert gia_lai.score == Decimal("40.5")  # its own 2025 score; old scores are never re-aggregated
    assert [(p["name"], p["rank"], p["score"]) for p in gia_lai.predecessors] == [
        ("Bình Định", 2, "44.0000"),
        ("Gia Lai", 4, "39.0000"),
    ]


def test_groups_follow_the_editions_thresholds_and_regions_are_attached(all_methodologies):
    edition = edition_of("PAR_INDEX", 2020)
    set_totals(edition, {"22": "91.04", "01": "85", "02": "72.3", "04": "65"})
    rankings_compute(edition.pk)
    groups = dict(Ranking.objects.filter(edition=edition).values_list("unit__code", "group"))
    assert groups == {"22": "A", "01": "B", "02": "C", "04": "D"}
    regions = dict(Ranking.objects.filter(edition=edition).values_list("unit__code", "region__code"))
    assert regions == {"22": "DBSH", "01": "DBSH", "02": "TDMNPB", "04": "TDMNPB"}


def test_computing_twice_gives_the_same_rows_and_bumps_the_cache_generation(methodologies):
    edition = edition_of("PAPI", 2023)
    set_totals(edition, {"01": "45.5", "02": "44.1"})
    before = generation("indices")
    with TestCase.captureOnCommitCallbacks(execute=True):
        rankings_compute(edition.pk)
    first = list(Ranking.objects.filter(edition=edition).values_list("unit__code", "rank", "score"))
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("compute_rankings", "--index", "PAPI", "--year", "2023", verbosity=0, stdout=None)
    assert list(Ranking.objects.filter(edition=edition).values_list("unit__code", "rank", "score")) == first
    assert generation("indices") > before
