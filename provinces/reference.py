"""Loading the administrative units and their 2025 lineage (idempotent).

Sources, all shipped in the repository or installed as a pinned package:
- units in force from 1/7/2025: the `vietnam-provinces` package (2025.10.1);
- units in force before: `provinces/data/units_pre2025.csv.gz`, extracted from
  `vietnam-provinces` 0.6.0 (see provinces/data/README.md);
- province lineage: `provinces/data/province_merger_2025.csv` (Resolution
  202/2025/QH15); commune lineage: `provinces/data/commune_lineage_2025.csv.gz`.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from django.db import connection, transaction

from cchc_portal.lib.text import fold

from .models import (
    LAST_DAY_BEFORE_REORGANISATION,
    REORGANISATION_DATE,
    AdministrativeUnit,
    SuccessionKind,
    UnitLevel,
    UnitSuccession,
)

DATA_DIR = Path(__file__).resolve().parent / "data"
PROVINCE_LEGAL_BASIS = "Nghị quyết 202/2025/QH15"
COMMUNE_LEGAL_BASIS = "Nghị quyết của UBTVQH về sắp xếp ĐVHC cấp xã năm 2025"

CURRENT_TYPES = {
    "tỉnh": "tinh",
    "thành phố trung ương": "thanh_pho_tw",
    "xã": "xa",
    "phường": "phuong",
    "đặc khu": "dac_khu",
}


@dataclass
class Row:
    level: str
    code: str
    name: str
    type: str
    parent_code: str


def current_rows() -> list[Row]:
    raw = resources.files("vietnam_provinces").joinpath("data/nested-divisions.json").read_text("utf-8")
    rows: list[Row] = []
    for province in json.loads(raw):
        pcode = f"{province['code']:02d}"
        name = province["name"]
        if province["division_type"] == "tỉnh" and not name.startswith("Tỉnh "):
            name = f"Tỉnh {name}"  # the package omits the prefix for provinces only
        rows.append(Row("province", pcode, name, CURRENT_TYPES[province["division_type"]], ""))
        for ward in province["wards"]:
            rows.append(
                Row("commune", f"{ward['code']:05d}", ward["name"], CURRENT_TYPES[ward["division_type"]], pcode)
            )
    return rows


def historical_rows() -> list[Row]:
    with gzip.open(DATA_DIR / "units_pre2025.csv.gz", "rt", encoding="utf-8") as fh:
        return [Row(r["level"], r["code"], r["name"], r["type"], r["parent_code"]) for r in csv.DictReader(fh)]


def _read_csv(name: str) -> list[dict[str, str]]:
    path = DATA_DIR / name
    opener = gzip.open if name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as fh:
        return list(csv.DictReader(io.StringIO(fh.read())))


def _upsert_level(rows: list[Row], level: str, valid_from, valid_to, parents: dict[str, AdministrativeUnit]) -> dict:
    """Create or update the units of one level and era; returns {code: unit} and counts."""
    existing = {
        u.code: u for u in AdministrativeUnit.objects.filter(level=level, valid_to=valid_to, valid_from=valid_from)
    }
    to_create, to_update = [], []
    for row in rows:
        parent = parents.get(row.parent_code) if row.parent_code else None
        if row.parent_code and parent is None:
            raise ValueError(f"{level} {row.code} {row.name}: parent {row.parent_code} not found")
        province = None
        if parent is not None:
            province = parent if parent.level == UnitLevel.PROVINCE else parent.province
        values = {
            "name": row.name,
            "name_folded": fold(row.name),
            "type": row.type,
            "parent_id": parent.pk if parent else None,
            "province_id": province.pk if province else None,
        }
        unit = existing.get(row.code)
        if unit is None:
            to_create.append(
                AdministrativeUnit(level=level, code=row.code, valid_from=valid_from, valid_to=valid_to, **values)
            )
        elif any(getattr(unit, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(unit, k, v)
            to_update.append(unit)
    AdministrativeUnit.objects.bulk_create(to_create, batch_size=1000)
    AdministrativeUnit.objects.bulk_update(
        to_update, ["name", "name_folded", "type", "parent_id", "province_id"], batch_size=1000
    )
    units = {
        u.code: u for u in AdministrativeUnit.objects.filter(level=level, valid_to=valid_to, valid_from=valid_from)
    }
    return {"units": units, "created": len(to_create), "updated": len(to_update)}


def _upsert_successions(pairs: list[tuple[int, int, str]], effective_date, legal_basis: str) -> int:
    existing = {(p, s): k for p, s, k in UnitSuccession.objects.values_list("predecessor_id", "successor_id", "kind")}
    new = [
        UnitSuccession(predecessor_id=p, successor_id=s, kind=k, effective_date=effective_date, legal_basis=legal_basis)
        for p, s, k in pairs
        if (p, s) not in existing
    ]
    changed = [(p, s, k) for p, s, k in pairs if (p, s) in existing and existing[(p, s)] != k]
    for p, s, k in changed:
        UnitSuccession.objects.filter(predecessor_id=p, successor_id=s).update(kind=k)
    UnitSuccession.objects.bulk_create(new, batch_size=1000)
    return len(new) + len(changed)


@transaction.atomic
def load_reference_units() -> dict[str, int]:
    """Load or refresh all units and lineage. Running it twice changes nothing."""
    counts: dict[str, int] = {}
    history = historical_rows()
    by_level = {lvl: [r for r in history if r.level == lvl] for lvl in UnitLevel.values}
    old_provinces = _upsert_level(by_level["province"], "province", None, LAST_DAY_BEFORE_REORGANISATION, {})
    old_districts = _upsert_level(
        by_level["district"], "district", None, LAST_DAY_BEFORE_REORGANISATION, old_provinces["units"]
    )
    old_communes = _upsert_level(
        by_level["commune"], "commune", None, LAST_DAY_BEFORE_REORGANISATION, old_districts["units"]
    )
    current = current_rows()
    new_provinces = _upsert_level(
        [r for r in current if r.level == "province"], "province", REORGANISATION_DATE, None, {}
    )
    new_communes = _upsert_level(
        [r for r in current if r.level == "commune"], "commune", REORGANISATION_DATE, None, new_provinces["units"]
    )
    for key, result in {
        "provinces_before_2025": old_provinces,
        "districts_before_2025": old_districts,
        "communes_before_2025": old_communes,
        "provinces_current": new_provinces,
        "communes_current": new_communes,
    }.items():
        counts[key] = len(result["units"])
        counts["created"] = counts.get("created", 0) + result["created"]
        counts["updated"] = counts.get("updated", 0) + result["updated"]

    merger = _read_csv("province_merger_2025.csv")
    successors_count: dict[str, int] = {}
    for row in merger:
        successors_count[row["new_code"]] = successors_count.get(row["new_code"], 0) + 1
    province_pairs = [
        (
            old_provinces["units"][row["old_code"]].pk,
            new_provinces["units"][row["new_code"]].pk,
            SuccessionKind.UNCHANGED if successors_count[row["new_code"]] == 1 else SuccessionKind.MERGED,
        )
        for row in merger
    ]
    counts["lineage_changed"] = _upsert_successions(province_pairs, REORGANISATION_DATE, PROVINCE_LEGAL_BASIS)
    counts["province_lineage"] = len(province_pairs)

    commune_pairs = []
    lineage_path = DATA_DIR / "commune_lineage_2025.csv.gz"
    if lineage_path.exists():
        kinds = {"whole": SuccessionKind.WHOLE, "part": SuccessionKind.PART, "part_default": SuccessionKind.PART}
        for row in _read_csv(lineage_path.name):
            old, new = old_communes["units"].get(row["old_code"]), new_communes["units"].get(row["new_code"])
            if old and new:
                commune_pairs.append((old.pk, new.pk, kinds[row["kind"]]))
        counts["lineage_changed"] += _upsert_successions(commune_pairs, REORGANISATION_DATE, COMMUNE_LEGAL_BASIS)
    counts["commune_lineage"] = len(commune_pairs)
    transaction.on_commit(_analyze_units)
    return counts


def _analyze_units() -> None:
    """Fresh planner statistics for the ~14,000 units just written (autovacuum may be off or behind).

    Never analysed, the planner guessed a handful of communes and the dossier stats page joined the
    summary unit by unit: 1.45 s instead of 0.25 s at 1M dossiers (bench/dossiers_scale.py)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for table in ("provinces_administrativeunit", "provinces_unitsuccession"):
            cursor.execute(f"ANALYZE {table}")
