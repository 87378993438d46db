"""The column-wise CSV path stores what the row parser stores and reports the same errors.

One file of thousands of good and bad rows (every kind of row error, the Decision 766
columns, receipt numbers that come twice, short rows and extra cells) is imported through
both paths, each into an empty dossier table: the stored dossiers (every column), the
summary rows, the procedures created, the counts and the error file must be identical.
Written in UTF-8 with a BOM, in Windows-1258 and in UTF-16 (the last two transcoded to UTF-8 first).
"""

from __future__ import annotations

import csv
import random
import unicodedata

import pytest
from django.forms.models import model_to_dict

from dossiers.importing import import_file, map_headers
from dossiers.models import Dossier, DossierSummary, Procedure

from .conftest import TODAY
from .test_row_parser_equivalence import GOOD, HEADER_SETS, TEXT_VARIANTS, _rows, catalogue  # noqa: F401

# Committed and flushed (not rolled back): an import's ANALYZE inside a test transaction left
# the planner choices of a later test (the late list's index walk) depending on these rows.
pytestmark = pytest.mark.django_db(transaction=True)

SERVICE_VARIANTS = {
    "Số lần yêu cầu bổ sung": ["", "0", "1", "2", "abc", "100"],
    "Ngày yêu cầu bổ sung": ["", "", "03/06/2025", "31/02/2025"],
    "Ngày hoàn thành bổ sung": ["", "", "05/06/2025", "01/06/2025"],
    "Số ngày chờ bổ sung": ["", "", "2", "-1"],
    # The column path keys these cells joined by U+001F, a null one read as U+001E: cells holding them.
    "Kết quả điện tử": ["", "Có", "Không", "https://ketqua.example/a.pdf", "có lẽ", "Có\x1fKhông", "Có\x1f"],
    "Phí, lệ phí": ["", "Có", "Miễn phí", "50.000", "0"],
    "Thanh toán trực tuyến": ["", "Cổng DVC quốc gia", "Tiền mặt", "Chuyển khoản lạ"],
    "Số hóa thành phần hồ sơ": ["", "Có", "x", "Không", "?"],
    "Tái sử dụng dữ liệu số hóa": ["", "Có", "Không"],
    "Định danh VNeID": ["", "Có", "1", "\x1e", " \x1e Có"],
    "Phản ánh, kiến nghị": ["", "Không", "Có", "hmm"],
}


def _file_rows(count: int, seed: int) -> tuple[list[str], list[list[str]]]:
    headers = [*HEADER_SETS["all fields"], *SERVICE_VARIANTS]
    rng = random.Random(seed)
    rows = []
    for _number, cells in _rows(headers[: len(HEADER_SETS["all fields"])], count, seed=seed, typed=False):
        cells = list(cells)
        if len(cells) >= len(HEADER_SETS["all fields"]) and rng.random() < 0.7:
            cells = cells[: len(HEADER_SETS["all fields"])]
            cells += [rng.choice(values) if rng.random() < 0.3 else "" for values in SERVICE_VARIANTS.values()]
        rows.append(cells)
    columns = map_headers(headers)
    # Receipt numbers twice: the later row wins (or the later good one, when it is bad).
    for index in range(0, count, 97):
        if len(rows[index]) > columns["receipt_number"] and len(rows[index + 1]) > columns["receipt_number"]:
            rows[index + 1][columns["receipt_number"]] = rows[index][columns["receipt_number"]]
    return headers, rows


def _windows_1258(text: str) -> str:
    """Text as Windows Vietnamese keeps it: a tone mark on "ố" is a combining mark after "ô"."""
    out = []
    for char in text:
        try:
            char.encode("cp1258")
        except UnicodeEncodeError:
            base, *marks = unicodedata.normalize("NFD", char)
            char = base + "".join(marks)
            for mark in marks:  # ô, ơ, ă... are Windows-1258 letters; the tone mark follows them
                letter = unicodedata.normalize("NFC", base + mark)
                if len(letter) == 1 and _encodable(letter):
                    char = letter + "".join(m for m in marks if m != mark)
                    break
        out.append(char)
    return "".join(out)


def _encodable(char: str) -> bool:
    try:
        char.encode("cp1258")
    except UnicodeEncodeError:
        return False
    return True


def _write(path, headers, rows, encoding: str) -> None:
    lines = [["DANH SÁCH HỒ SƠ"], headers, *rows]
    if encoding == "cp1258":
        lines = [[_windows_1258(cell) for cell in cells] for cells in lines]
    with open(path, "w", encoding=encoding, newline="", errors="strict") as handle:
        csv.writer(handle).writerows(lines)


