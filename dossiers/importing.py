"""The dossier import pipeline: check the file, stream and validate rows, stage, upsert, refresh.

1. `inspect_file` refuses a file that is not what it claims (wrong type, zip bomb,
   no recognisable header) before anything is written.
2. `RowParser` validates one row at a time; bad rows go to the error CSV.
3. Good rows are streamed into a TEMP staging table (PostgreSQL: COPY through
   psycopg2 `copy_expert`; SQLite: batched INSERTs), so memory stays flat.
4. `apply_stage` runs in ONE transaction per file: upsert into dossiers on the
   natural key (only rows whose values changed are written), then refresh the
   summary rows of the keys this import touched (old and new values).

One transaction per file (not per chunk) because the summary refresh then runs
once per file instead of re-reading the touched months after every chunk, a
cancelled or dying job leaves nothing behind (the staging table is TEMP and the
apply transaction rolls back), and a rerun simply starts again: the upsert is
idempotent. Progress is visible during staging, which is where the time goes.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import os
import threading
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from operator import itemgetter
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from cchc_portal.lib.spreadsheets import neutralise_row
from cchc_portal.lib.text import fold
from cchc_portal.lib.workdays import add_working_days
from provinces.models import AdministrativeUnit, Agency, UnitLevel

from .models import Channel, Holiday, Outcome, Procedure, ProcedureLevel, Status

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
UTC = dt.UTC

MAX_XLSX_ENTRIES = 100
MAX_XLSX_UNCOMPRESSED = int(getattr(settings, "DOSSIER_IMPORT_MAX_UNCOMPRESSED", 2 * 1024**3))
MAX_XLSX_RATIO = 200
MAX_ERROR_ROWS_WRITTEN = 100_000
HEADER_SCAN_ROWS = 30
DEFAULT_CHUNK_ROWS = 20_000


class RefusedFile(Exception):
    """The file is not an export we can read; nothing was written."""


class RowError(Exception):
    def __init__(self, column: str, reason: str):
        super().__init__(reason)
        self.column = column
        self.reason = reason


class ImportCancelled(Exception):
    pass


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


# --- value parsing ---------------------------------------------------------------

STATUS_WORDS: list[tuple[str, str]] = [
    ("tam dung", Status.PAUSED),
    ("cho bo sung", Status.PAUSED),
    ("yeu cau bo sung", Status.PAUSED),
    ("paused", Status.PAUSED),
    ("rut", Status.WITHDRAWN),
    ("withdrawn", Status.WITHDRAWN),
    ("tra lai", Status.REJECTED),
    ("tu choi", Status.REJECTED),
    ("khong giai quyet", Status.REJECTED),
    ("rejected", Status.REJECTED),
    ("returned", Status.REJECTED),
    ("dang", Status.IN_PROGRESS),
    ("chua", Status.IN_PROGRESS),
    ("cho xu ly", Status.IN_PROGRESS),
    ("moi tiep nhan", Status.IN_PROGRESS),
    ("in progress", Status.IN_PROGRESS),
    ("da giai quyet", Status.FINISHED),
    ("da xu ly", Status.FINISHED),
    ("hoan thanh", Status.FINISHED),
    ("da tra", Status.FINISHED),
    ("co ket qua", Status.FINISHED),
    ("finished", Status.FINISHED),
]


@lru_cache(maxsize=4096)
def folded_cached(text: str) -> str:
    return fold(text)


@lru_cache(maxsize=1024)
def parse_status(text: str) -> str | None:
    folded = fold(text)
    if not folded:
        return ""
    for word, status in STATUS_WORDS:
        if word in folded:
            return status
    return None


@lru_cache(maxsize=1024)
def parse_channel(text: str) -> str | None:
    folded = fold(text)
    if not folded or "truc tiep" in folded or folded == "in person":
        return Channel.IN_PERSON
    if "toan trinh" in folded or folded in {"online full", "online_full"}:
        return Channel.ONLINE_FULL
    if "mot phan" in folded or "truc tuyen" in folded or folded.startswith("online"):
        return Channel.ONLINE_PARTIAL
    if "buu" in folded or folded == "post":
        return Channel.POST
    return None


@lru_cache(maxsize=64)
def parse_level(text: str) -> str | None:
    folded = fold(text)
    if not folded:
        return ""
    if "tinh" in folded or folded == "province":
        return ProcedureLevel.PROVINCE
    if "xa" in folded or "phuong" in folded or folded == "commune":
        return ProcedureLevel.COMMUNE
    return None


def _parse_local_datetime(value) -> dt.datetime:
    """dd/mm/yyyy [HH:MM[:SS]] (also yyyy-mm-dd...) as a naive Vietnamese local time."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            return value.astimezone(LOCAL_TZ).replace(tzinfo=None)
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    text = str(value).strip()
    date_part, _, time_part = text.partition(" ")
    if "T" in date_part:
        date_part, _, time_part = date_part.partition("T")
    if "/" in date_part:
        day, month, year = date_part.split("/")
    elif "-" in date_part:
        pieces = date_part.split("-")
        if len(pieces[0]) == 4:
            year, month, day = pieces
        else:
            day, month, year = pieces
    else:
        raise ValueError(text)
    if len(year) != 4:
        raise ValueError(text)
    hour = minute = second = 0
    time_part = time_part.strip()
    if time_part:
        if time_part.endswith("Z") or "+" in time_part:
            aware = dt.datetime.fromisoformat(
                f"{year}-{int(month):02d}-{int(day):02d}T{time_part.replace('Z', '+00:00')}"
            )
            return aware.astimezone(LOCAL_TZ).replace(tzinfo=None)
        pieces = time_part.split(":")
        hour, minute = int(pieces[0]), int(pieces[1])
        if len(pieces) > 2:
            second = int(float(pieces[2]))
    return dt.datetime(int(year), int(month), int(day), hour, minute, second)


def make_datetime_parser(backend: str) -> Callable:
    """A cached parser: cell → (text for the staging table, local date)."""

    @lru_cache(maxsize=1 << 17)
    def parse(value) -> tuple[str, dt.date]:
        local = _parse_local_datetime(value)
        if backend == "postgresql":
            text = f"{local:%Y-%m-%d %H:%M:%S}+07"
        else:  # Django stores aware datetimes on SQLite as naive UTC text
            text = f"{local.replace(tzinfo=LOCAL_TZ).astimezone(UTC):%Y-%m-%d %H:%M:%S}"
        return text, local.date()

    return parse


