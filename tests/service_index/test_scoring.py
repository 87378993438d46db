"""Points from rates by the versioned methodology; units without dossiers have no score."""

import datetime as dt
from decimal import Decimal

import pytest

from dossiers.models import DossierSummary
from service_index.figures import Period, score, unit_sums
from service_index.models import Formula, Indicator, Methodology

pytestmark = pytest.mark.django_db


def _current():
    return Methodology.objects.prefetch_related("groups__indicators").in_force(dt.date(2026, 8, 1))


def test_the_six_group_structure_is_current_and_totals_100():
    methodology = _current()
    assert methodology.code == "766-6-nhom"
    assert [int(g.max_points) for g in methodology.groups.all()] == [18, 20, 12, 10, 18, 22]
    assert methodology.max_points == 100
    older = Methodology.objects.in_force(dt.date(2023, 1, 1))
    assert [int(g.max_points) for g in older.groups.all()] == [18, 20, 22, 22, 18]


def test_progress_points_are_linear_in_the_on_time_rate():
    on_time = Indicator.objects.get(group__methodology__code="766-6-nhom", formula=Formula.ON_TIME)
    assert on_time.points(Decimal("97.5")) == Decimal("19.50")


def test_full_marks_from_the_threshold_and_linear_below_it():
    online = Indicator.objects.get(group__methodology__code="766-6-nhom", formula=Formula.ONLINE_SHARE)
    assert online.points(Decimal("50")) == online.points(Decimal("80")) == Decimal("12.00")
    assert online.points(Decimal("40")) == Decimal("9.60")
    assert online.points(None) is None


def test_unknown_thresholds_are_linear_and_marked_to_be_confirmed():
    payment = Indicator.objects.get(group__methodology__code="766-6-nhom", formula=Formula.ONLINE_PAYMENT)
    assert payment.threshold is None and not payment.threshold_confirmed
    assert payment.points(Decimal("40")) == Decimal("4.00")


def test_a_unit_with_no_dossiers_has_no_score_rather_than_zero(commune):
    sums = unit_sums(DossierSummary.objects.filter(receiving_unit=commune), Period.parse("2026-08"))
    result = score(_current(), sums)
    assert result["has_dossiers"] is False
    assert result["total"] is None


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("2026-08", dt.date(2026, 8, 1), dt.date(2026, 8, 1)),
        ("2026-Q3", dt.date(2026, 7, 1), dt.date(2026, 9, 1)),
        ("2026-H1", dt.date(2026, 1, 1), dt.date(2026, 6, 1)),
        ("2026", dt.date(2026, 1, 1), dt.date(2026, 12, 1)),
    ],
)
def test_periods_are_whole_months(text, first, last):
    period = Period.parse(text)
    assert (period.first, period.last, period.code) == (first, last, text)