def _stored(dossier: Dossier) -> tuple:
    """Every column but the id, the job and the write time; the procedure by code (ids differ after a reset)."""
    values = model_to_dict(dossier)
    values["procedure"] = dossier.procedure.code
    return tuple(sorted((k, v) for k, v in values.items() if k not in ("id", "import_job", "updated_at")))


def _snapshot(errors_path) -> dict:
    dossiers = sorted((_stored(d) for d in Dossier.objects.select_related("procedure")), key=repr)
    summaries = sorted(
        (tuple(sorted((k, v) for k, v in model_to_dict(s).items() if k != "id")) for s in DossierSummary.objects.all()),
        key=repr,
    )
    procedures = sorted(Procedure.objects.values_list("code", "name", "level", "allowance_days"))
    with open(errors_path, encoding="utf-8-sig") as handle:
        errors = handle.read()
    return {"dossiers": dossiers, "summaries": summaries, "procedures": procedures, "errors": errors}


def _reset(catalogue_codes: set[str]) -> None:  # noqa: F811
    Dossier.objects.all().delete()
    DossierSummary.objects.all().delete()
    Procedure.objects.exclude(code__in=catalogue_codes).delete()


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp1258", "utf-16"])
def test_both_paths_store_the_same_rows_and_report_the_same_errors(catalogue, tmp_path, encoding):  # noqa: F811
    Procedure.objects.filter(code="2.000488").update(paper_result=True)
    codes = set(Procedure.objects.values_list("code", flat=True))
    headers, rows = _file_rows(4000, seed=7)
    path = tmp_path / "export.csv"
    _write(path, headers, rows, encoding)
    results = {}
    for engine in ("rows", "columns"):
        _reset(codes)
        errors_path = tmp_path / f"errors-{engine}.csv"
        _info, report = import_file(str(path), engine=engine, errors_path=str(errors_path), today=TODAY)
        counts = (report.total_rows, report.good_rows, report.error_rows, report.inserted, report.updated)
        results[engine] = (counts, _snapshot(errors_path))
    rows_path, columns_path = results["rows"], results["columns"]
    assert rows_path[0] == columns_path[0]
    for part in ("procedures", "summaries", "dossiers", "errors"):
        assert rows_path[1][part] == columns_path[1][part], part
    # The file really is a mix: stored rows, rows with errors, 766 facts, a second receipt number.
    total, good, bad, inserted, _updated = rows_path[0]
    assert inserted > 1000 and bad > 500 and good > inserted
    reasons = {line.split(",")[2] for line in rows_path[1]["errors"].splitlines()[1:] if line.count(",") > 2}
    assert len(reasons) >= 15
    stored = Dossier.objects.all()
    assert stored.filter(digitised=True).exists() and stored.filter(late_766=True).exists()
    assert stored.filter(online_766=False, channel__startswith="online").exists()


def test_a_file_with_an_overlong_cell_goes_to_the_row_path(catalogue, tmp_path):  # noqa: F811
    headers = HEADER_SETS["usual"]
    columns = map_headers(headers)
    good = [""] * len(headers)
    for name, index in columns.items():
        good[index] = GOOD[name]
    long_row = list(good)
    long_row[columns["receipt_number"]] = "x" * 140_000
    path = tmp_path / "long.csv"
    _write(path, headers, [good, long_row], "utf-8")
    _info, report = import_file(str(path), engine="columns", errors_path=str(tmp_path / "e.csv"), today=TODAY)
    assert (report.good_rows, report.error_rows) == (1, 1)
    with open(tmp_path / "e.csv", encoding="utf-8-sig") as handle:
        assert "131.072" in handle.read()  # the reader's own message, as on the row path


def test_text_variants_are_all_exercised():
    # The row generator draws from every column's variants: guard against an empty list.
    assert all(TEXT_VARIANTS.values()) and all(SERVICE_VARIANTS.values())


def test_a_file_with_bare_cr_line_ends_is_read_by_the_row_path(catalogue, tmp_path):  # noqa: F811
    headers, rows = _file_rows(300, seed=3)
    path = tmp_path / "mac.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\r").writerows([headers, *rows])
    expected = tmp_path / "unix.csv"
    with open(expected, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows([headers, *rows])
    counts = []
    for file in (path, expected):
        Dossier.objects.all().delete()
        DossierSummary.objects.all().delete()
        _info, report = import_file(str(file), engine="columns", errors_path=str(tmp_path / "e.csv"), today=TODAY)
        counts.append((report.total_rows, report.good_rows, report.error_rows, Dossier.objects.count()))
    assert counts[0] == counts[1] and counts[0][1] > 100