# --- lookups and the row parser ---------------------------------------------------


@dataclass
class Lookups:
    units_by_code: dict[str, tuple[int, int, str]]
    units_by_name: dict[tuple[int | None, str], int | None]
    unit_info: dict[int, tuple[int, str]]
    agencies_by_name: dict[str, set[tuple[int, int | None, int]]]
    commune_agency: dict[int, int]
    procedures: dict[str, tuple[str, int | None]]
    holidays: frozenset[dt.date]

    @classmethod
    def load(cls) -> Lookups:
        units_by_code: dict[str, tuple[int, int, str]] = {}
        units_by_name: dict[tuple[int | None, str], int | None] = {}
        unit_info: dict[int, tuple[int, str]] = {}
        rows = (
            AdministrativeUnit.objects.filter(valid_to__isnull=True, level__in=[UnitLevel.PROVINCE, UnitLevel.COMMUNE])
            .values_list("pk", "code", "name_folded", "level", "province_id")
            .order_by()
        )
        for pk, code, name_folded, level, province_id in rows:
            province = pk if level == UnitLevel.PROVINCE else province_id
            units_by_code[f"{level}:{code}"] = (pk, province, level)
            unit_info[pk] = (province, level)
            for key in ((province, name_folded), (None, name_folded)):
                units_by_name[key] = None if key in units_by_name and units_by_name[key] != pk else pk
        agencies: dict[str, set[tuple[int, int | None, int]]] = {}
        commune_agency: dict[int, int] = {}
        for pk, province_id, commune_id, name, short, aliases in (
            Agency.objects.filter(valid_to__isnull=True)
            .values_list("pk", "province_id", "commune_id", "name", "short_name", "aliases")
            .order_by()
        ):
            for label in [name, short, *aliases.splitlines()]:
                if label.strip():
                    agencies.setdefault(fold(label), set()).add((pk, commune_id, province_id))
            if commune_id:
                commune_agency.setdefault(commune_id, pk)
        procedures = {
            code: (level, allowance)
            for code, level, allowance in Procedure.objects.values_list("code", "level", "allowance_days")
        }
        return cls(units_by_code, units_by_name, unit_info, agencies, commune_agency, procedures, Holiday.dates())


STAGE_COLUMNS = [
    "row_no",
    "receipt_number",
    "procedure_code",
    "procedure_level",
    "receiving_unit_id",
    "province_id",
    "agency_id",
    "channel",
    "status",
    "received_at",
    "due_at",
    "paused_days",
    "finished_at",
    "returned_at",
    "due_date",
    "closed_date",
    "outcome",
    "received_month",
    "closed_month",
    "overdue_month",
]
BAD_TEXT = {"\t", "\n", "\r", "\\", "\x00"}


class Scope:
    """Which receiving units a caller may import into (None = any)."""

    def __init__(self, province_ids: Iterable[int] | None = None, unit_ids: Iterable[int] | None = None):
        self.province_ids = None if province_ids is None else frozenset(province_ids)
        self.unit_ids = frozenset(unit_ids or ())

    def allows(self, unit_id: int, province_id: int) -> bool:
        return self.province_ids is None or province_id in self.province_ids or unit_id in self.unit_ids


def _plain_cell(value):
    """A cell as the parser reads it: stripped text, or None when empty (see `RowParser.values`)."""
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int):
        return str(value)
    return value


ONE_DAY = dt.timedelta(days=1)
OPEN_STATUSES = (Status.IN_PROGRESS, Status.PAUSED)
CLOSED_WITHOUT_RESULT = (Status.REJECTED, Status.WITHDRAWN)


class DateColumn(dict):
    """(staging text, local day) per distinct cell value of one date column.

    Filled on first sight of a value (`__missing__`), which raises the value's RowError
    instead if it is not a valid date; errors are remembered apart, so a bad value is
    parsed once too. Both are emptied when they grow past `limit`.
    """

    def __init__(self, parser: RowParser, name: str, required: bool, limit: int = 1 << 17):
        super().__init__()
        self.parser = parser
        self.name = name
        self.required = required
        self.limit = limit
        self.errors: dict = {}

    def __missing__(self, value) -> tuple:
        error = self.errors.get(value)
        if error is None:
            try:
                result = self.read(value)
            except RowError as exc:
                if len(self.errors) > self.limit:
                    self.errors.clear()
                error = self.errors[value] = (exc.column, exc.reason)
            else:
                if len(self) > self.limit:
                    self.clear()
                self[value] = result
                return result
        raise RowError(*error)

    def read(self, value) -> tuple:
        """The uncached (text, day) of one cell value; raises its RowError."""
        return self.parser.parse_date(value, self.name, self.required)


class DayText(dict):
    """ISO text per day (or of the first of its month, with `month=True`); None stays None."""

    def __init__(self, month: bool = False):
        super().__init__({None: None})
        self.month = month

    def __missing__(self, day: dt.date) -> str:
        text = self[day] = (day.replace(day=1) if self.month else day).isoformat()
        return text


