"""A first import's summary delta, grouped while the file is read (`columnar.ReadGroups`, PostgreSQL).

The column path groups the rows it stages with the summaries' own SQL (run by polars) and
the write uses those groups only when every staged row is inserted. In each case below the
summaries must equal a full recompute; for a first import, also what the row path stores
(it groups in SQL after the write).
"""

from __future__ import annotations

import csv
import datetime as dt

import pytest
from django.db import connection
from django.forms.models import model_to_dict

from dossiers.generate import write_export
from dossiers.importing import import_file, recompute_all_summaries
from dossiers.models import Dossier, DossierSummary, HandlingTimeSummary, ProvinceHandlingTimeSummary

pytestmark = pytest.mark.django_db(transaction=True)
END = dt.date(2026, 8, 31)
TODAY = dt.date(2026, 9, 2)
SUMMARIES = (DossierSummary, HandlingTimeSummary, ProvinceHandlingTimeSummary)


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("the column path groups what it reads on PostgreSQL only (COPY)")


@pytest.fixture
def export(province, communes, make_agency, tmp_path):
    make_agency(province, "Sở Tư pháp", short_name="STP")
    make_agency(province, "Sở Xây dựng", short_name="SXD")
    path = tmp_path / "export.csv"
    write_export(str(path), province=province, rows=4000, end=END, seed=5)
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    return path, rows[0], rows[1:]


def _write(path, headers, rows) -> str:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([headers, *rows])
    return str(path)


def _summaries() -> dict:
    return {
        model.__name__: sorted(
            (tuple(sorted((k, v) for k, v in model_to_dict(row).items() if k != "id")) for row in model.objects.all()),
            key=repr,
        )
        for model in SUMMARIES
    }


def _import(path, engine="columns", errors=0):
    _info, report = import_file(str(path), engine=engine, today=TODAY)
    assert report.error_rows == errors
    return report


def _as_recomputed() -> dict:
    """The summaries as the import left them, after checking that a full recompute gives the same."""
    kept = _summaries()
    recompute_all_summaries()
    assert _summaries() == kept
    return kept


def _empty() -> None:
    Dossier.objects.all().delete()
    for model in SUMMARIES:
        model.objects.all().delete()


def test_a_first_import_takes_the_groups_read_and_stores_what_the_row_path_stores(export):
    path, _headers, rows = export
    report = _import(path)
    assert report.grouped_while_reading and report.inserted == len(rows)
    by_columns = _as_recomputed()
    # The file exercises what the groups count: every outcome, the 766 facts, finished rows' handling time.
    assert {row[0] for row in Dossier.objects.values_list("outcome")} >= {"early", "on_time", "late", "overdue"}
    assert Dossier.objects.filter(e_result=True).exists() and Dossier.objects.filter(paid_online=True).exists()
    assert Dossier.objects.filter(late_766=True).exists() and Dossier.objects.filter(digitised=False).exists()
    assert len(by_columns["HandlingTimeSummary"]) > 50 and len(by_columns["DossierSummary"]) > 50
    _empty()
    report = _import(path, engine="rows")
    assert not report.grouped_while_reading
    assert _summaries() == by_columns


def test_rows_already_stored_are_grouped_in_sql(export, tmp_path):
    path, headers, rows = export
    report = _import(_write(tmp_path / "first.csv", headers, rows[:1500]))
    assert report.grouped_while_reading
    # The whole file again with 300 stored rows changed: updates and inserts, the delta takes the old rows away.
    paused = headers.index("Số ngày tạm dừng")
    for row in rows[:300]:
        row[paused] = str(int(row[paused] or 0) + 3)
    report = _import(_write(tmp_path / "again.csv", headers, rows))
    assert report.updated == 300 and report.inserted == len(rows) - 1500
    assert not report.grouped_while_reading
    _as_recomputed()


def test_a_receipt_number_twice_is_grouped_in_sql(export, tmp_path):
    path, headers, rows = export
    rows = [*rows, list(rows[10])]
    paused = headers.index("Số ngày tạm dừng")
    rows[-1][paused] = str(int(rows[-1][paused] or 0) + 3)
    report = _import(_write(tmp_path / "twice.csv", headers, rows))
    assert not report.grouped_while_reading and report.inserted == len(rows) - 1
    _as_recomputed()


def test_rows_with_errors_left_out_still_take_the_groups(export, tmp_path):
    path, headers, rows = export
    rows[7][headers.index("Ngày tiếp nhận")] = "31/02/2026 08:00"
    report = _import(_write(tmp_path / "bad.csv", headers, rows), errors=1)
    assert report.grouped_while_reading and report.inserted == len(rows) - 1
    _as_recomputed()


def test_a_row_read_by_the_row_parser_is_grouped_in_sql(export, tmp_path):
    path, headers, rows = export
    # A procedure missing from the catalogue: the row parser reads its rows (and adds the procedure).
    rows[0][headers.index("Mã thủ tục")] = "9.999999"
    report = _import(_write(tmp_path / "new-procedure.csv", headers, rows))
    assert not report.grouped_while_reading and report.inserted == len(rows)
    assert Dossier.objects.filter(procedure__code="9.999999").count() == 1
    _as_recomputed()


def test_too_many_groups_stop_grouping_and_the_write_groups_in_sql(export, monkeypatch):
    from dossiers.importing import columnar

    path, _headers, rows = export
    monkeypatch.setattr(columnar, "GROUP_ROWS", 500)  # groups made and added up several times in the file
    monkeypatch.setattr(columnar, "MAX_GROUP_BYTES", 20_000)  # then too many to keep
    report = _import(path)
    assert not report.grouped_while_reading and report.inserted == len(rows)
    _as_recomputed()


def test_groups_added_up_many_times_give_the_same_summaries(export, monkeypatch):
    from dossiers.importing import columnar

    path, _headers, rows = export
    monkeypatch.setattr(columnar, "CHUNK_BYTES", 32 << 10)  # pieces of ~120 rows
    monkeypatch.setattr(columnar, "GROUP_ROWS", 300)  # grouped every ~3 pieces, added up every 2 groups
    added_up = []
    real = columnar._added_up
    monkeypatch.setattr(columnar, "_added_up", lambda *args: added_up.append(1) or real(*args))
    report = _import(path)
    assert len(added_up) > 10
    assert report.grouped_while_reading and report.inserted == len(rows)
    _as_recomputed()
