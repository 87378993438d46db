"""Results in SQL: appraised + survey + bonus − penalty (capped), percent of the unit's own maximum, ties."""

from decimal import Decimal

from assessments.models import NotApplicable, Score, Stage
from assessments.results import round_results
from assessments.scoring import round_open

from .conftest import set_stage


def _give(round_, subject, **scores):
    for code, (appraised, survey) in scores.items():
        Score.objects.filter(assessment__round=round_, assessment__agency=subject, criterion__code=code).update(
            appraised_score=appraised, survey_score=survey
        )


def _row(rows, subject):
    return next(r for r in rows if r["assessment"].agency_id == subject.pk)


def test_total_is_appraised_plus_survey_plus_capped_bonus_minus_capped_penalty(round_, finance):
    set_stage(round_, Stage.FINALISING)
    _give(
        round_,
        finance,
        **{"1.1": (4, None), "1.2": (1, None), "2": (3, None), "3": (None, 2), "T1": (3, None), "TR1": (2, None)},
    )
    row = _row(round_results(round_), finance)
    assert row["appraised_points"] == Decimal("8")
    assert row["survey_points"] == Decimal("2")
    assert row["bonus"] == Decimal("1")  # 3 awarded, capped at 1
    assert row["penalty"] == Decimal("1")  # 2 deducted, capped at 1
    assert row["total"] == Decimal("10")
    assert row["own_max"] == Decimal("12")
    assert row["percent"] == Decimal("83.33")


def test_a_not_applicable_area_is_taken_out_of_the_units_own_maximum(
    methodology, criteria, agency, finance, far_deadlines
):
    NotApplicable.objects.create(criterion=criteria["2"], agency=finance, reason="Không có TTHC")
    round_ = round_open(methodology, deadlines=far_deadlines)
    for subject in (agency, finance):
        _give(round_, subject, **{"1.1": (4, None), "1.2": (2, None), "3": (None, 2)})
    rows = round_results(round_)
    assert _row(rows, finance)["own_max"] == Decimal("8")
    assert _row(rows, finance)["percent"] == Decimal("100.00")
    assert _row(rows, agency)["own_max"] == Decimal("12")
    assert _row(rows, agency)["percent"] == Decimal("66.67")
    assert not Score.objects.get(assessment__agency=finance, criterion__code="2").applicable


def test_equal_percents_share_a_rank_and_the_next_rank_is_skipped(round_, agency, home_affairs, finance):
    _give(round_, agency, **{"1.1": (4, None), "2": (4, None)})
    _give(round_, home_affairs, **{"1.1": (4, None), "2": (4, None)})
    _give(round_, finance, **{"1.1": (1, None)})
    rows = round_results(round_)
    assert [(r["name"], r["rank"]) for r in rows] == [
        (rows[0]["name"], 1),
        (rows[1]["name"], 1),
        ("Sở Tài chính", 3),
    ]


def test_the_band_follows_the_editions_thresholds(round_, finance):
    _give(round_, finance, **{"1.1": (4, None), "1.2": (2, None), "2": (4, None)})
    row = _row(round_results(round_), finance)
    assert row["percent"] == Decimal("83.33")
    assert row["band"]["label"] == "Tốt"