class RowParser:
    """Turns one row (cells + column map) into a staging tuple, or raises RowError.

    `parse` runs once per row of files of a million rows, so it reads all the cells it
    needs in one go (`values`) and answers most checks from caches per distinct cell
    values (units and procedures, dates, days). The checks still run in the same order,
    so a row's first error is the one reported.
    """

    def __init__(self, lookups: Lookups, columns: dict[str, int], scope: Scope, backend: str, today: dt.date):
        self.lookups = lookups
        self.columns = columns
        self.scope = scope
        self.today = today
        self.latest_allowed = today + ONE_DAY
        self.parse_dt = make_datetime_parser(backend)
        self.new_procedures: dict[str, tuple[str, str]] = {}
        self._due_cache: dict[tuple[dt.date, int], dt.date] = {}
        self._iso = DayText()
        self._month = DayText(month=True)
        self._received = DateColumn(self, "received_at", required=True)
        self._due = DateColumn(self, "due_at", required=False)
        self._finished = DateColumn(self, "finished_at", required=False)
        self._returned = DateColumn(self, "returned_at", required=False)
        self._kind_cache: dict[tuple, tuple | RowError] = {}
        self._unit_cache: dict[tuple, tuple | RowError] = {}
        # Column index per field in FIELDS order; an absent field reads a stand-in
        # column and is blanked afterwards, so one itemgetter call reads a whole row.
        indexes = [columns.get(name) for name in FIELDS]
        stand_in = next((index for index in indexes if index is not None), 0)
        read = [stand_in if index is None else index for index in indexes]
        self._indexes = indexes
        self._absent = [position for position, index in enumerate(indexes) if index is None]
        self._width = max(read) + 1
        self._read_row = itemgetter(*read)

    def values(self, row: Sequence) -> list:
        """Every field's cell in FIELDS order: stripped text, None when empty or absent."""
        if len(row) >= self._width:
            values = [
                value.strip() or None if value.__class__ is str else _plain_cell(value) for value in self._read_row(row)
            ]
            for position in self._absent:
                values[position] = None
            return values
        size = len(row)  # a short row: the missing cells are empty
        return [None if index is None or index >= size else _plain_cell(row[index]) for index in self._indexes]

    def _text(self, value, name: str, max_length: int, required: bool = True) -> str | None:
        if value is None:
            if required:
                raise RowError(FIELD_LABELS[name], _msg("Thiếu giá trị.", "Value missing."))
            return None
        value = str(value)
        if len(value) > max_length:
            raise RowError(
                FIELD_LABELS[name], _msg(f"Dài quá {max_length} ký tự.", f"Longer than {max_length} characters.")
            )
        if not BAD_TEXT.isdisjoint(value):
            raise RowError(FIELD_LABELS[name], _msg("Chứa ký tự không hợp lệ.", "Contains invalid characters."))
        return value

    def parse_date(self, value, name: str, required: bool):
        """(staging text, local day) of a date cell, (None, None) when empty and optional."""
        if value is None:
            if required:
                raise RowError(FIELD_LABELS[name], _msg("Thiếu ngày.", "Date missing."))
            return None, None
        try:
            text, day = self.parse_dt(value)
        except (ValueError, TypeError, IndexError):
            raise RowError(
                FIELD_LABELS[name], _msg("Ngày không hợp lệ (dd/mm/yyyy).", "Invalid date (dd/mm/yyyy).")
            ) from None
        if day > self.latest_allowed and name != "due_at":
            raise RowError(FIELD_LABELS[name], _msg("Ngày ở tương lai.", "Date in the future."))
        return text, day

    def _working_day(self, start: dt.date, days: int) -> dt.date:
        key = (start, days)
        result = self._due_cache.get(key)
        if result is None:
            result = self._due_cache[key] = add_working_days(start, days, self.lookups.holidays)
        return result

    def _row_kind(self, key: tuple) -> tuple:
        """(procedure code, level, allowance, unit, province, agency, channel, status) of a row's cells.

        `key` holds the cells of those fields, in FIELDS order. Results and errors are
        cached per distinct key, except for a procedure missing from the catalogue: its
        result depends on the rows before it (`new_procedures`).
        """
        try:
            kind = self._kind_cache.get(key)
        except TypeError:  # an unhashable cell value: no caching
            return self._row_kind_uncached(*key)
        if kind is None:
            if str(key[0]) not in self.lookups.procedures:
                return self._row_kind_uncached(*key)
            if len(self._kind_cache) > 1 << 16:
                self._kind_cache.clear()
            try:
                kind = self._row_kind_uncached(*key)
            except RowError as error:
                kind = error
            self._kind_cache[key] = kind
        if kind.__class__ is RowError:
            raise RowError(kind.column, kind.reason)
        return kind

    def _row_kind_uncached(
        self, code, procedure_name, procedure_level, unit_code, unit_name, receiver, agency, channel, status
    ) -> tuple:
        code = self._text(code, "procedure_code", 50)
        unit_id, province_id, unit_level, agency_id = self._resolve_unit(unit_code, unit_name, receiver, agency)
        level, allowance = self._procedure(code, procedure_name, procedure_level, unit_level)
        channel = parse_channel(str(channel or ""))
        if channel is None:
            raise RowError(FIELD_LABELS["channel"], _msg("Hình thức nộp không hợp lệ.", "Unknown channel."))
        status = parse_status(str(status or ""))
        if status is None:
            raise RowError(FIELD_LABELS["status"], _msg("Trạng thái không hợp lệ.", "Unknown status."))
        return code, level, allowance, unit_id, province_id, agency_id, channel, status

    def _resolve_unit(self, unit_code, unit_name, receiver, agency) -> tuple[int, int, str, int | None]:
        """Resolve the receiving unit and agency; cached per distinct (unit, receiver, agency) cells."""
        key = (unit_code, unit_name, receiver, agency)
        try:
            cached = self._unit_cache.get(key)
        except TypeError:  # an unhashable cell value: no caching
            return self._resolve_unit_uncached(*key)
        if cached is None:
            if len(self._unit_cache) > 1 << 16:
                self._unit_cache.clear()
            try:
                cached = self._resolve_unit_uncached(*key)
            except RowError as error:
                cached = error
            self._unit_cache[key] = cached
        if cached.__class__ is RowError:
            raise RowError(cached.column, cached.reason)
        return cached

    def _resolve_unit_uncached(self, code, unit_name, receiver_text, agency_text) -> tuple[int, int, str, int | None]:
        lookups = self.lookups
        unit = None
        if code is not None:
            code = str(code)
            level = UnitLevel.PROVINCE if len(code) <= 2 else UnitLevel.COMMUNE
            unit = lookups.units_by_code.get(f"{level}:{code.zfill(2 if level == UnitLevel.PROVINCE else 5)}")
            if unit is None:
                raise RowError(
                    FIELD_LABELS["unit_code"], _msg("Không có đơn vị với mã này.", "No unit with this code.")
                )
        if unit is None:
            for text, column in ((unit_name, "unit_name"), (receiver_text, "receiver")):
                if text is None:
                    continue
                pk = self._unit_by_name(folded_cached(str(text)))
                if pk:
                    province, level = lookups.unit_info[pk]
                    unit = (pk, province, level)
                    receiver_text = None
                    break
                if column == "unit_name":
                    raise RowError(
                        FIELD_LABELS[column], _msg("Không xác định được đơn vị.", "Unknown or ambiguous unit.")
                    )
        agency_id = None
        agency_column = "agency" if agency_text is not None else "receiver"
        if agency_text is None:
            agency_text = receiver_text
        if agency_text is not None:
            folded = folded_cached(str(agency_text))
            candidates = lookups.agencies_by_name.get(folded, ())
            if unit is not None:
                candidates = [c for c in candidates if c[2] == unit[1]]
            elif self.scope.province_ids is not None:
                candidates = [c for c in candidates if c[2] in self.scope.province_ids]
            if len(candidates) != 1:
                raise RowError(FIELD_LABELS[agency_column], _msg("Không xác định được cơ quan.", "Unknown agency."))
            agency_id, commune_id, agency_province = next(iter(candidates))
            if unit is None:
                if commune_id:
                    unit = (commune_id, agency_province, UnitLevel.COMMUNE)
                else:
                    unit = (agency_province, agency_province, UnitLevel.PROVINCE)
        if unit is None:
            raise RowError(FIELD_LABELS["unit_code"], _msg("Thiếu đơn vị tiếp nhận.", "Receiving unit missing."))
        unit_id, province_id, level = unit
        if not self.scope.allows(unit_id, province_id):
            raise RowError(
                FIELD_LABELS["unit_code"],
                _msg("Đơn vị không thuộc phạm vi được phép nhập.", "Unit outside the scope of this import."),
            )
        if agency_id is None and level == UnitLevel.COMMUNE:
            agency_id = lookups.commune_agency.get(unit_id)
        return unit_id, province_id, level, agency_id

    def _unit_by_name(self, folded: str) -> int | None:
        names = self.lookups.units_by_name
        if self.scope.province_ids is not None and len(self.scope.province_ids) == 1:
            (province_id,) = self.scope.province_ids
            found = names.get((province_id, folded))
            if found:
                return found
        return names.get((None, folded))

    def _procedure(self, code: str, name, level_cell, unit_level: str) -> tuple[str, int | None]:
        """(procedure level, allowance in working days) of a catalogue or new procedure."""
        known = self.lookups.procedures.get(code)
        if known is not None:
            return known
        new = self.new_procedures.get(code)
        if new is None:
            name = self._text(name, "procedure_name", 500, required=False)
            if not name:
                raise RowError(
                    FIELD_LABELS["procedure_name"],
                    _msg("Thủ tục chưa có trong danh mục: cần tên thủ tục.", "Unknown procedure: its name is needed."),
                )
            level = parse_level(str(level_cell or ""))
            if level is None:
                raise RowError(FIELD_LABELS["procedure_level"], _msg("Cấp thực hiện không hợp lệ.", "Invalid level."))
            level = level or (ProcedureLevel.PROVINCE if unit_level == UnitLevel.PROVINCE else ProcedureLevel.COMMUNE)
            new = self.new_procedures[code] = (name, level)
        return new[1], None

    def parse(self, row_no: int, row: Sequence) -> tuple:
        (
            receipt,
            procedure_code,
            procedure_name,
            procedure_level,
            unit_code,
            unit_name,
            receiver,
            agency,
            channel,
            received_at,
            due_at,
            paused,
            finished_at,
            returned_at,
            status,
        ) = self.values(row)
        receipt = self._text(receipt, "receipt_number", 64)
        procedure_code, level, allowance, unit_id, province_id, agency_id, channel, status = self._row_kind(
            (procedure_code, procedure_name, procedure_level, unit_code, unit_name, receiver, agency, channel, status)
        )

        try:
            received_text, received_day = self._received[received_at]
            due_text, due_day = self._due[due_at]
            finished_text, finished_day = self._finished[finished_at]
            returned_text, returned_day = self._returned[returned_at]
        except TypeError:  # an unhashable cell value: no caching
            received_text, received_day = self._received.read(received_at)
            due_text, due_day = self._due.read(due_at)
            finished_text, finished_day = self._finished.read(finished_at)
            returned_text, returned_day = self._returned.read(returned_at)
        if paused is None:
            paused_days = 0
        else:
            try:
                paused_days = int(paused)
            except (TypeError, ValueError):
                raise RowError(
                    FIELD_LABELS["paused_days"], _msg("Không phải số nguyên.", "Not a whole number.")
                ) from None
            if not 0 <= paused_days <= 3650:
                raise RowError(FIELD_LABELS["paused_days"], _msg("Số ngày không hợp lệ.", "Invalid number of days."))

        if due_day is None:
            if allowance is None:  # 0 days is an allowance (same-day procedures), not a missing one
                raise RowError(
                    FIELD_LABELS["due_at"],
                    _msg(
                        "Thiếu ngày hẹn trả và thủ tục chưa có thời hạn.",
                        "No due date and no time limit for the procedure.",
                    ),
                )
            due_day = self._working_day(received_day, allowance)
            due_text = self.parse_dt(f"{due_day:%d/%m/%Y} 17:00")[0]
        elif due_day < received_day:
            raise RowError(FIELD_LABELS["due_at"], _msg("Ngày hẹn trả trước ngày tiếp nhận.", "Due before received."))
        effective_due = self._working_day(due_day, paused_days) if paused_days else due_day

        if not status:
            status = Status.FINISHED if finished_day else Status.IN_PROGRESS
        finished = status == Status.FINISHED
        if finished and finished_day is None:
            if returned_day is None:
                raise RowError(
                    FIELD_LABELS["finished_at"],
                    _msg("Hồ sơ đã giải quyết nhưng thiếu ngày có kết quả.", "Finished but no result date."),
                )
            finished_text, finished_day = returned_text, returned_day
        if finished_day is not None and finished_day < received_day:
            raise RowError(
                FIELD_LABELS["finished_at"], _msg("Ngày có kết quả trước ngày tiếp nhận.", "Result before receipt.")
            )
        if status in OPEN_STATUSES and finished_day is not None:
            raise RowError(
                FIELD_LABELS["status"],
                _msg("Trạng thái đang xử lý nhưng đã có ngày có kết quả.", "In progress but a result date is given."),
            )

        # Classification by calendar day in Asia/Ho_Chi_Minh.
        if finished:
            closed_day = finished_day
            outcome = (
                Outcome.EARLY
                if closed_day < effective_due
                else Outcome.ON_TIME
                if closed_day == effective_due
                else Outcome.LATE
            )
        elif status in CLOSED_WITHOUT_RESULT:
            closed_day = returned_day or finished_day or received_day
            outcome = Outcome.NONE
        else:
            closed_day = None
            outcome = Outcome.OVERDUE if effective_due < self.today else Outcome.PENDING
        day_after_due = effective_due + ONE_DAY
        overdue = closed_day > day_after_due if closed_day is not None else effective_due < self.today
        months = self._month
        return (
            row_no,
            receipt,
            procedure_code,
            level,
            unit_id,
            province_id,
            agency_id,
            channel,
            status,
            received_text,
            due_text,
            paused_days,
            finished_text,
            returned_text,
            self._iso[effective_due],
            self._iso[closed_day],
            outcome,
            months[received_day],
            months[closed_day],
            months[day_after_due] if overdue else None,
        )


