"""The import toolkit on its own: encodings, CSV limits, header finding, cells, name rules, the problem shape."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
from decimal import Decimal

import pytest

from cchc_portal.lib.imports import (
    FileRefused,
    Limits,
    NameIndex,
    RowProblem,
    UnreadableRow,
    cell_text,
    find_header,
    is_collective,
    name_key,
    read_table,
    unit_core,
)

from .hostile import cp1258

TEXT = "Mã hồ sơ;Cơ quan tiếp nhận\nHS-1;Sở Tư pháp\nHS-2;Ủy ban nhân dân xã Ia Grai\n"
EXPECTED = [["Mã hồ sơ", "Cơ quan tiếp nhận"], ["HS-1", "Sở Tư pháp"], ["HS-2", "Ủy ban nhân dân xã Ia Grai"]]


@pytest.mark.parametrize(
    "encoded",
    [
        TEXT.encode("utf-8"),
        codecs.BOM_UTF8 + TEXT.encode("utf-8"),
        TEXT.encode("utf-16"),  # with its byte order mark, as Excel's "Unicode text"
        cp1258(TEXT),  # Excel's plain "CSV" on a Vietnamese Windows
    ],
    ids=["utf-8", "utf-8 with BOM", "utf-16", "windows-1258"],
)
def test_every_accepted_encoding_reads_the_same_rows(encoded):
    rows = read_table(encoded)
    assert [[cell_text(c) for c in row] for row in rows] == EXPECTED
    assert rows.numbers == [1, 2, 3]


def test_a_tab_separated_file_is_read_too():
    assert read_table(TEXT.replace(";", "\t").encode())[1] == ["HS-1", "Sở Tư pháp"]


def test_a_cell_over_the_field_limit_is_a_row_problem_and_the_next_rows_are_read():
    data = ("a,b\n1," + "x" * 200_000 + "\n2,ok\n").encode()
    rows = read_table(data)
    assert rows[1].__class__ is UnreadableRow and "131.072" in rows[1].message
    assert rows[2] == ["2", "ok"] and rows.numbers == [1, 2, 3]


def test_a_line_over_the_line_limit_is_skipped_with_bounded_memory():
    data = ("a,b\n" + "y" * 5_000 + "\n3,ok\n").encode()
    rows = read_table(data, Limits(max_line_chars=1_000))
    assert rows[1].__class__ is UnreadableRow and "1.000" in rows[1].message
    assert rows[2] == ["3", "ok"]


def test_too_many_rows_is_refused_with_the_limit_in_the_message():
    data = ("a\n" + "x\n" * 20).encode()
    with pytest.raises(FileRefused, match="10 dòng"):
        read_table(data, Limits(max_rows=10))


def test_empty_rows_are_skipped_but_numbered_as_in_the_file():
    rows = read_table(b"title\n\n,,\nA,B\n")
    assert rows == [["title"], ["A", "B"]] and rows.numbers == [1, 4]


def test_the_header_is_found_below_title_rows_or_the_file_is_refused_with_the_callers_message():
    rows = [["BÁO CÁO"], [], ["STT", "Nhiệm vụ"], ["1", "x"]]
    position, texts, found = find_header(rows, lambda t: "ok" if "Nhiệm vụ" in t else None, "none")
    assert (position, texts, found) == (2, ["STT", "Nhiệm vụ"], "ok")
    with pytest.raises(FileRefused, match="^no header here$"):
        find_header(rows, lambda t: None, "no header here")


@pytest.mark.parametrize(
    "value, text",
    [
        (None, ""),
        (12.0, "12"),
        (12.5, "12.5"),
        (Decimal("46.0415"), "46.0415"),
        (True, "TRUE"),
        (dt.date(2026, 6, 5), "05/06/2026"),
        (dt.datetime(2026, 6, 5, 0, 0), "05/06/2026"),
        (dt.datetime(2026, 6, 5, 8, 30), "05/06/2026 08:30"),
        (" So\u031b\u0309 Tu\u031b\u200b pha\u0301p\u00a0", "Sở Tư pháp"),
    ],
)
def test_cells_read_as_the_text_a_person_sees(value, text):
    assert cell_text(value) == text


@pytest.mark.parametrize(
    "typed, key",
    [
        ("UBND xã Ia Grai", "uy ban nhan dan xa ia grai"),
        ("Ủy  ban nhân dân Xã IA GRAI", "uy ban nhan dan xa ia grai"),
        ("VP UBND tỉnh", "van phong uy ban nhan dan tinh"),
        ("STP", "so tu phap"),
        ("Sở\u200b Nội vụ", "so noi vu"),
    ],
)
def test_names_fold_to_one_key(typed, key):
    assert name_key(typed) == key


def test_a_unit_is_found_with_or_without_its_kind_and_an_ambiguous_name_says_so():
    index = NameIndex(core=unit_core)
    index.add(1, ["Xã Ia Grai"])
    index.add(2, ["Phường Quy Nhơn"])
    index.add(3, ["Xã Quy Nhơn"])
    assert index.lookup("ia grai") == [1]
    assert index.lookup("UBND xã Ia Grai") == [1]
    assert index.lookup("Phường Quy Nhơn") == [2]
    assert sorted(index.lookup("Quy Nhơn")) == [2, 3]
    assert index.suggest("Ia Grei") == [1]


@pytest.mark.parametrize("text", ["UBND cấp xã", "UBND các xã, phường", "các sở, ngành liên quan", "Toàn tỉnh"])
def test_collective_names_are_recognised(text):
    assert is_collective(text)


def test_a_row_problem_reads_in_the_users_language():
    problem = RowProblem(row=7, column_name="Ngày tiếp nhận", message="Ngày ở tương lai.")
    assert str(problem) == "Lỗi, dòng 7, cột “Ngày tiếp nhận”: Ngày ở tương lai."


@pytest.mark.django_db
def test_the_dossier_error_file_never_hands_a_formula_to_a_spreadsheet(tmp_path, province, make_commune):
    from dossiers.importing import import_file
    from tests.dossiers.conftest import HEADERS, row

    make_commune(province, "21550", "Phường Quy Nhơn")
    path = tmp_path / "export.csv"
    bad = row('=cmd|" /C calc"!A0', received="yesterday")
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([HEADERS, bad])
    errors = tmp_path / "errors.csv"
    _info, report = import_file(str(path), errors_path=str(errors))
    assert report.error_rows == 1
    with open(errors, encoding="utf-8-sig") as handle:
        header, line = list(csv.reader(handle))
    assert header[:3] == ["Dòng", "Cột", "Lỗi"]
    assert line[3].startswith("'=cmd")
