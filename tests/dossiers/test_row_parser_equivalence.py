"""The tuned RowParser and staging give exactly what the straightforward code gave.

Thousands of rows, good and bad in many ways (CSV text as well as the typed cells of
a workbook or the API), go through `RowParser.parse` and through the reference copy of
the original parser; every row must give the same staging tuple or the same error
(column and reason), and the procedures to create must be the same.
"""

from __future__ import annotations

import datetime as dt
import random

import pytest

from dossiers.importing import (
    BASE_STAGE_WIDTH,
    FIELD_LABELS,
    FIELDS,
    SERVICE_STAGE_COLUMNS,
    Lookups,
    RowError,
    RowParser,
    Scope,
    Stage,
    copy_line,
    local_epoch,
    map_headers,
)
from dossiers.models import Holiday, Procedure, ProcedureLevel

from .conftest import HEADERS, TODAY
from .reference_parser import ReferenceRowParser

pytestmark = pytest.mark.django_db

# Values tried in each column besides the good ones (text, as in a CSV file).
TEXT_VARIANTS: dict[str, list[str]] = {
    "receipt_number": ["", "   ", "HS tab\there", "HS\\back", "x" * 64, "x" * 65, "  HS-padded  ", "None"],
    "procedure_code": ["", "9.999999", "9.999998", "1.001193 ", "c" * 51, "2.000488", "NO-LIMIT", "9\\9"],
    "procedure_name": ["", "Thủ tục mới", "n" * 501, "Tên\tcó tab"],
    "procedure_level": ["", "Cấp tỉnh", "Cấp xã", "Phường", "province", "Trung ương"],
    "unit_code": ["", "52", "5", "21550", "21551", "99999", "21552", "00052", "abc"],
    "unit_name": ["", "Phường Quy Nhơn", "xa ia grai", "Không có", "Tỉnh Gia Lai"],
    "receiver": ["", "Sở Tư pháp", "Ủy ban nhân dân Xã Ia Grai", "Phường Quy Nhơn", "Nơi lạ"],
    "agency": ["", "Sở Tư pháp", "STP", "Sở Nội vụ", "Ủy ban nhân dân Phường Quy Nhơn", "Cơ quan lạ"],
    "channel": ["", "Trực tiếp", "Trực tuyến toàn trình", "Trực tuyến một phần", "Qua bưu chính", "online", "Fax"],
    "received_at": [
        "",
        "02/06/2025",
        "31/02/2025 08:00",
        "2025-06-02T08:00:00Z",
        "2025-06-02 08:00+07:00",
        "2025-06-03",
        "03-06-2025 10:30:15",
        "02/06/25 08:00",
        "20/07/2025 08:00",
        "17/07/2025 08:00",
        "1/6/2025 7:05",
        "02/06/2025 25:00",
        "yesterday",
    ],
    "due_at": ["", "04/06/2025 17:00", "01/06/2025 17:00", "10/08/2025", "2025-06-04T10:00:00Z", "04/06/2025 x"],
    "paused_days": ["", "0", "3", "-1", "3651", "2.5", "abc", " 7 "],
    "finished_at": ["", "03/06/2025 10:00", "04/06/2025 23:30", "2025-06-04T17:30:00Z", "01/06/2025", "30/07/2025"],
    "returned_at": ["", "05/06/2025 16:00", "01/05/2025", "32/06/2025", "20/07/2025"],
    "status": [
        "",
        "Đã giải quyết",
        "Đang giải quyết",
        "Tạm dừng",
        "Trả lại hồ sơ",
        "Công dân rút hồ sơ",
        "Hoàn thành",
        "Lạ",
    ],
}

# Typed cells, as a workbook or the API gives them.
TYPED_VARIANTS: list = [
    None,
    52,
    21550,
    52.0,
    21550.0,
    2.5,
    True,
    False,
    0,
    3,
    dt.datetime(2025, 6, 2, 8, 0),
    dt.datetime(2025, 6, 2, 1, 30, tzinfo=dt.UTC),
    dt.date(2025, 6, 3),
    dt.date(2025, 8, 1),
    ["unhashable"],
]