# --- staging and applying ----------------------------------------------------------


def backend() -> str:
    return "postgresql" if connection.vendor == "postgresql" else "sqlite"


STAGE_DDL = """
CREATE TEMP TABLE dossier_stage (
    row_no bigint, receipt_number varchar(64), procedure_code varchar(50), procedure_level varchar(10),
    receiving_unit_id bigint, province_id bigint, agency_id bigint, channel varchar(16), status varchar(12),
    received_at {ts}, due_at {ts}, paused_days smallint, finished_at {ts}, returned_at {ts},
    due_date date, closed_date date, outcome varchar(8), received_month date, closed_month date, overdue_month date
)
"""


COPY_SQL = "COPY dossier_stage FROM STDIN WITH (FORMAT text, NULL '')"
COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_line(record: tuple) -> str:
    """One record as a line of COPY's text format, without its newline; None and "" are NULL.

    Staged values are ints, None, our own codes and dates, and texts checked against
    `BAD_TEXT`, so they hardly ever need escaping: the line is written as is and only
    escaped value by value when it shows a tab too many, a newline, CR or backslash.
    """
    # join() takes a text as it is (the value of a TextChoices member too): no str() call.
    line = "\t".join([value if isinstance(value, str) else "" if value is None else str(value) for value in record])
    if line.count("\t") == len(record) - 1 and "\\" not in line and "\n" not in line and "\r" not in line:
        return line
    return "\t".join(["" if value is None else str(value).translate(COPY_ESCAPES) for value in record])


