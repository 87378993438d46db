import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from indices.models import Component, Edition, Index, Ranking, Score
from indices.rankings import rankings_compute
from provinces.models import Agency

from .conftest import edition_of
from .test_rankings import set_totals, unit


@pytest.fixture
def ranked_2023(methodologies):
    set_totals(edition_of("PAPI", 2022), {"01": "40", "02": "42", "04": "41"})
    edition = edition_of("PAPI", 2023)
    set_totals(edition, {"01": "43.25", "02": "42", "04": "42", "06": "39.5"})
    d1 = Component.objects.get(edition=edition, code="D1")
    Score.objects.create(edition=edition, unit=unit("01", 2023), component=d1, value="6.5")
    rankings_compute(edition.pk)
    return edition


def test_rankings_api_returns_the_edition_ordered_by_rank(client, viewer_of_gia_lai, ranked_2023):
    client.force_login(viewer_of_gia_lai)
    data = client.get("/api/v1/rankings/", {"index": "PAPI", "year": 2023}).json()
    assert (data["index"], data["year"], data["ranked"], data["subjects"]) == ("PAPI", 2023, 4, 63)
    assert [(r["unit_code"], r["rank"]) for r in data["results"]] == [("01", 1), ("02", 2), ("04", 2), ("06", 4)]
    first = data["results"][0]
    assert first == {
        "unit_code": "01",
        "unit_name": "Thành phố Hà Nội",
        "score": 43.25,
        "rank": 1,
        "previous_rank": 3,
        "rank_change": 2,
        "score_change": 3.25,
        "group": None,
        "group_label": None,
        "points": None,
        "points_max": None,
        "predecessors": [],
        "components": {"D1": 6.5},
    }


def test_rankings_api_needs_index_and_year_and_a_signed_in_user(client, viewer_of_gia_lai, ranked_2023):
    assert client.get("/api/v1/rankings/", {"index": "PAPI", "year": 2023}).status_code in (401, 403)
    client.force_login(viewer_of_gia_lai)
    assert client.get("/api/v1/rankings/", {"index": "PAPI"}).status_code == 400
    assert client.get("/api/v1/rankings/", {"index": "PAPI", "year": 1999}).status_code == 404


def test_read_endpoints_list_indices_editions_and_components(client, viewer_of_gia_lai, methodologies):
    client.force_login(viewer_of_gia_lai)
    indices = client.get("/api/v1/indices/").json()["results"]
    assert [i["code"] for i in indices] == ["PAPI"]
    assert indices[0]["years"] == list(range(2018, 2026))
    editions = client.get("/api/v1/index-editions/", {"index": "PAPI", "year": 2021}).json()["results"]
    assert editions[0]["maximum"] == "80.0000"
    components = client.get("/api/v1/index-components/", {"index": "PAPI", "year": 2021}).json()["results"]
    d5 = [c["code"] for c in components if c["parent_code"] == "D5"]
    assert d5 == ["D5.1", "D5.3", "D5.4"]  # construction permits dropped from 2021


def test_a_provinces_own_index_is_visible_to_that_province_only(client, make_user, gia_lai, methodologies):
    own = Index.objects.create(
        code="P52_DEPARTMENTS", name_vi="Chỉ số CCHC các sở", name_en="x", owner_province=gia_lai
    )
    edition = Edition.objects.create(index=own, year=2025, subject_level="agency", maximum=100)
    agency = Agency.objects.create(province=gia_lai, name="Sở Tư pháp")
    Score.objects.create(edition=edition, agency=agency, value="88")
    rankings_compute(edition.pk)
    insider = make_user("insider", "viewer", units=[gia_lai])
    other = make_user("other", "province_admin", units=[edition_of("PAPI", 2025).subjects().get(code="01")])
    client.force_login(insider)
    data = client.get("/api/v1/rankings/", {"index": "P52_DEPARTMENTS", "year": 2025}).json()
    assert data["results"][0]["unit_name"] == "Sở Tư pháp"
    assert client.get(reverse("indices:ranking_detail", args=["P52_DEPARTMENTS", 2025])).status_code == 200
    client.force_login(other)
    assert client.get("/api/v1/rankings/", {"index": "P52_DEPARTMENTS", "year": 2025}).status_code == 404
    assert client.get(reverse("indices:ranking_detail", args=["P52_DEPARTMENTS", 2025])).status_code == 404
    assert "P52_DEPARTMENTS" not in [i["code"] for i in client.get("/api/v1/indices/").json()["results"]]


