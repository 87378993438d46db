"""Loading the shipped methodologies and regions (idempotent, data files in indices/data)."""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from provinces.models import LAST_DAY_BEFORE_REORGANISATION, AdministrativeUnit

from .models import Component, Edition, Index, Region, RegionMembership

DATA_DIR = Path(__file__).resolve().parent / "data"


def _decimal(value) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


def _load_components(
    edition: Edition, nodes: list[dict], parent: Component | None, counts: dict, existing: dict[str, Component]
) -> None:
    for order, node in enumerate(nodes, 1):
        values = {
            "parent_id": parent.pk if parent else None,
            "name_vi": node["name_vi"],
            "name_en": node.get("name_en", ""),
            "kind": node.get("kind", "component"),
            "order": order,
        }
        component = existing.get(node["code"])
        if component is None:
            component = Component.objects.create(
                edition=edition,
                code=node["code"],
                max_score=_decimal(node.get("max_score")),
                max_is_provisional=bool(node.get("max_is_provisional")),
                **values,
            )
            counts["components_created"] += 1
        elif any(getattr(component, k) != v for k, v in values.items()):
            # Maxima are left as an operator may have corrected them in the admin.
            for k, v in values.items():
                setattr(component, k, v)
            component.save()
            counts["components_updated"] += 1
        _load_components(edition, node.get("children", []), component, counts, existing)


@transaction.atomic
def load_methodologies(path: Path | None = None, only: tuple[str, ...] = ()) -> dict[str, int]:
    """Create the shipped indices, editions and component trees; existing editions keep their edits."""
    data = json.loads((path or DATA_DIR / "methodologies.json").read_text("utf-8"))
    counts = {"indices": 0, "editions_created": 0, "components_created": 0, "components_updated": 0}
    for spec in data["indices"]:
        if only and spec["code"] not in only:
            continue
        index, _ = Index.objects.update_or_create(
            code=spec["code"],
            defaults={
                "name_vi": spec["name_vi"],
                "name_en": spec["name_en"],
                "publisher": spec.get("publisher", ""),
                "order": spec.get("order", 100),
            },
        )
        counts["indices"] += 1
        for ed in spec["editions"]:
            edition, created = Edition.objects.get_or_create(
                index=index,
                year=ed["year"],
                defaults={
                    "methodology_ref": ed.get("methodology_ref", ""),
                    "subject_level": ed["subject_level"],
                    "maximum": Decimal(ed["maximum"]),
                    "unit_label": ed.get("unit_label", "điểm"),
                    "aggregation": ed.get("aggregation", "sum"),
                    "group_thresholds": ed.get("group_thresholds", []),
                    "notes": ed.get("notes", ""),
                },
            )
            counts["editions_created"] += int(created)
            existing = {} if created else {c.code: c for c in edition.components.all()}
            _load_components(edition, ed.get("components", []), None, counts, existing)
    counts.update(load_regions())
    return counts


@transaction.atomic
def load_regions() -> dict[str, int]:
    """The 6 socio-economic regions and their provinces, before and from 2025 (needs the units loaded)."""
    with open(DATA_DIR / "regions.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    regions: dict[str, Region] = {}
    for row in rows:
        if row["region_code"] not in regions:
            regions[row["region_code"]], _ = Region.objects.update_or_create(
                code=row["region_code"],
                defaults={
                    "name_vi": row["region_name_vi"],
                    "name_en": row["region_name_en"],
                    "order": len(regions) + 1,
                },
            )
    provinces = AdministrativeUnit.objects.provinces()
    old = {u.code: u for u in provinces.filter(valid_to=LAST_DAY_BEFORE_REORGANISATION)}
    new = {u.code: u for u in provinces.filter(valid_to__isnull=True)}
    existing = dict(RegionMembership.objects.values_list("unit_id", "region_id"))
    created = 0
    for row in rows:
        unit = (old if row["era"] == "before_2025" else new).get(row["province_code"])
        if unit is None:
            continue
        region = regions[row["region_code"]]
        if existing.get(unit.pk) != region.pk:
            RegionMembership.objects.update_or_create(unit=unit, defaults={"region": region})
            created += 1
    return {"regions": len(regions), "region_memberships_changed": created}