class Stage:
    """A TEMP table filled in batches: COPY on PostgreSQL, executemany on SQLite.

    On PostgreSQL each batch's COPY runs in a helper thread (psycopg2 releases the GIL
    while the server ingests it) while this thread parses the next batch. Whoever uses
    the connection in between must call `sync()` first; `import_rows` does before every
    progress callback. A batch is sent when the *next* row arrives, so the progress
    callback at a batch boundary does not wait for that batch's COPY.
    """

    def __init__(self, batch_rows: int = 20_000):
        self.vendor = backend()
        self.postgresql = self.vendor == "postgresql"
        self.batch_rows = batch_rows
        self.pending: list = []
        self.rows = 0
        self._copy: threading.Thread | None = None
        self._copy_error: BaseException | None = None

    def __enter__(self) -> Stage:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS dossier_stage")
            ts = "timestamptz" if self.vendor == "postgresql" else "datetime"
            cursor.execute(STAGE_DDL.format(ts=ts))
        return self

    def __exit__(self, *exc) -> None:
        try:
            self.sync()
        except Exception:  # already failing or about to drop the table anyway
            if exc[0] is None:
                raise
        finally:
            drop_temp_tables()

    def add(self, record: tuple) -> None:
        if len(self.pending) >= self.batch_rows:
            self.flush(wait=False)
        # PostgreSQL: keep the COPY line, not the tuple. A string is no work for the
        # garbage collector, while a million tuples holding enum members would be.
        self.pending.append(copy_line(record) if self.postgresql else record)

    def sync(self) -> None:
        """Wait for the COPY in flight; re-raise its error."""
        if self._copy is not None:
            self._copy.join()
            self._copy = None
        if self._copy_error is not None:
            error, self._copy_error = self._copy_error, None
            raise error

    def flush(self, wait: bool = True) -> None:
        """Send the pending rows; with wait=False the COPY may still run when this returns."""
        if self.pending:
            if self.postgresql:
                text = "\n".join(self.pending) + "\n"
                self.sync()
                connection.ensure_connection()
                raw = connection.connection
                self._copy = threading.Thread(target=self._send, args=(raw, text), daemon=True)
                self._copy.start()
            else:
                with connection.cursor() as cursor:
                    placeholders = ", ".join(["%s"] * len(STAGE_COLUMNS))
                    cursor.executemany(f"INSERT INTO dossier_stage VALUES ({placeholders})", self.pending)
            self.rows += len(self.pending)
            self.pending = []
        if wait:
            self.sync()

    def _send(self, raw, text: str) -> None:
        try:
            with raw.cursor() as cursor:
                # One read() of the whole batch: the GIL is taken once, not per 8 kB.
                cursor.copy_expert(COPY_SQL, io.StringIO(text), size=max(len(text), 8192))
        except BaseException as exc:  # handed to the main thread by sync()
            self._copy_error = exc


def drop_temp_tables() -> None:
    try:
        with connection.cursor() as cursor:
            for table in ("dossier_stage", "dossier_stored", "dossier_delta"):
                cursor.execute(f"DROP TABLE IF EXISTS {table}")
    except Exception:  # the connection may be gone after a failure; temp tables go with it
        pass


# The dossier's columns an import writes besides its key: the staged ones, the procedure by id.
DOSSIER_VALUE_COLUMNS = [
    "procedure_id" if column == "procedure_code" else column
    for column in STAGE_COLUMNS
    if column not in ("row_no", "receipt_number", "receiving_unit_id")
]
# The fields of a dossier its summary flows depend on, besides the unit (part of the key).
FLOW_COLUMNS = ["agency_id", "channel", "procedure_level", "received_month", "closed_month", "overdue_month", "outcome"]

# Summaries are maintained by adding deltas, so their writers (imports, the daily overdue
# job, the full recompute) must not interleave: each holds this lock until it commits.
WRITE_LOCK_KEY = 7_301_025


def lock_dossier_writes(cursor) -> None:
    """Serialise dossier writers until the end of the transaction (SQLite serialises writes anyway)."""
    if backend() == "postgresql":
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [WRITE_LOCK_KEY])


