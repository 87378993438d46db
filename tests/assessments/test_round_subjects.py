"""Who a methodology assesses follows its target group: the departments index covers the province's
departments, boards and sectors (sở, ban, ngành) and never the communes' people's committees nor the provincial
people's committee; the communes index covers the province's communes; the PAR INDEX the province itself.
The same list opens the round and fills the "not applicable" card."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from assessments.models import Assessment, Methodology, NotApplicable, TargetGroup
from assessments.scoring import not_applicable_add, round_open, round_subjects

from .conftest import deadlines, make_tree


@pytest.fixture
def units(province, other_province, commune, make_commune, make_agency, agency, home_affairs):
    """One province's bodies of every kind, a dissolved department, and a neighbour's department and commune."""
    second_commune = make_commune(province, "21551", "Xã An Nhơn")
    return {
        "departments": {agency, home_affairs},
        "communes": {commune, second_commune},
        "provincial_committee": make_agency(province, "Ủy ban nhân dân tỉnh Gia Lai", kind="provincial_committee"),
        "commune_committees": {
            make_agency(province, "Ủy ban nhân dân phường Quy Nhơn", kind="commune_committee", commune=commune),
            make_agency(province, "Ủy ban nhân dân xã An Nhơn", kind="commune_committee", commune=second_commune),
        },
        "other": make_agency(province, "Hội Chữ thập đỏ tỉnh", kind="other"),
        "dissolved": make_agency(province, "Sở Kế hoạch và Đầu tư", valid_to=dt.date(2025, 2, 28)),
        "neighbour": {
            make_agency(other_province, "Sở Nội vụ tỉnh Khánh Hòa"),
            make_commune(other_province, "22000", "Phường Nha Trang"),
        },
    }


def _methodology(province, group):
    return Methodology.objects.create(province=province, year=2026, group=group, name=f"Chỉ số CCHC ({group})",
                                      bonus_cap=Decimal(1), penalty_cap=Decimal(1))  # fmt: skip


def test_the_departments_index_assesses_only_the_provinces_current_departments(province, units):
    field, subjects = round_subjects(_methodology(province, TargetGroup.AGENCY))
    assert field == "agency"
    assert set(subjects) == units["departments"]


def test_the_communes_index_assesses_the_provinces_communes(province, units):
    field, subjects = round_subjects(_methodology(province, TargetGroup.COMMUNE))
    assert field == "unit"
    assert set(subjects) == units["communes"]


def test_the_par_index_assesses_the_province_itself(province, units):
    assert round_subjects(_methodology(province, TargetGroup.PROVINCE)) == ("unit", [province])


@pytest.mark.parametrize(
    ("group", "field", "expected"),
    [(TargetGroup.AGENCY, "agency", "departments"), (TargetGroup.COMMUNE, "unit", "communes")],
)
def test_opening_a_round_creates_assessments_only_for_the_units_of_its_kind(province, units, group, field, expected):
    methodology = _methodology(province, group)
    make_tree(methodology)
    round_ = round_open(methodology, deadlines=deadlines())
    assessed = {getattr(a, field) for a in Assessment.objects.filter(round=round_).select_related(field)}
    assert assessed == units[expected]
    assert not Assessment.objects.filter(round=round_, agency__kind="commune_committee").exists()


def test_the_not_applicable_card_offers_departments_only_and_refuses_a_commune_committee(
    client, province, units, province_admin
):
    methodology = _methodology(province, TargetGroup.AGENCY)
    criteria = make_tree(methodology)
    client.force_login(province_admin)
    page = client.get(methodology.get_absolute_url()).content.decode()
    assert "Đợt chấm điểm sẽ đánh giá 2 đơn vị thuộc đối tượng “Sở, ban, ngành”." in page
    card = page[page.index('data-testid="not-applicable"') :]
    card = card[: card.index("</section>")]
    for department in units["departments"]:
        assert f'<option value="{department.pk}">{department.name}</option>' in card
    committee = next(iter(units["commune_committees"]))
    for outsider in [committee, units["provincial_committee"], units["other"]]:
        assert outsider.name not in card

    url = reverse("assessments:not_applicable_create", args=[methodology.pk])
    response = client.post(url, {"criterion": criteria["2"].pk, "subject": committee.pk}, follow=True)
    assert "Chọn một tiêu chí của bộ tiêu chí và một đơn vị được đánh giá." in response.content.decode()
    with pytest.raises(ValidationError):
        not_applicable_add(criteria["2"], committee, actor=province_admin)
    assert not NotApplicable.objects.exists()
