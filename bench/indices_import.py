"""Bench: import a 63-province PAPI sheet with sub-dimensions (dry run and real) and compute rankings.

Run from the repository root against a scratch database, e.g.
    DJANGO_DEBUG=1 DATABASE_URL=sqlite:////tmp/bench.sqlite3 python bench/indices_import.py
The database is migrated and the provinces and methodologies loaded first.
"""

from __future__ import annotations

import io
import os
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cchc_portal.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from indices.importing import import_scores  # noqa: E402
from indices.models import Edition, Score  # noqa: E402
from indices.rankings import rankings_compute  # noqa: E402
from indices.reference import load_methodologies  # noqa: E402
from provinces.models import AdministrativeUnit  # noqa: E402
from provinces.reference import load_reference_units  # noqa: E402


def sheet(edition: Edition) -> bytes:
    leaves = list(edition.components.filter(parent__isnull=False).order_by("parent__order", "order"))
    workbook = Workbook()
    ws = workbook.active
    ws.append(["Tỉnh/Thành phố", *[c.name_vi for c in leaves]])
    units = AdministrativeUnit.objects.provinces().valid_on("2025-06-30").order_by("code")
    for i, unit in enumerate(units):
        ws.append([unit.short_name, *[str(min(c.max_score, Decimal("1.5") + Decimal(i % 9) / 10)) for c in leaves]])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def timed(label, fn):
    start = time.perf_counter()
    result = fn()
    print(f"{label:<40} {time.perf_counter() - start:7.2f} s")
    return result


def main() -> None:
    call_command("migrate", verbosity=0)
    load_reference_units()
    load_methodologies()
    edition = Edition.objects.get(index__code="PAPI", year=2023)
    Score.objects.filter(edition=edition).delete()
    content = sheet(edition)
    plan = timed(
        "dry run (63 rows x 28 sub-dimensions)", lambda: import_scores(edition, content, "b.xlsx", dry_run=True)
    )
    print("  ", plan.summary())
    plan = timed("import", lambda: import_scores(edition, content, "b.xlsx"))
    print("  ", plan.summary())
    plan = timed("re-import (all unchanged)", lambda: import_scores(edition, content, "b.xlsx"))
    print("  ", plan.summary())
    timed("rankings of the edition", lambda: rankings_compute(edition.pk, cascade=False))


if __name__ == "__main__":
    main()
