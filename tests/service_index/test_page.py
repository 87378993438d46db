"""The 766 page and its drill-downs read only summary rows (cached until the next import); scoped."""

import datetime as dt

import pytest
from django.urls import reverse

from dossiers.generate import write_export
from dossiers.importing import import_file
from dossiers.models import DossierSummary
from service_index.figures import Period, grouped_sums, rolled_up_sums, unit_sums

pytestmark = pytest.mark.django_db


@pytest.fixture
def imported(province, communes, agency, tmp_path):
    path = tmp_path / "gen.csv"
    write_export(str(path), province=province, rows=1500, end=dt.date(2026, 8, 31), seed=7)
    import_file(str(path), today=dt.date(2026, 9, 1))


def test_the_page_shows_groups_departments_and_communes_with_a_pinned_query_count(
    client, leader, province, imported, django_assert_num_queries
):
    client.force_login(leader)
    url = reverse("service_index:page") + "?period=2026-08"
    # cold: the period's sums (one query rolled up to the province, departments and communes), the
    # 12-month trend and the handling times (2) from the summaries
    with django_assert_num_queries(15):
        response = client.get(url)
    with django_assert_num_queries(4):  # warm: session, user, the scope (2); the body comes from the cache
        warm = client.get(url)
    assert warm.status_code == 200
    assert warm.content.decode().count("Phường Quy Nhơn") == response.content.decode().count("Phường Quy Nhơn") > 0
    body = response.content.decode()
    assert "Tiến độ, kết quả giải quyết" in body
    assert "Phường Quy Nhơn" in body
    assert response.context["result"]["has_dossiers"]
    assert [row["rank"] for row in response.context["communes"]][:1] == [1]
    assert len(response.context["trend"]) == 12


def test_a_commune_without_dossiers_says_so_rather_than_scoring_zero(client, leader, province, make_commune, imported):
    quiet = make_commune(province, "21599", "Xã Yên Lặng")
    client.force_login(leader)
    response = client.get(reverse("service_index:page") + "?period=2026-08")
    row = next(r for r in response.context["communes"] if r["id"] == quiet.pk)
    assert row["score"]["has_dossiers"] is False
    assert row["rank"] is None and row["score"]["total"] is None
    assert "không có hồ sơ" in response.content.decode()


def test_the_late_dossiers_behind_a_communes_rate_are_listed(client, leader, province, communes, imported):
    client.force_login(leader)
    page = client.get(reverse("service_index:page") + "?period=2026-08")
    commune_row = next(r for r in page.context["communes"] if r["id"] == communes[0].pk)
    rate = commune_row["score"]["rates"]["on_time"]
    response = client.get(reverse("service_index:dossiers") + f"?period=2026-08&kind=late&unit={communes[0].pk}")
    assert response.status_code == 200
    assert response.context["page"].paginator.count == rate.denominator - rate.numerator


def test_another_provinces_page_is_not_found(client, outsider, province, imported):
    client.force_login(outsider)
    response = client.get(reverse("service_index:page") + f"?province={province.code}")
    assert response.status_code == 404


def test_the_rolled_up_sums_equal_the_separate_aggregations(province, imported):
    """One GROUP BY (agency, receiving unit) rolled up in Python = the province's, each department's
    and each commune's own aggregation."""
    summaries = DossierSummary.objects.filter(province=province)
    for period in (Period.parse("2026-08"), Period.parse("2026-Q3"), Period.parse("2026")):
        total, by_agency, by_unit = rolled_up_sums(summaries, period)
        assert total == unit_sums(summaries, period)
        assert total["s_received"] > 0
        agencies = {row["agency_id"]: row for row in grouped_sums(summaries.exclude(agency=None), period, "agency_id")}
        assert by_agency == agencies and len(agencies) > 1
        units = {row["receiving_unit_id"]: row for row in grouped_sums(summaries, period, "receiving_unit_id")}
        assert by_unit == units and len(units) > 1
