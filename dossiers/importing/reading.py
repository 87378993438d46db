"""Reading a dossier export: the header map of one-stop systems' columns, the file check, the rows."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

from cchc_portal.lib.imports import FileRefused, Limits, TableFile, check_file, find_header, iter_rows
from cchc_portal.lib.text import fold

MAX_XLSX_ENTRIES = 100
MAX_XLSX_UNCOMPRESSED = int(getattr(settings, "DOSSIER_IMPORT_MAX_UNCOMPRESSED", 2 * 1024**3))
MAX_XLSX_RATIO = 200
HEADER_SCAN_ROWS = 30


# The file is not an export we can read; nothing was written (the toolkit's refusal).
RefusedFile = FileRefused


# --- header mapping -------------------------------------------------------------

# Canonical field → header names seen in one-stop exports (folded).
HEADER_ALIASES: dict[str, list[str]] = {
    "receipt_number": ["Mã hồ sơ", "Số hồ sơ", "Số biên nhận", "Mã biên nhận", "Mã số hồ sơ", "receipt_number"],
    "procedure_code": ["Mã thủ tục", "Mã TTHC", "Mã thủ tục hành chính", "procedure_code"],
    "procedure_name": ["Tên thủ tục", "Tên TTHC", "Tên thủ tục hành chính", "procedure_name"],
    "procedure_level": ["Cấp thực hiện", "Cấp thủ tục", "Cấp giải quyết", "procedure_level"],
    "unit_code": ["Mã đơn vị", "Mã đơn vị tiếp nhận", "Mã địa bàn", "unit_code"],
    "unit_name": ["Đơn vị tiếp nhận", "Địa bàn", "unit_name"],
    "receiver": ["Đơn vị/Cơ quan tiếp nhận", "Đơn vị, cơ quan tiếp nhận", "Nơi tiếp nhận"],
    "agency": ["Cơ quan tiếp nhận", "Cơ quan giải quyết", "Cơ quan xử lý", "Cơ quan thực hiện", "agency"],
    "channel": ["Hình thức nộp", "Hình thức tiếp nhận", "Kênh tiếp nhận", "Hình thức", "channel"],
    "received_at": ["Ngày tiếp nhận", "Ngày nhận", "Thời gian tiếp nhận", "Ngày nộp", "received_at"],
    "due_at": ["Ngày hẹn trả", "Hạn giải quyết", "Hạn xử lý", "Ngày hẹn trả kết quả", "due_at"],
    "paused_days": ["Số ngày tạm dừng", "Tạm dừng (ngày)", "Số ngày dừng", "paused_days"],
    "finished_at": ["Ngày có kết quả", "Ngày hoàn thành", "Ngày kết thúc xử lý", "Ngày giải quyết xong", "finished_at"],
    "returned_at": ["Ngày trả kết quả", "Ngày trả", "returned_at"],
    "status": ["Trạng thái", "Tình trạng", "Trạng thái hồ sơ", "status"],
}
FIELDS = list(HEADER_ALIASES)
# Optional columns for the service index of Decision 766/QĐ-TTg. A source whose export
# lacks one leaves its indicator "no data" (the dossier's field stays NULL).
SERVICE_HEADER_ALIASES: dict[str, list[str]] = {
    "supplement_count": ["Số lần yêu cầu bổ sung", "Số lần bổ sung", "Số lần bổ sung hồ sơ", "supplement_count"],
    "supplement_requested_at": ["Ngày yêu cầu bổ sung", "Thời gian yêu cầu bổ sung", "supplement_requested_at"],
    "supplement_completed_at": [
        "Ngày hoàn thành bổ sung",
        "Ngày bổ sung xong",
        "Thời gian hoàn thành bổ sung",
        "supplement_completed_at",
    ],  # fmt: skip
    "supplement_days": ["Số ngày chờ bổ sung", "Thời gian chờ bổ sung (ngày)", "supplement_days"],
    "e_result": [
        "Kết quả điện tử",
        "Có kết quả điện tử",
        "Tệp kết quả điện tử",
        "Đường dẫn kết quả điện tử",
        "e_result",
    ],  # fmt: skip
    "fee_bearing": ["Có phí, lệ phí", "Phí, lệ phí", "Phí lệ phí", "Thu phí, lệ phí", "fee_bearing"],
    "paid_online": ["Thanh toán trực tuyến", "Kênh thanh toán trực tuyến", "Hình thức thanh toán", "paid_online"],
    "digitised": ["Số hóa thành phần hồ sơ", "Số hóa hồ sơ", "Đã số hóa", "digitised"],
    "reused": ["Tái sử dụng dữ liệu số hóa", "Tái sử dụng dữ liệu", "reused"],
    "vneid": ["Định danh VNeID", "Xác thực VNeID", "Đăng nhập VNeID", "vneid"],
    "complaint": ["Phản ánh, kiến nghị", "Không hài lòng", "Phản ánh không hài lòng", "complaint"],
}
SERVICE_FIELDS = list(SERVICE_HEADER_ALIASES)
FIELD_LABELS = {name: aliases[0] for name, aliases in (HEADER_ALIASES | SERVICE_HEADER_ALIASES).items()}


def _fold_header(text) -> str:
    text = fold(str(text or ""))
    return text


def map_headers(cells: Sequence, extra: dict[str, str] | None = None) -> dict[str, int]:
    """Column index per canonical field for a candidate header row."""
    lookup: dict[str, str] = {}
    for name, aliases in (HEADER_ALIASES | SERVICE_HEADER_ALIASES).items():
        for alias in aliases:
            lookup.setdefault(_fold_header(alias), name)
    for name, header in (extra or {}).items():
        if (name in HEADER_ALIASES or name in SERVICE_HEADER_ALIASES) and header:
            lookup[_fold_header(header)] = name
    mapping: dict[str, int] = {}
    for index, cell in enumerate(cells):
        name = lookup.get(_fold_header(cell))
        if name and name not in mapping:
            mapping[name] = index
    return mapping


def header_is_usable(mapping: dict[str, int]) -> bool:
    return (
        "receipt_number" in mapping
        and "received_at" in mapping
        and "procedure_code" in mapping
        and bool({"unit_code", "unit_name", "receiver", "agency"} & set(mapping))
    )


# --- file inspection ------------------------------------------------------------


@dataclass
class FileInfo:
    kind: str  # "csv" | "xlsx"
    header_row: int  # 1-based row number of the header
    columns: dict[str, int]
    headers: list[str]
    delimiter: str = ","
    total_rows: int | None = None
    ignored_headers: list[str] = field(default_factory=list)
    table: TableFile | None = field(default=None, repr=False, compare=False)


def limits() -> Limits:
    return Limits(
        max_bytes=int(getattr(settings, "DOSSIER_IMPORT_MAX_BYTES", 2 * 1024**3)),
        max_rows=None,  # streamed: memory does not grow with the rows
        zip_max_parts=MAX_XLSX_ENTRIES,
        zip_max_uncompressed=MAX_XLSX_UNCOMPRESSED,
        zip_max_ratio=MAX_XLSX_RATIO,
    )


def _no_header() -> str:
    wanted = ", ".join(FIELD_LABELS[f] for f in ("receipt_number", "procedure_code", "received_at"))
    return _("No recognisable header row (at least: %(columns)s, and the receiving unit or agency).") % {
        "columns": wanted
    }


def inspect_file(path: str, name: str = "", extra_mapping: dict[str, str] | None = None) -> FileInfo:
    """Check type (by content, not `name`), size and header; raise `RefusedFile` with a message."""
    table = check_file(path, limits())
    rows = iter_rows(table)
    try:
        head = list(itertools.islice(rows, HEADER_SCAN_ROWS))
    finally:
        rows.close()

    def recognise(texts: list[str]) -> dict[str, int] | None:
        mapping = map_headers(texts, extra_mapping)
        return mapping if header_is_usable(mapping) else None

    position, headers, mapping = find_header([cells for _number, cells in head], recognise, _no_header())
    header_row = head[position][0]
    ignored = [cell for i, cell in enumerate(headers) if cell and i not in mapping.values()]
    if table.kind == "csv":
        total = max(_count_lines(path) - header_row, 0)
        return FileInfo("csv", header_row, mapping, headers, table.delimiter, total, ignored, table=table)
    total = table.declared_rows - header_row if table.declared_rows else None
    return FileInfo("xlsx", header_row, mapping, headers, total_rows=total, ignored_headers=ignored, table=table)


def _count_lines(path: str) -> int:
    count = 0
    last = b"\n"
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            count += block.count(b"\n")
            last = block[-1:]
    return count + (0 if last == b"\n" else 1)


def iter_file_rows(path: str, info: FileInfo) -> Iterator[tuple[int, Sequence]]:
    """(row number in the file, cells) for every non-empty row after the header.

    A row that cannot be read (a cell over the CSV field limit, a line over the line
    limit) comes as an `UnreadableRow` carrying its reason; a file that turns out to be
    broken further down (another encoding, NUL bytes) raises RefusedFile.
    """
    table = info.table if info.table is not None and info.table.path == path else check_file(path, limits())
    if info.kind == "csv":
        table.delimiter = info.delimiter
    return iter_rows(table, after=info.header_row, empty_message=_("The file has no data rows below the header."))
