"""Demo index results: synthetic but plausible PAPI, SIPAS and PAR INDEX figures.

The 63 old provinces for 2018–2024 and the 34 new ones for 2025, plus the demo
province's own index of its departments. Figures are generated from a fixed
seed (they are NOT the published results). Idempotent: an edition that
already has scores is left alone.
"""

from __future__ import annotations

import random
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction

from provinces.models import AdministrativeUnit, Agency, AgencyKind

from .models import Component, Edition, Index, Score, SubjectLevel, forget_sample_flag
from .rankings import rankings_compute_all
from .reference import load_methodologies

Q4 = Decimal("0.0001")
YEARS = range(2018, 2026)


def _d(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Q4, rounding=ROUND_HALF_UP)


def _provinces(year: int) -> list[AdministrativeUnit]:
    date = "2025-06-30" if year < 2025 else "2025-07-01"
    return list(AdministrativeUnit.objects.provinces().valid_on(date).order_by("code"))


class _Tree:
    def __init__(self, edition: Edition):
        self.edition = edition
        self.components = list(edition.components.all())
        self.by_id = {c.pk: c for c in self.components}
        self.children: dict[int | None, list[Component]] = {}
        for c in self.components:
            self.children.setdefault(c.parent_id, []).append(c)

    def leaf_max(self, c: Component) -> float:
        if c.max_score is not None:
            return float(c.max_score)
        # An unpublished maximum: an equal share of the nearest published one above.
        parent = self.by_id.get(c.parent_id)
        ceiling = self.edition.maximum
        node = parent
        while node is not None:
            if node.max_score is not None:
                ceiling = node.max_score
                break
            node = self.by_id.get(node.parent_id)
        return float(ceiling) / len(self.children[c.parent_id])


def _scores_for(tree: _Tree, subject_field: str, subject_id: int, rng: random.Random, talent: float) -> list:
    """Scores for every component and the total, parents consistent with their children."""
    edition = tree.edition
    values: dict[int | None, Decimal] = {}

    def value_of(node_id: int | None) -> Decimal:
        kids = tree.children.get(node_id, [])
        if not kids:
            share = min(0.98, max(0.2, talent + rng.uniform(-0.03, 0.03)))
            values[node_id] = _d(tree.leaf_max(tree.by_id[node_id]) * share)
            return values[node_id]
        parts = [value_of(k.pk) for k in kids]
        total = sum(parts, Decimal(0))
        if edition.aggregation == "mean":
            total = total / len(parts)
        values[node_id] = total.quantize(Q4, rounding=ROUND_HALF_UP)
        return values[node_id]

    value_of(None)
    if edition.index.code == "PAR_INDEX":
        # Appraisal areas have no published maxima: keep only the four published components.
        keep = {c.pk for c in tree.components if c.parent_id is None} | {None}
        values = {k: v for k, v in values.items() if k in keep}
    return [
        Score(
            edition=edition,
            component_id=cid,
            value=min(v, edition.maximum),
            computed=cid is None,
            **{subject_field: subject_id},
        )
        for cid, v in values.items()
    ]


def _own_index(province: AdministrativeUnit) -> Edition | None:
    short = province.short_name
    index, _ = Index.objects.get_or_create(
        code=f"P{province.code}_DEPARTMENTS",
        defaults={
            "name_vi": f"Chỉ số CCHC các sở, ban, ngành tỉnh {short}",
            "name_en": f"PAR index of the departments of {short}",
            "owner_province": province,
            "publisher": f"UBND tỉnh {short}",
            "order": 10,
        },
    )
    edition, created = Edition.objects.get_or_create(
        index=index,
        year=2025,
        defaults={
            "methodology_ref": "Quyết định của UBND tỉnh (demo)",
            "subject_level": SubjectLevel.AGENCY,
            "maximum": Decimal(100),
            "unit_label": "điểm",
            "group_thresholds": [
                {"code": "Xuất sắc", "label": "≥ 90", "min": 90},
                {"code": "Tốt", "label": "80 – < 90", "min": 80},
                {"code": "Khá", "label": "70 – < 80", "min": 70},
                {"code": "Trung bình", "label": "50 – < 70", "min": 50},
                {"code": "Yếu", "label": "< 50", "min": 0},
            ],
        },
    )
    if created:
        areas = [
            ("L1", "Công tác chỉ đạo, điều hành CCHC", 12),
            ("L2", "Cải cách thể chế", 12),
            ("L3", "Cải cách thủ tục hành chính", 16),
            ("L4", "Cải cách tổ chức bộ máy", 10),
            ("L5", "Cải cách chế độ công vụ", 14),
            ("L6", "Cải cách tài chính công", 10),
            ("L7", "Chính phủ điện tử, Chính phủ số", 16),
            ("L8", "Tác động của CCHC", 10),
        ]
        Component.objects.bulk_create(
            Component(edition=edition, code=c, name_vi=n, kind="area", max_score=Decimal(m), order=i)
            for i, (c, n, m) in enumerate(areas, 1)
        )
    return edition


@transaction.atomic
def load_demo(province: AdministrativeUnit | None = None) -> dict[str, int]:
    load_methodologies()
    created = 0
    for edition in Edition.objects.filter(index__owner_province__isnull=True, year__in=YEARS).select_related("index"):
        if edition.scores.exists():
            continue
        rng = random.Random(f"{edition.index.code}-{edition.year}")
        tree = _Tree(edition)
        scores = []
        for unit in _provinces(edition.year):
            talent = random.Random(f"talent-{unit.code}-{unit.valid_to}").uniform(0.45, 0.85)
            if rng.random() < 0.02:  # a province or two missing, as in published PAPI years
                continue
            drift = (edition.year - 2018) * 0.004 + rng.uniform(-0.02, 0.02)
            scores += _scores_for(tree, "unit_id", unit.pk, rng, talent + drift)
        Score.objects.bulk_create(scores, batch_size=2000)
        Edition.objects.filter(pk=edition.pk).update(is_sample=bool(scores))
        created += len(scores)
    if province is not None:
        edition = _own_index(province)
        if not edition.scores.exists():
            rng = random.Random(f"own-{province.code}")
            agencies = Agency.objects.filter(province=province, kind=AgencyKind.DEPARTMENT).valid_on(
                edition.reference_date
            )
            scores = []
            tree = _Tree(edition)
            for agency in agencies:
                scores += _scores_for(tree, "agency_id", agency.pk, rng, rng.uniform(0.6, 0.95))
            Score.objects.bulk_create(scores, batch_size=2000)
            Edition.objects.filter(pk=edition.pk).update(is_sample=bool(scores))
            created += len(scores)
    forget_sample_flag()
    ranked = rankings_compute_all() if created else {}
    return {"scores_created": created, "editions_ranked": len(ranked)}
