"""Reading a dossier export: the header map of one-stop systems' columns, the file check, the rows."""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from django.conf import settings

from cchc_portal.lib.text import fold

MAX_XLSX_ENTRIES = 100
MAX_XLSX_UNCOMPRESSED = int(getattr(settings, "DOSSIER_IMPORT_MAX_UNCOMPRESSED", 2 * 1024**3))
MAX_XLSX_RATIO = 200
HEADER_SCAN_ROWS = 30


class RefusedFile(Exception):
    """The file is not an export we can read; nothing was written."""


def _msg(vi: str, en: str) -> str:
    return f"{vi} / {en}"


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
FIELD_LABELS = {name: aliases[0] for name, aliases in HEADER_ALIASES.items()}


def _fold_header(text) -> str:
    text = fold(str(text or ""))
    return text


def map_headers(cells: Sequence, extra: dict[str, str] | None = None) -> dict[str, int]:
    """Column index per canonical field for a candidate header row."""
    lookup: dict[str, str] = {}
    for name, aliases in HEADER_ALIASES.items():
        for alias in aliases:
            lookup.setdefault(_fold_header(alias), name)
    for name, header in (extra or {}).items():
        if name in HEADER_ALIASES and header:
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


def _check_zip(path: str) -> None:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise RefusedFile(_msg("Tệp không phải là sổ tính Excel .xlsx hợp lệ.", "Not a valid .xlsx workbook.")) from exc
    with archive:
        infos = archive.infolist()
        names = {info.filename for info in infos}
        if len(infos) > MAX_XLSX_ENTRIES:
            raise RefusedFile(_msg("Tệp nén có quá nhiều thành phần.", "The workbook has too many parts (zip bomb?)."))
        total = sum(info.file_size for info in infos)
        if total > MAX_XLSX_UNCOMPRESSED:
            raise RefusedFile(
                _msg(
                    "Tệp giải nén quá lớn (nghi ngờ tệp nén độc hại).",
                    "The workbook unpacks to too much data (zip bomb?).",
                )
            )
        for info in infos:
            if info.compress_size and info.file_size / info.compress_size > MAX_XLSX_RATIO and info.file_size > 1 << 20:
                raise RefusedFile(
                    _msg("Tỷ lệ nén bất thường (nghi ngờ tệp nén độc hại).", "Abnormal compression ratio (zip bomb?).")
                )
        if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
            raise RefusedFile(
                _msg("Tệp không phải là sổ tính Excel .xlsx.", "The file is not an Excel .xlsx workbook.")
            )
        if any(name.lower().endswith("vbaproject.bin") for name in names):
            raise RefusedFile(_msg("Không nhận tệp có macro.", "Workbooks with macros are not accepted."))


def inspect_file(path: str, name: str, extra_mapping: dict[str, str] | None = None) -> FileInfo:
    """Check type, size and header; raise `RefusedFile` with a vi/en message."""
    lower = (name or path).lower()
    with open(path, "rb") as handle:
        head = handle.read(65536)
    is_zip = head.startswith(b"PK\x03\x04")
    if lower.endswith(".xlsx"):
        if not is_zip:
            raise RefusedFile(
                _msg("Tệp không phải là sổ tính Excel .xlsx.", "The file is not an Excel .xlsx workbook.")
            )
        _check_zip(path)
        return _inspect_xlsx(path, extra_mapping)
    if lower.endswith(".csv"):
        if is_zip or b"\x00" in head:
            raise RefusedFile(_msg("Tệp không phải là tệp văn bản CSV.", "The file is not a text CSV file."))
        return _inspect_csv(path, head, extra_mapping)
    raise RefusedFile(_msg("Chỉ nhận tệp .csv hoặc .xlsx.", "Only .csv and .xlsx files are accepted."))


def _decode_head(head: bytes) -> str:
    try:
        return codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=False)
    except UnicodeDecodeError as exc:
        raise RefusedFile(
            _msg("Tệp CSV phải được lưu với mã hóa UTF-8.", "The CSV file must be saved as UTF-8.")
        ) from exc


def _no_header() -> RefusedFile:
    wanted = ", ".join(FIELD_LABELS[f] for f in ("receipt_number", "procedure_code", "received_at"))
    return RefusedFile(
        _msg(
            f"Không tìm thấy dòng tiêu đề nhận dạng được (cần ít nhất: {wanted}, đơn vị hoặc cơ quan tiếp nhận).",
            f"No recognisable header row (at least: {wanted}, and the receiving unit or agency).",
        )
    )


def _inspect_csv(path: str, head: bytes, extra_mapping) -> FileInfo:
    text = _decode_head(head)
    lines = text.splitlines()[:HEADER_SCAN_ROWS]
    sample = "\n".join(lines)
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    for index, row in enumerate(csv.reader(io.StringIO(sample), delimiter=delimiter)):
        mapping = map_headers(row, extra_mapping)
        if header_is_usable(mapping):
            total = _count_lines(path) - index - 1
            ignored = [cell for i, cell in enumerate(row) if cell and i not in mapping.values()]
            return FileInfo("csv", index + 1, mapping, list(row), delimiter, max(total, 0), ignored)
    raise _no_header()


def _count_lines(path: str) -> int:
    count = 0
    last = b"\n"
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            count += block.count(b"\n")
            last = block[-1:]
    return count + (0 if last == b"\n" else 1)


def _open_workbook(path: str):
    import openpyxl

    return openpyxl.load_workbook(path, read_only=True, data_only=True)


def _inspect_xlsx(path: str, extra_mapping) -> FileInfo:
    try:
        workbook = _open_workbook(path)
    except Exception as exc:  # openpyxl raises many types for broken files
        raise RefusedFile(_msg("Không đọc được sổ tính Excel.", "The workbook cannot be read.")) from exc
    try:
        sheet = workbook.worksheets[0]
        for index, row in enumerate(sheet.iter_rows(values_only=True, max_row=HEADER_SCAN_ROWS)):
            mapping = map_headers(row, extra_mapping)
            if header_is_usable(mapping):
                total = (sheet.max_row or 0) - index - 1 if sheet.max_row else None
                headers = ["" if cell is None else str(cell) for cell in row]
                ignored = [cell for i, cell in enumerate(headers) if cell and i not in mapping.values()]
                return FileInfo("xlsx", index + 1, mapping, headers, total_rows=total, ignored_headers=ignored)
    finally:
        workbook.close()
    raise _no_header()


def iter_file_rows(path: str, info: FileInfo) -> Iterator[tuple[int, Sequence]]:
    """(row number in the file, cells) for every row after the header."""
    if info.kind == "csv":
        with open(path, encoding="utf-8-sig", newline="", errors="strict") as handle:
            reader = csv.reader(handle, delimiter=info.delimiter)
            number = 0
            for row in reader:
                number += 1
                if number <= info.header_row:
                    continue
                if not row or (len(row) == 1 and not row[0].strip()):
                    continue
                yield number, row
        return
    workbook = _open_workbook(path)
    try:
        sheet = workbook.worksheets[0]
        for number, row in enumerate(
            sheet.iter_rows(values_only=True, min_row=info.header_row + 1), start=info.header_row + 1
        ):
            if not any(cell not in (None, "") for cell in row):
                continue
            yield number, row
    finally:
        workbook.close()