@dataclass
class ApplyResult:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    touched_keys: int = 0
    steps: dict = field(default_factory=dict)


def _create_procedures(new_procedures: dict[str, tuple[str, str]]) -> None:
    if new_procedures:
        Procedure.objects.bulk_create(
            [Procedure(code=code, name=name, level=level) for code, (name, level) in new_procedures.items()],
            ignore_conflicts=True,
        )


# The staged rows minus any row whose receipt number comes again later in the file.
LAST_ROW_PER_KEY = """(SELECT * FROM dossier_stage s WHERE NOT EXISTS (
    SELECT 1 FROM dossier_stage later WHERE later.receiving_unit_id = s.receiving_unit_id
    AND later.receipt_number = s.receipt_number AND later.row_no > s.row_no))"""


class _KeyTwiceInFile(Exception):
    pass


def _create_stored(cursor, source: str) -> None:
    """TEMP `dossier_stored`: the stored dossier of each staged row that has one.

    Its id, its unit and flow fields as they are now (the summary delta takes them away)
    and whether the staged row differs from it.
    """
    changed = " OR ".join(f"d.{col} IS DISTINCT FROM {_staged(col)}" for col in DOSSIER_VALUE_COLUMNS)
    cursor.execute(
        f"""
        CREATE TEMP TABLE dossier_stored AS
        SELECT s.row_no, d.id, d.receiving_unit_id, d.province_id, {", ".join(f"d.{col}" for col in FLOW_COLUMNS)},
               CASE WHEN {changed} THEN 1 ELSE 0 END AS changed
        FROM {source} s
        JOIN dossiers_procedure p ON p.code = s.procedure_code
        JOIN dossiers_dossier d ON d.receiving_unit_id = s.receiving_unit_id AND d.receipt_number = s.receipt_number
        """
    )
    if backend() == "sqlite":
        cursor.execute("CREATE INDEX dossier_stored_row ON dossier_stored (row_no)")


def _staged(column: str) -> str:
    """A dossier column's staged value, in queries over `s` (staged rows) joined to `p` (their procedure)."""
    return "p.id" if column == "procedure_id" else f"s.{column}"


def _write_rows(cursor, source: str, *, job_id, now) -> tuple[int, int]:
    """INSERT the rows of `source` with no stored dossier, UPDATE the changed ones by id.

    Returns (inserted, updated). Raises `_KeyTwiceInFile` (or the unique violation) when a
    receipt number comes twice in `source`, unless `source` keeps one row per key.
    """
    cursor.execute("DROP TABLE IF EXISTS dossier_stored")
    _create_stored(cursor, source)
    if source == "dossier_stage":
        cursor.execute("SELECT 1 FROM dossier_stored GROUP BY id HAVING count(*) > 1 LIMIT 1")
        if cursor.fetchone():
            raise _KeyTwiceInFile
    columns = ["receipt_number", "receiving_unit_id", *DOSSIER_VALUE_COLUMNS]
    values = ", ".join(_staged(col) for col in columns)
    # In key order the unique index grows at its edges: half the time of file order.
    order = "s.row_no" if backend() == "sqlite" else "s.receiving_unit_id, s.receipt_number"
    cursor.execute(
        f"""INSERT INTO dossiers_dossier ({", ".join(columns)}, import_job_id, updated_at)
            SELECT {values}, %s, %s
            FROM {source} s JOIN dossiers_procedure p ON p.code = s.procedure_code
            WHERE NOT EXISTS (SELECT 1 FROM dossier_stored o WHERE o.row_no = s.row_no)
            ORDER BY {order}""",
        [job_id, now],
    )
    inserted = cursor.rowcount
    updates = ", ".join(f"{col} = {_staged(col)}" for col in DOSSIER_VALUE_COLUMNS)
    cursor.execute(
        f"""UPDATE dossiers_dossier SET {updates}, import_job_id = %s, updated_at = %s
            FROM dossier_stored o
            JOIN {source} s ON s.row_no = o.row_no
            JOIN dossiers_procedure p ON p.code = s.procedure_code
            WHERE o.changed = 1 AND o.id = dossiers_dossier.id""",
        [job_id, now],
    )
    return inserted, cursor.rowcount


def apply_stage(*, job_id: int | None, new_procedures: dict[str, tuple[str, str]], staged_rows: int) -> ApplyResult:
    """Write the staged rows that are new or changed and add the difference to the summaries.

    Call inside a transaction. `dossier_stored` holds the stored dossier of each staged
    row that has one: staged rows without one are INSERTed, changed ones UPDATEd by id,
    unchanged ones not touched at all (a re-import writes nothing). The summaries get
    the flows of the staged rows minus those of the stored rows they replace
    (`apply_flow_delta`; unchanged rows cancel out), so the work grows with the import,
    not with the table. A receipt number twice in one file keeps its last row.
    """
    vendor = backend()
    result = ApplyResult()
    clock = time.monotonic()

    def step(name: str) -> None:
        nonlocal clock
        now_ = time.monotonic()
        result.steps[name] = round(now_ - clock, 3)
        clock = now_

    _create_procedures(new_procedures)
    now = timezone.now()
    with connection.cursor() as cursor:
        lock_dossier_writes(cursor)
        if vendor == "postgresql":
            cursor.execute("SET LOCAL work_mem = '256MB'")  # the key-order sort of a million rows in memory
            # A crash right after COMMIT may lose this import (it is rerun; the upsert is
            # idempotent) but never half of it; saves the WAL flush wait at commit.
            cursor.execute("SET LOCAL synchronous_commit = off")
            cursor.execute("ANALYZE dossier_stage")
        else:  # SQLite has no hash join: give it an index to probe
            cursor.execute("CREATE INDEX dossier_stage_key ON dossier_stage (receiving_unit_id, receipt_number)")
        # Optimistically every receipt number once: a second one shows as two staged rows
        # for one stored dossier, or as a unique violation among the new ones; then the
        # savepoint is rolled back and the file's last row per receipt number is used.
        source = "dossier_stage"
        try:
            with transaction.atomic():
                result.inserted, result.updated = _write_rows(cursor, source, job_id=job_id, now=now)
        except (_KeyTwiceInFile, IntegrityError):
            source = LAST_ROW_PER_KEY
            result.inserted, result.updated = _write_rows(cursor, source, job_id=job_id, now=now)
        result.unchanged = max(staged_rows - result.inserted - result.updated, 0)
        step("write")
        result.touched_keys = apply_flow_delta(cursor, new=source, old="dossier_stored")
        step("summaries")
    return result