HEADER_SETS = {
    # Every field, in FIELDS order, after a row-number column.
    "all fields": ["STT", *(FIELD_LABELS[name] for name in FIELDS)],
    # A usual export: no level, unit name or receiver column.
    "usual": HEADERS,
    # Units by name, columns in another order, most optional fields absent.
    "sparse": ["Ngày tiếp nhận", "Đơn vị/Cơ quan tiếp nhận", "Mã thủ tục", "Ghi chú", "Mã hồ sơ", "Địa bàn"],
}

GOOD = {
    "receipt_number": "HS-1",
    "procedure_code": "1.001193",
    "procedure_name": "Đăng ký khai sinh",
    "procedure_level": "Cấp xã",
    "unit_code": "21550",
    "unit_name": "Phường Quy Nhơn",
    "receiver": "Ủy ban nhân dân Phường Quy Nhơn",
    "agency": "",
    "channel": "Trực tiếp",
    "received_at": "02/06/2025 08:00",
    "due_at": "04/06/2025 17:00",
    "paused_days": "",
    "finished_at": "",
    "returned_at": "",
    "status": "",
}


@pytest.fixture
def catalogue(province, other_province, communes, agency, home_affairs, other_agency):
    Procedure.objects.create(code="1.001193", name="Đăng ký khai sinh", level=ProcedureLevel.COMMUNE, allowance_days=1)
    Procedure.objects.create(code="2.000488", name="Lý lịch tư pháp", level=ProcedureLevel.PROVINCE, allowance_days=10)
    Procedure.objects.create(code="NO-LIMIT", name="Không thời hạn", level=ProcedureLevel.COMMUNE)
    Holiday.objects.create(date=dt.date(2025, 6, 3), name="Nghỉ bù")
    return Lookups.load()


def _rows(headers: list[str], count: int, seed: int, typed: bool) -> list[tuple[int, list]]:
    """Rows with 0-3 cells changed from a good row; some short, some with extra cells."""
    rng = random.Random(seed)
    columns = map_headers(headers)
    rows = []
    for number in range(count):
        cells = [f"other {number % 3}"] * len(headers)
        for name, index in columns.items():
            cells[index] = GOOD[name]
        cells[columns["receipt_number"]] = f"HS-{number}"
        for _ in range(rng.choice((0, 1, 1, 2, 3))):
            name = rng.choice(list(columns))
            if typed and rng.random() < 0.4:
                cells[columns[name]] = rng.choice(TYPED_VARIANTS)
            else:
                cells[columns[name]] = rng.choice(TEXT_VARIANTS[name])
        if rng.random() < 0.03:
            cells = cells[: rng.randrange(len(cells) + 1)]
        elif rng.random() < 0.03:
            cells = [*cells, "extra"]
        rows.append((number + 2, tuple(cells) if typed and rng.random() < 0.5 else cells))
    return rows


def _outcome(parser, number: int, cells) -> tuple:
    try:
        # The reference predates the Decision 766 facts appended after the base columns.
        return ("row", repr(parser.parse(number, cells)[:BASE_STAGE_WIDTH]))
    except RowError as error:
        return ("error", error.column, error.reason)


@pytest.mark.parametrize("header_set", list(HEADER_SETS))
@pytest.mark.parametrize("typed", [False, True], ids=["text cells", "typed cells"])
@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
def test_every_row_gives_what_the_reference_parser_gives(
    catalogue, province, other_province, communes, header_set, typed, backend
):
    headers = HEADER_SETS[header_set]
    columns = map_headers(headers)
    rows = _rows(headers, 3000, seed=len(header_set) + typed, typed=typed)
    for scope_args in ((), ([province.pk],), ([other_province.pk], [communes[1].pk])):
        tuned = RowParser(catalogue, columns, Scope(*scope_args), backend, TODAY)
        reference = ReferenceRowParser(catalogue, columns, Scope(*scope_args), backend, TODAY)
        got = [_outcome(tuned, number, cells) for number, cells in rows]
        expected = [_outcome(reference, number, cells) for number, cells in rows]
        assert got == expected
        assert tuned.new_procedures == reference.new_procedures
        kinds = {outcome[0] for outcome in expected}
        assert kinds == {"row", "error"}  # the rows really are a mix


