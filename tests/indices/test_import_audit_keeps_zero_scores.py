from decimal import Decimal

from audit.history import describe
from audit.models import AuditEvent
from indices.models import Component, Score

from .conftest import edition_of, papi_rows, to_csv
from .test_import_command import run_import


def test_a_self_assessed_score_of_zero_is_written_to_the_audit_log(methodologies, tmp_path):
    edition = edition_of("PAPI", 2023)
    first = Component.objects.filter(edition=edition, parent__isnull=True).order_by("order").first()
    rows = papi_rows(2023)
    rows[0].append(f"{first.name_vi} tự đánh giá")
    for row in rows[1:]:
        row.append("0")
    out, err, exc = run_import(tmp_path, "papi.csv", to_csv(rows), "--index", "PAPI", "--year", "2023")
    assert exc is None, err
    score = Score.objects.filter(edition=edition, component=first).first()
    assert score.self_assessed == 0
    event = AuditEvent.objects.for_object(score).get()
    old, new = event.changes["self_assessed"]
    assert old is None and Decimal(new) == 0
    lines = [str(line) for line in describe(event)]
    assert any(line.endswith(": 0") for line in lines), lines
