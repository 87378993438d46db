"""/api/v1/service-index/: the page's figures, with their source, scoped like the page."""

import datetime as dt

import pytest
from django.urls import reverse

from dossiers.generate import write_export
from dossiers.importing import import_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def imported(province, communes, agency, tmp_path):
    path = tmp_path / "gen.csv"
    write_export(str(path), province=province, rows=1200, end=dt.date(2026, 8, 31), seed=8)
    import_file(str(path), today=dt.date(2026, 9, 1))


def test_the_api_gives_points_rates_numerators_and_sources_as_the_page(client, leader, province, imported):
    client.force_login(leader)
    url = reverse("service-index")
    body = client.get(url, {"unit": province.code, "period": "2026-Q3", "group_by": "commune"}).json()
    page = client.get(reverse("service_index:page"), {"period": "2026-Q3"}).context
    assert body["total"] == str(page["result"]["total"])
    assert [g["max_points"] for g in body["groups"]] == ["18.00", "20.00", "12.00", "10.00", "18.00", "22.00"]
    on_time = body["groups"][1]["indicators"][0]
    assert on_time["source"] == "computed" and on_time["numerator"] <= on_time["denominator"]
    assert {row["name"] for row in body["rows"]} == {"Phường Quy Nhơn", "Xã Ia Grai"}


def test_a_bad_period_is_a_clear_400(client, leader, province):
    client.force_login(leader)
    response = client.get(reverse("service-index"), {"unit": province.code, "period": "2026-13"})
    assert response.status_code == 400
    assert "period" in response.json()


def test_another_provinces_figures_are_not_found(client, outsider, province):
    client.force_login(outsider)
    response = client.get(reverse("service-index"), {"unit": province.code, "period": "2026-08"})
    assert response.status_code == 404
