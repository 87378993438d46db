"""Fixtures of the indices tests: shipped methodologies and spreadsheets built from them."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

FILES = Path(__file__).resolve().parent / "files"


@pytest.fixture
def index_provinces(db):
    """The 63 old and 34 new provinces with their lineage and regions: the part of the reference data
    index tests need (the full `reference_units` also loads 13,000 communes)."""
    from provinces import reference
    from provinces.models import LAST_DAY_BEFORE_REORGANISATION, REORGANISATION_DATE, SuccessionKind

    old = reference._upsert_level(
        [r for r in reference.historical_rows() if r.level == "province"],
        "province",
        None,
        LAST_DAY_BEFORE_REORGANISATION,
        {},
    )["units"]
    new = reference._upsert_level(
        [r for r in reference.current_rows() if r.level == "province"], "province", REORGANISATION_DATE, None, {}
    )["units"]
    merger = reference._read_csv("province_merger_2025.csv")
    count = defaultdict(int)
    for row in merger:
        count[row["new_code"]] += 1
    pairs = [
        (
            old[row["old_code"]].pk,
            new[row["new_code"]].pk,
            SuccessionKind.UNCHANGED if count[row["new_code"]] == 1 else SuccessionKind.MERGED,
        )
        for row in merger
    ]
    reference._upsert_successions(pairs, REORGANISATION_DATE, reference.PROVINCE_LEGAL_BASIS)


@pytest.fixture
def methodologies(index_provinces):
    """PAPI 2018–2025 and the regions (the other indices: `all_methodologies`)."""
    from indices.reference import load_methodologies

    load_methodologies(only=("PAPI",))


@pytest.fixture
def all_methodologies(index_provinces):
    from indices.reference import load_methodologies

    load_methodologies()


def edition_of(code: str, year: int):
    from indices.models import Edition

    return Edition.objects.select_related("index").get(index__code=code, year=year)


def provinces_for(year: int):
    from provinces.models import AdministrativeUnit

    date = "2025-06-30" if year < 2025 else "2025-07-01"
    return list(AdministrativeUnit.objects.provinces().valid_on(date).order_by("code"))


def papi_dimension_scores(index: int) -> list[Decimal]:
    """Eight plausible dimension scores for the index-th province, distinct totals."""
    base = Decimal("4.2") + Decimal(index % 17) / 10
    return [(base + Decimal(d) / 7 + Decimal(index) / 997).quantize(Decimal("0.0001")) for d in range(8)]


def papi_rows(year: int, *, vietnamese_headers: bool = True, decimal_comma: bool = True):
    """A published-style PAPI sheet: Tỉnh/Thành phố + 8 dimension columns (+ total), one row per province."""
    from indices.models import Component

    edition = edition_of("PAPI", year)
    dims = list(Component.objects.filter(edition=edition, parent__isnull=True).order_by("order"))
    header = ["STT", "Tỉnh/Thành phố" if vietnamese_headers else "Province"]
    header += [d.name_vi if vietnamese_headers else d.name_en for d in dims]
    header += ["Tổng điểm"]
    rows = [header]
    for i, unit in enumerate(provinces_for(year), 1):
        scores = papi_dimension_scores(i)
        total = sum(scores)
        cells = [str(s) for s in scores] + [str(total)]
        if decimal_comma:
            cells = [c.replace(".", ",") for c in cells]
        rows.append([i, unit.short_name, *cells])
    return rows


def to_csv(rows, delimiter=";") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows(rows)
    return out.getvalue().encode("utf-8")


def to_xlsx(rows) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.fixture
def gia_lai(methodologies):
    """The current Gia Lai (code 52) from the reference data (the root `province` fixture would clash with it)."""
    from provinces.models import AdministrativeUnit

    return AdministrativeUnit.objects.provinces().valid_on("2025-07-01").get(code="52")


@pytest.fixture
def gia_lai_admin(make_user, gia_lai):
    return make_user("gl_admin", "province_admin", units=[gia_lai], is_staff=True)


@pytest.fixture
def gia_lai_viewer(make_user, gia_lai):
    return make_user("gl_viewer", "viewer", units=[gia_lai], is_staff=True)


@pytest.fixture
def viewer_of_gia_lai(make_user, gia_lai):
    return make_user("gl_reader", "viewer", units=[gia_lai])