def test_the_ranking_page_shows_ranks_changes_and_region_means_in_a_fixed_number_of_queries(
    client, viewer_of_gia_lai, ranked_2023, django_assert_num_queries
):
    client.force_login(viewer_of_gia_lai)
    url = reverse("indices:ranking_detail", args=["PAPI", 2023])
    client.get(url)
    # session, user, scope (2), edition, rankings, components, region means, years — whatever the row count
    with django_assert_num_queries(9):
        response = client.get(url, {"sort": "-score", "components": "1"})
    html = response.content.decode()
    assert "43,25" in html and "▲ 2" in html
    assert "Đồng bằng sông Hồng" in html
    assert [row["ranking"].rank for row in response.context["rows"]] == [1, 2, 2, 4]
    assert response.context["missing"] == 59


def test_the_ranking_page_sorts_by_name(client, viewer_of_gia_lai, ranked_2023):
    client.force_login(viewer_of_gia_lai)
    response = client.get(reverse("indices:ranking_detail", args=["PAPI", 2023]), {"sort": "name"})
    names = [row["ranking"].subject_name for row in response.context["rows"]]
    assert names == ["Bắc Kạn", "Cao Bằng", "Hà Giang", "Hà Nội"]


def test_the_ranking_exports_to_xlsx_with_formulas_neutralised(client, viewer_of_gia_lai, ranked_2023):
    bac_kan = Ranking.objects.get(edition=ranked_2023, unit__code="06").unit
    bac_kan.name = '=HYPERLINK("http://x")'
    bac_kan.save()
    client.force_login(viewer_of_gia_lai)
    response = client.get(reverse("indices:ranking_detail", args=["PAPI", 2023]), {"format": "xlsx", "components": "1"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:4] == (1, "01", "Thành phố Hà Nội", 43.25)
    assert rows[4][2].startswith("'=")


def test_the_index_page_lists_years_with_results(client, viewer_of_gia_lai, ranked_2023):
    client.force_login(viewer_of_gia_lai)
    html = client.get(reverse("indices:ranking_index")).content.decode()
    assert reverse("indices:ranking_detail", args=["PAPI", 2023]) in html


def test_the_province_page_shows_a_merged_provinces_lineage_and_chart_data(client, viewer_of_gia_lai, gia_lai):
    set_totals(edition_of("PAPI", 2024), {"52": "44", "64": "39"})
    set_totals(edition_of("PAPI", 2025), {"52": "40.5"})
    rankings_compute(edition_of("PAPI", 2025).pk)
    client.force_login(viewer_of_gia_lai)
    page = client.get(reverse("indices:unit_detail", args=["PAPI", gia_lai.pk]))
    assert page.status_code == 200
    assert [r.unit.short_name for r in page.context["predecessor_history"]] == ["Bình Định", "Gia Lai"]
    chart = client.get(reverse("indices:unit_chart", args=["PAPI", gia_lai.pk])).json()
    assert chart["labels"] == [2024, 2025]
    assert {(s["name"], s["kind"]) for s in chart["series"]} >= {("Gia Lai", "score"), ("Bình Định", "rank")}
    own = next(s for s in chart["series"] if s["name"] == "Gia Lai" and s["kind"] == "score" and s["data"][1])
    assert own["data"] == [None, 40.5]


def test_the_province_page_runs_a_fixed_number_of_queries(
    client, viewer_of_gia_lai, gia_lai, django_assert_num_queries
):
    set_totals(edition_of("PAPI", 2024), {"52": "44", "64": "39"})
    set_totals(edition_of("PAPI", 2025), {"52": "40.5"})
    rankings_compute(edition_of("PAPI", 2025).pk)
    client.force_login(viewer_of_gia_lai)
    url = reverse("indices:unit_detail", args=["PAPI", gia_lai.pk])
    client.get(url)
    # session, user, scope (2), index, unit, history, predecessors, their history, components, own scores, means
    with django_assert_num_queries(12):
        assert client.get(url).status_code == 200
