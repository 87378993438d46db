"""The index in the Django admin: scoped like the pages, trees read-only below a national administrator,
rounds, assessments and scores read-only for everyone (they change on the pages)."""

import pytest
from django.urls import reverse

from assessments.models import Assessment, Methodology, Round, Score
from assessments.scoring import round_open
from assessments.trees import sample_methodology

from .conftest import deadlines


@pytest.fixture
def other_round(other_province, other_agency):
    return round_open(sample_methodology(other_province, 2026), deadlines=deadlines())


@pytest.fixture
def staff_province_admin(province_admin):
    province_admin.is_staff = True
    province_admin.save()
    return province_admin


LISTS = {
    Methodology: "admin:assessments_methodology_changelist",
    Round: "admin:assessments_round_changelist",
    Assessment: "admin:assessments_assessment_changelist",
    Score: "admin:assessments_score_changelist",
}


@pytest.mark.parametrize("model", list(LISTS), ids=lambda m: m.__name__)
def test_a_province_admin_lists_only_their_provinces_index_records(
    client, staff_province_admin, round_, other_round, model
):
    client.force_login(staff_province_admin)
    response = client.get(reverse(LISTS[model]))
    assert response.status_code == 200
    listed = set(response.context["cl"].queryset.values_list("pk", flat=True))
    own = set(model.objects.for_user(staff_province_admin).values_list("pk", flat=True))
    assert listed == own and listed
    assert not listed & set(
        model.objects.exclude(pk__in=own).values_list("pk", flat=True)
    )  # the other province's rows exist and are left out
    assert model.objects.exclude(pk__in=own).exists()


def test_a_province_admin_reads_their_tree_but_cannot_change_it_in_the_admin(
    client, staff_province_admin, round_, methodology
):
    client.force_login(staff_province_admin)
    url = reverse("admin:assessments_methodology_change", args=[methodology.pk])
    page = client.get(url)
    assert page.status_code == 200 and not page.context["has_change_permission"]
    assert "Chỉ số CCHC các sở" in page.content.decode()
    response = client.post(url, {"name": "Đổi tên", "year": 2026, "group": methodology.group})
    assert response.status_code == 403
    methodology.refresh_from_db()
    assert methodology.name == "Chỉ số CCHC các sở"


def test_scores_are_read_only_in_the_admin_even_for_a_national_admin(client, national_admin, round_):
    national_admin.is_staff = True
    national_admin.save()
    client.force_login(national_admin)
    score = Score.objects.filter(assessment__round=round_).first()
    page = client.get(reverse("admin:assessments_score_change", args=[score.pk]))
    assert page.status_code == 200 and not page.context["has_change_permission"]
    assert client.get(reverse("admin:assessments_score_add")).status_code == 403


def test_the_score_list_runs_a_fixed_number_of_queries(
    client, staff_province_admin, round_, other_round, django_assert_num_queries, make_agency, province
):
    client.force_login(staff_province_admin)
    url = reverse("admin:assessments_score_changelist")
    client.get(url)
    with django_assert_num_queries(12):  # session, user, scope, count, page, filters: not one per row
        client.get(url)
    subjects = [make_agency(province, f"Sở số {n}") for n in range(3)]
    round_open(sample_methodology(province, 2025), deadlines=deadlines(), subjects=subjects)
    with django_assert_num_queries(12):
        client.get(url)
