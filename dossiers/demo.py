"""Demo dossiers: ~25,000 synthetic dossiers of the demo province over the last 12 months."""

from __future__ import annotations

import datetime as dt

from .generate import HEADERS, SERVICE_HEADERS, generate_rows
from .importing import Scope, import_rows, map_headers
from .models import Dossier, local_today

DEMO_ROWS = 25_000


def load_demo(*, province, rows: int = DEMO_ROWS) -> str:
    # Idempotent: the demo set is generated once per province (a rerun on another day
    # would otherwise produce other receipt numbers).
    if Dossier.objects.filter(province=province).exists():
        return f"{Dossier.objects.filter(province=province).count()} dossiers (already loaded)"
    end = local_today() - dt.timedelta(days=1)
    generated = generate_rows(province=province, rows=rows, end=end, seed=2025)
    report = import_rows(
        ((number, row) for number, row in enumerate(generated, start=2)),
        columns=map_headers(HEADERS + SERVICE_HEADERS),
        headers=HEADERS + SERVICE_HEADERS,
        scope=Scope([province.pk]),
    )
    return f"{report.inserted} dossiers, {report.error_rows} rejected rows"
