import io
import json
from pathlib import Path

from django.conf import settings
from django.urls import reverse
from openpyxl import load_workbook

from indices.models import Ranking

GEO = Path(settings.BASE_DIR) / "static" / "geo"


def map_data(client, **params) -> dict:
    return client.get(reverse("dashboards:national_map"), params).json()


def test_editions_before_2025_use_the_63_province_map_and_from_2025_the_34(client, viewer, index_results):
    client.force_login(viewer)
    old = map_data(client, index="PAPI", year=2024)
    new = map_data(client, index="PAPI", year=2025)
    assert old["map"] == "vn63" and old["geo"].endswith("geo/vn63.geojson")
    assert new["map"] == "vn34" and new["geo"].endswith("geo/vn34.geojson")
    for data in (old, new):
        features = json.loads((GEO / f"{data['map']}.geojson").read_text(encoding="utf-8"))["features"]
        codes = {f["properties"]["code"] for f in features}
        # joined by official code, never by name: every data item names a feature of the map
        assert {item["name"] for item in data["data"]} == codes


def test_each_map_item_carries_score_rank_and_the_province_page(client, viewer, index_results):
    client.force_login(viewer)
    data = map_data(client, index="PAR_INDEX", year=2025)
    ranking = Ranking.objects.select_related("unit").get(
        edition__index__code="PAR_INDEX", edition__year=2025, unit__code="48"
    )
    item = next(i for i in data["data"] if i["name"] == "48")
    assert item["rank"] == f"{ranking.rank}/{ranking.ranked_count}"
    assert item["value"] == float(ranking.score)
    assert item["url"] == reverse("indices:unit_detail", args=["PAR_INDEX", ranking.unit_id])
    assert client.get(item["url"]).status_code == 200


def test_the_page_lists_the_ranking_groups_and_region_means(client, viewer, index_results):
    client.force_login(viewer)
    from dashboards.blocks import national_view

    response = client.get(reverse("dashboards:national"), {"index": "PAR_INDEX", "year": 2024})
    body = response.content.decode()
    data = national_view("PAR_INDEX", 2024)
    assert len(data["rows"]) == 63 and data["rows"][0]["rank"] == 1
    assert sum(g["count"] for g in data["groups"]) == 63
    assert len(data["region_means"]) == 6
    assert "Bản đồ" in body and "Điểm trung bình theo vùng" in body
    first = Ranking.objects.select_related("unit").get(edition__index__code="PAR_INDEX", edition__year=2024, rank=1)
    assert reverse("indices:unit_detail", args=["PAR_INDEX", first.unit_id]) in body


def test_without_filters_the_page_opens_on_the_first_index_and_its_latest_year(client, viewer, index_results):
    client.force_login(viewer)
    data = client.get(reverse("dashboards:national")).context["data"]
    assert (data["index"]["code"], data["year"]) == ("PAR_INDEX", 2025)
    body = client.get(reverse("dashboards:national")).content.decode()  # now from the cache
    assert "Chỉ số cải cách hành chính (PAR INDEX) 2025" in body


def test_an_unknown_index_or_year_is_not_found(client, viewer, index_results):
    client.force_login(viewer)
    url = reverse("dashboards:national")
    assert client.get(url, {"index": "NOPE"}).status_code == 404
    assert client.get(url, {"index": "PAPI", "year": 1999}).status_code == 404
    assert client.get(url, {"index": "SIPAS"}).status_code == 404  # no results loaded for SIPAS


def test_the_ranking_groups_and_regions_export_to_xlsx(client, viewer, index_results):
    client.force_login(viewer)
    for table, rows in (("ranking", 34), ("groups", 4), ("regions", 6)):
        response = client.get(reverse("dashboards:national_export", args=[table]), {"index": "PAR_INDEX", "year": 2025})
        sheet = load_workbook(io.BytesIO(response.content)).active
        assert sheet.max_row == rows + 4, table  # title, as-of line, blank line, headers


def test_the_national_view_is_empty_but_works_without_any_ranking(client, viewer, all_methodologies):
    client.force_login(viewer)
    response = client.get(reverse("dashboards:national"))
    assert response.status_code == 200
    assert "Chưa có kết quả chỉ số." in response.content.decode()