# --- summaries -----------------------------------------------------------------------

# Summary column → the name of its flow in the queries below.
SUMMARY_FLOWS = {
    "received": "received",
    "closed": "closed",
    "finished_early": "early",
    "finished_on_time": "on_time",
    "finished_late": "late",
    "overdue_opened": "oo",
    "overdue_closed": "oc",
}
SUMMARY_COLUMNS = ", ".join(
    ["receiving_unit_id", "province_id", "agency_id", "month", "channel", "procedure_level", *SUMMARY_FLOWS]
)
FLOW_SUMS = ", ".join(f"sum({flow}) AS {flow}" for flow in SUMMARY_FLOWS.values())


def _grouped_cte(name: str, source: str, sign: int = 1) -> str:
    """A CTE `name`: the dossier rows of `source` (a table or a subquery) counted per unit and flow fields.

    `sign` -1 counts them negatively (rows whose flows are taken away). Grouping first
    makes the three monthly flows below come from a few thousand rows, not one per dossier.
    The province follows from the unit (max() of one value), so it is not a grouping key.
    """
    return f"""{name} AS (
        SELECT receiving_unit_id AS u, max(province_id) AS p, agency_id AS a, channel AS c, procedure_level AS l,
               received_month AS rm, closed_month AS cm, overdue_month AS om, outcome AS o, {sign} * count(*) AS n
        FROM {source} x
        GROUP BY receiving_unit_id, agency_id, channel, procedure_level, received_month, closed_month,
                 overdue_month, outcome
    )"""


def _flows_sql(name: str) -> str:
    """The monthly flows of grouped CTE `name`: received in rm; closed (by outcome) in cm; overdue in om."""
    return f"""
        SELECT u, p, COALESCE(a, 0) AS a, c, l, rm AS month, n AS received, 0 AS closed, 0 AS early, 0 AS on_time, 0 AS late,
               0 AS oo, 0 AS oc FROM {name}
        UNION ALL
        SELECT u, p, COALESCE(a, 0), c, l, cm, 0, n, CASE WHEN o = 'early' THEN n ELSE 0 END,
               CASE WHEN o = 'on_time' THEN n ELSE 0 END, CASE WHEN o = 'late' THEN n ELSE 0 END,
               0, CASE WHEN om IS NOT NULL THEN n ELSE 0 END
        FROM {name} WHERE cm IS NOT NULL
        UNION ALL
        SELECT u, p, COALESCE(a, 0), c, l, om, 0, 0, 0, 0, 0, n, 0 FROM {name} WHERE om IS NOT NULL"""


def _summary_select_sql() -> str:
    """Every summary row (in SUMMARY_COLUMNS order) computed from the dossiers."""
    return f"""
        WITH {_grouped_cte("g", "dossiers_dossier")}
        SELECT u, p, NULLIF(a, 0), month, c, l, {FLOW_SUMS}
        FROM ({_flows_sql("g")}) f
        GROUP BY u, p, a, c, l, month
    """


def apply_flow_delta(cursor, *, new: str, old: str) -> int:
    """Add the flows of the dossier rows `new`, take away those of the rows `old`.

    `new` and `old` are tables or subqueries with the dossier's unit, province and flow
    columns: the rows as they will be and as they were. Returns the number of summary
    keys that changed. Needs `lock_dossier_writes`.
    """
    nonzero = " OR ".join(f"sum({flow}) <> 0" for flow in SUMMARY_FLOWS.values())
    cursor.execute("DROP TABLE IF EXISTS dossier_delta")
    cursor.execute(
        f"""
        CREATE TEMP TABLE dossier_delta AS
        WITH {_grouped_cte("gn", new)}, {_grouped_cte("go", old, sign=-1)}
        SELECT u, p, a, month, c, l, {FLOW_SUMS}
        FROM ({_flows_sql("gn")} UNION ALL {_flows_sql("go")}) f
        GROUP BY u, p, a, c, l, month
        HAVING {nonzero}
        """
    )
    cursor.execute("SELECT count(*) FROM dossier_delta")
    touched = cursor.fetchone()[0]
    if not touched:
        return 0
    key = """dossiers_dossiersummary.receiving_unit_id = d.u AND COALESCE(dossiers_dossiersummary.agency_id, 0) = d.a
             AND dossiers_dossiersummary.month = d.month AND dossiers_dossiersummary.channel = d.c
             AND dossiers_dossiersummary.procedure_level = d.l"""
    increments = ", ".join(
        f"{column} = dossiers_dossiersummary.{column} + d.{flow}" for column, flow in SUMMARY_FLOWS.items()
    )
    cursor.execute(
        f"""UPDATE dossiers_dossiersummary SET {increments}
            FROM dossier_delta d WHERE {key}"""
    )
    cursor.execute(
        f"""INSERT INTO dossiers_dossiersummary ({SUMMARY_COLUMNS})
            SELECT u, p, NULLIF(a, 0), month, c, l, {", ".join(SUMMARY_FLOWS.values())}
            FROM dossier_delta d WHERE NOT EXISTS (SELECT 1 FROM dossiers_dossiersummary WHERE {key})"""
    )
    # A key whose every flow is back to 0 (its dossiers moved elsewhere) is not kept.
    cursor.execute(
        f"""DELETE FROM dossiers_dossiersummary
            WHERE {" AND ".join(f"{column} = 0" for column in SUMMARY_FLOWS)}
              AND EXISTS (SELECT 1 FROM dossier_delta d WHERE {key})"""
    )
    return touched


