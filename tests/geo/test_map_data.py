"""The committed province maps (static/geo/) match the reference units and show both archipelagos."""

import json
import math
from pathlib import Path

import pytest

from provinces.reference import current_rows, historical_rows

GEO_DIR = Path(__file__).resolve().parents[2] / "static" / "geo"
HOANG_SA = (111.6, 16.5)  # lon, lat: Pattle Island (đảo Hoàng Sa)
TRUONG_SA = (111.9, 8.6)  # lon, lat: Spratly Island (đảo Trường Sa Lớn)


def _load(name):
    return json.loads((GEO_DIR / name).read_text(encoding="utf-8"))


def _provinces(rows):
    return {row.code: row.name for row in rows if row.level == "province"}


def _polygons(geometry):
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    assert geometry["type"] == "MultiPolygon", geometry["type"]
    return geometry["coordinates"]


def _ring_area(ring):
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False)) / 2


def _near(feature, point, within=0.15):
    """Whether one of the feature's polygons has its centre within `within` degrees of point."""
    for polygon in _polygons(feature["geometry"]):
        ring = polygon[0][:-1]
        lon = sum(x for x, _ in ring) / len(ring)
        lat = sum(y for _, y in ring) / len(ring)
        if math.dist((lon, lat), point) <= within:
            return True
    return False


MAPS = [
    pytest.param("vn34.geojson", lambda: _provinces(current_rows()), 34, id="34 provinces from 1/7/2025"),
    pytest.param("vn63.geojson", lambda: _provinces(historical_rows()), 63, id="63 provinces before 1/7/2025"),
]


@pytest.mark.parametrize(("filename", "provinces", "count"), MAPS)
def test_each_map_has_one_feature_per_province_with_its_official_code_and_name(filename, provinces, count):
    features = _load(filename)["features"]
    expected = provinces()
    assert len(features) == len(expected) == count
    assert {f["properties"]["code"]: f["properties"]["name"] for f in features} == expected
    assert all(set(f["properties"]) == {"code", "name"} for f in features)


@pytest.mark.parametrize(("filename", "provinces", "count"), MAPS)
def test_every_geometry_is_a_closed_polygon_inside_vietnams_bounding_box(filename, provinces, count):
    for feature in _load(filename)["features"]:
        code = feature["properties"]["code"]
        polygons = _polygons(feature["geometry"])
        assert polygons, code
        for polygon in polygons:
            for ring in polygon:
                assert len(ring) >= 4 and ring[0] == ring[-1], code
                assert abs(_ring_area(ring)) > 0, code
                for lon, lat in ring:
                    assert 102 <= lon <= 118 and 7 <= lat <= 24, (code, lon, lat)


@pytest.mark.parametrize(("filename", "provinces", "count"), MAPS)
def test_hoang_sa_belongs_to_da_nang_and_truong_sa_to_khanh_hoa(filename, provinces, count):
    features = {f["properties"]["code"]: f for f in _load(filename)["features"]}
    assert _near(features["48"], HOANG_SA)
    assert _near(features["56"], TRUONG_SA)
    others = [f for code, f in features.items() if code not in {"48", "56"}]
    assert not any(_near(f, HOANG_SA, 1.0) or _near(f, TRUONG_SA, 1.0) for f in others)