def test_a_new_procedure_named_on_a_later_row_is_known_from_then_on(catalogue):
    headers = HEADER_SETS["all fields"]
    columns = map_headers(headers)

    def row(number: int, name: str, level: str) -> list[str]:
        cells = [""] * len(headers)
        for field, index in columns.items():
            cells[index] = GOOD[field]
        cells[columns["receipt_number"]] = f"HS-{number}"
        cells[columns["procedure_code"]] = "9.999999"
        cells[columns["procedure_name"]] = name
        cells[columns["procedure_level"]] = level
        return cells

    rows = [(1, row(1, "", "")), (2, row(2, "Mới", "Trung ương")), (3, row(3, "Mới", "")), (4, row(4, "", ""))]
    rows += [(5, row(5, "Mới", "Trung ương")), (6, row(6, "Khác", "Cấp tỉnh"))]
    tuned = RowParser(catalogue, columns, Scope(), "postgresql", TODAY)
    reference = ReferenceRowParser(catalogue, columns, Scope(), "postgresql", TODAY)
    got = [_outcome(tuned, number, cells) for number, cells in rows]
    assert got == [_outcome(reference, number, cells) for number, cells in rows]
    assert [outcome[0] for outcome in got] == ["error", "error", "row", "row", "row", "row"]
    assert tuned.new_procedures == reference.new_procedures == {"9.999999": ("Mới", ProcedureLevel.COMMUNE)}


def test_the_errors_cover_every_kind_of_check(catalogue):
    headers = HEADER_SETS["all fields"]
    rows = _rows(headers, 3000, seed=1, typed=False)
    parser = ReferenceRowParser(catalogue, map_headers(headers), Scope(), "postgresql", TODAY)
    reasons = {outcome[2] for outcome in (_outcome(parser, n, c) for n, c in rows) if len(outcome) == 3}
    assert len(reasons) >= 15, sorted(reasons)


def test_copy_lines_escape_what_copy_would_misread():
    record = (1, "a\tb", "back\\slash", "line\nbreak\r", "", None, 7)
    assert copy_line(record) == "1\ta\\tb\tback\\\\slash\tline\\nbreak\\r\t\t\t7"
    assert copy_line((2, "HS-1", None, "finished")) == "2\tHS-1\t\tfinished"


@pytest.mark.postgres
def test_staged_values_read_back_as_given(db):
    from django.db import connection

    received, due = local_epoch(dt.date(2025, 6, 2), 8 * 3600), local_epoch(dt.date(2025, 6, 4), 17 * 3600)
    values = ("1.001193", "commune", 1, 2, None, "in_person", "finished", received)
    values += (due, 0, None, None, "2025-06-04", None, "pending", "2025-06-01", None, None)
    values += (None,) * len(SERVICE_STAGE_COLUMNS)  # the Decision 766 facts, unknown
    values += (120, 0, 120)  # its handling time
    receipts = ["plain", 'quote " and, comma', "tab\there", "back\\slash \\N", "new\nline\r", "\\."]
    with Stage(batch_rows=2) as stage:
        for number, receipt in enumerate(receipts):
            stage.add((number, receipt, *values))
        stage.add((99, "empty level", "1.001193", "", *values[2:]))
        stage.flush()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT row_no, receipt_number, procedure_level, agency_id FROM dossier_stage ORDER BY row_no"
            )
            staged = cursor.fetchall()
    assert staged == [*((n, r, "commune", None) for n, r in enumerate(receipts)), (99, "empty level", None, None)]