def recompute_all_summaries() -> int:
    """Rebuild the whole summary table from the dossiers (one transaction).

    The repair path (`manage.py recompute_dossier_summaries`, nightly): imports and the
    overdue job keep the summaries up to date by deltas.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        lock_dossier_writes(cursor)
        if backend() == "postgresql":
            cursor.execute("SET LOCAL work_mem = '128MB'")
            # The summaries can always be rebuilt: no need to wait for the WAL flush.
            cursor.execute("SET LOCAL synchronous_commit = off")
            # A fresh table rather than DELETE's dead rows; readers wait the few seconds
            # this transaction takes instead of seeing a half-built table.
            cursor.execute("TRUNCATE dossiers_dossiersummary")
        else:
            cursor.execute("DELETE FROM dossiers_dossiersummary")
        cursor.execute(f"INSERT INTO dossiers_dossiersummary ({SUMMARY_COLUMNS}) {_summary_select_sql()}")
        return cursor.rowcount


def refresh_overdue(today: dt.date | None = None) -> int:
    """Daily: unfinished dossiers whose due day has passed become overdue; their flows move."""
    from .models import local_today

    today = today or local_today()
    next_month = (
        "CAST(date_trunc('month', due_date + 1) AS date)"
        if backend() == "postgresql"
        else "date(due_date, '+1 day', 'start of month')"
    )
    unchanged = [col for col in FLOW_COLUMNS if col not in ("overdue_month", "outcome")]
    with transaction.atomic(), connection.cursor() as cursor:
        lock_dossier_writes(cursor)
        cursor.execute("DROP TABLE IF EXISTS dossier_stored")
        cursor.execute(
            f"""CREATE TEMP TABLE dossier_stored AS
                SELECT id, receiving_unit_id, province_id, due_date, {", ".join(FLOW_COLUMNS)}
                FROM dossiers_dossier WHERE outcome = 'pending' AND due_date < %s""",
            [today],
        )
        becoming = f"""(SELECT receiving_unit_id, province_id, {", ".join(unchanged)},
                        {next_month} AS overdue_month, 'overdue' AS outcome FROM dossier_stored)"""
        apply_flow_delta(cursor, new=becoming, old="dossier_stored")
        cursor.execute(
            f"""UPDATE dossiers_dossier SET outcome = 'overdue', overdue_month = {next_month}
                WHERE id IN (SELECT id FROM dossier_stored)"""
        )
        changed = cursor.rowcount
        for table in ("dossier_stored", "dossier_delta"):
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
    return changed


# --- orchestration -------------------------------------------------------------------


@dataclass
class ImportReport:
    total_rows: int = 0
    good_rows: int = 0
    error_rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    touched_keys: int = 0
    dry_run: bool = False
    errors_path: str | None = None
    errors_sample: list[dict] = field(default_factory=list)
    stage_seconds: float = 0.0
    steps: dict = field(default_factory=dict)
    apply_seconds: float = 0.0


class ErrorWriter:
    """row, column, reason, then the row's original cells under the file's own headers."""

    def __init__(self, path: str | None, headers: Sequence[str]):
        self.path = path
        self.count = 0
        self.sample: list[dict] = []
        self.handle = None
        self.headers = list(headers)
        if path:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            self.handle = open(path, "w", encoding="utf-8-sig", newline="")  # noqa: SIM115
            self.writer = csv.writer(self.handle)
            self.writer.writerow(neutralise_row(["Dòng / Row", "Cột / Column", "Lỗi / Reason", *self.headers]))

    def add(self, row_no: int, error: RowError, cells: Sequence) -> None:
        self.count += 1
        if len(self.sample) < 50:
            self.sample.append({"row": row_no, "column": error.column, "reason": error.reason})
        if self.handle and self.count <= MAX_ERROR_ROWS_WRITTEN:
            # Neutralised like every export: the cells are the uploaded file's own, formulas included.
            self.writer.writerow(
                neutralise_row([row_no, error.column, error.reason, *("" if c is None else c for c in cells)])
            )

    def close(self) -> None:
        if self.handle:
            self.handle.close()


def import_rows(
    rows: Iterable[tuple[int, Sequence]],
    *,
    columns: dict[str, int],
    scope: Scope,
    headers: Sequence[str] = (),
    job_id: int | None = None,
    dry_run: bool = False,
    errors_path: str | None = None,
    on_progress: Callable[..., None] | None = None,
    progress_every: int = DEFAULT_CHUNK_ROWS,
    lookups: Lookups | None = None,
    today: dt.date | None = None,
) -> ImportReport:
    """Validate, stage and apply rows. `on_progress(read, errors)` may raise ImportCancelled."""
    from .models import local_today

    lookups = lookups or Lookups.load()
    parser = RowParser(lookups, columns, scope, backend(), today or local_today())
    errors = ErrorWriter(errors_path, headers)
    report = ImportReport(dry_run=dry_run, errors_path=errors_path)
    parse = parser.parse
    read = 0
    started = time.monotonic()
    try:
        with Stage(progress_every) as stage:
            add = stage.add
            for row_no, cells in rows:
                read += 1
                try:
                    add(parse(row_no, cells))
                except RowError as error:
                    errors.add(row_no, error, cells)
                if on_progress is not None and read % progress_every == 0:
                    stage.sync()  # the callback uses the connection
                    on_progress(read, errors.count)
            stage.flush()
            report.total_rows, report.good_rows, report.error_rows = read, stage.rows, errors.count
            if on_progress is not None:
                on_progress(read, errors.count, final=True)
            report.errors_sample = errors.sample
            report.stage_seconds = time.monotonic() - started
            try:
                with transaction.atomic():
                    applied = apply_stage(job_id=job_id, new_procedures=parser.new_procedures, staged_rows=stage.rows)
                    report.inserted, report.updated = applied.inserted, applied.updated
                    report.unchanged, report.touched_keys = applied.unchanged, applied.touched_keys
                    report.steps = applied.steps
                    if dry_run:
                        raise _DryRunRollback
            except _DryRunRollback:
                pass
            report.apply_seconds = time.monotonic() - started - report.stage_seconds
            report.steps["commit"] = round(report.apply_seconds - sum(report.steps.values()), 2)
    finally:
        errors.close()
    if not errors.count and errors_path and os.path.exists(errors_path):
        os.remove(errors_path)
        report.errors_path = None
    if not dry_run:
        from cchc_portal.cache import bump_generation

        bump_generation("dossier-stats")
    return report


class _DryRunRollback(Exception):
    pass


def import_file(
    path: str,
    *,
    name: str | None = None,
    scope: Scope | None = None,
    extra_mapping: dict[str, str] | None = None,
    **kwargs,
) -> tuple[FileInfo, ImportReport]:
    info = inspect_file(path, name or path, extra_mapping)
    report = import_rows(
        iter_file_rows(path, info), columns=info.columns, headers=info.headers, scope=scope or Scope(), **kwargs
    )
    return info, report
