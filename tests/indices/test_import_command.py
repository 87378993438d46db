from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from audit.models import AuditEvent
from indices.models import Ranking, Score

from .conftest import edition_of, papi_rows, to_csv, to_xlsx


def run_import(tmp_path, name, content, *args):
    """Runs the command; on-commit callbacks (the rankings job, eager in tests) run as after a real commit."""
    from django.test import TestCase

    path = tmp_path / name
    path.write_bytes(content)
    out, err = StringIO(), StringIO()
    with TestCase.captureOnCommitCallbacks(execute=True):
        try:
            call_command("import_index_scores", str(path), *args, stdout=out, stderr=err)
        except CommandError as exc:
            return out.getvalue(), err.getvalue(), exc
    return out.getvalue(), err.getvalue(), None


def test_command_imports_a_63_province_papi_sheet_with_vietnamese_headers_and_decimal_commas(methodologies, tmp_path):
    out, err, exc = run_import(tmp_path, "papi2023.csv", to_csv(papi_rows(2023)), "--index", "PAPI", "--year", "2023")
    assert exc is None, err
    assert out.strip().splitlines()[-1].startswith("63 mới, 0 thay đổi, 0 không đổi; 0 lỗi")
    edition = edition_of("PAPI", 2023)
    assert Score.objects.filter(edition=edition, component__isnull=True).count() == 63
    assert Score.objects.filter(edition=edition, component__isnull=False).count() == 63 * 8
    ha_noi = Score.objects.get(edition=edition, component__isnull=True, unit__code="01")
    assert ha_noi.value == sum(
        Score.objects.filter(edition=edition, unit__code="01", component__isnull=False).values_list("value", flat=True)
    )
    assert Ranking.objects.filter(edition=edition).count() == 63
    assert AuditEvent.objects.filter(source="command").count() == 63 * 9


def test_reimporting_the_same_file_reports_every_row_unchanged(methodologies, tmp_path):
    content = to_xlsx(papi_rows(2023, decimal_comma=False))
    run_import(tmp_path, "papi.xlsx", content, "--index", "PAPI", "--year", "2023")
    events = AuditEvent.objects.count()
    out, err, exc = run_import(tmp_path, "papi.xlsx", content, "--index", "PAPI", "--year", "2023")
    assert exc is None
    assert "0 mới, 0 thay đổi, 63 không đổi; 0 lỗi" in out
    assert AuditEvent.objects.count() == events


def test_a_corrected_file_updates_only_the_changed_row(methodologies, tmp_path):
    rows = papi_rows(2023)
    run_import(tmp_path, "papi.csv", to_csv(rows), "--index", "PAPI", "--year", "2023")
    rows[5][3] = "9,9"  # D2 of the fifth province
    rows[5][-1] = ""  # its total is recomputed
    out, err, exc = run_import(tmp_path, "papi.csv", to_csv(rows), "--index", "PAPI", "--year", "2023")
    assert exc is None, err
    assert "0 mới, 1 thay đổi, 62 không đổi" in out
    edition = edition_of("PAPI", 2023)
    unit_name = rows[5][1]
    changed = Score.objects.get(edition=edition, unit__name__endswith=unit_name, component__code="D2")
    assert changed.value == Decimal("9.9")
    assert AuditEvent.objects.filter(action="update").count() == 2  # D2 and the total


def test_dry_run_writes_nothing(methodologies, tmp_path):
    out, err, exc = run_import(
        tmp_path, "papi.csv", to_csv(papi_rows(2023)), "--index", "PAPI", "--year", "2023", "--dry-run"
    )
    assert exc is None
    assert "63 mới" in out and "chưa ghi dữ liệu nào" in out
    assert not Score.objects.exists()


def test_command_imports_a_34_province_sheet_for_2025(methodologies, tmp_path):
    out, err, exc = run_import(
        tmp_path,
        "papi2025.xlsx",
        to_xlsx(papi_rows(2025, vietnamese_headers=False)),
        "--index",
        "PAPI",
        "--year",
        "2025",
    )
    assert exc is None, err
    assert "34 mới" in out
    assert Ranking.objects.filter(edition=edition_of("PAPI", 2025)).count() == 34


def test_unknown_edition_is_a_command_error(methodologies, tmp_path):
    with pytest.raises(CommandError, match="No edition PAPI 2012"):
        call_command("import_index_scores", __file__, "--index", "PAPI", "--year", "2012")
