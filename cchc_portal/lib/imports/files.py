"""Open and check an uploaded table (.xlsx or .csv) and read its rows with bounded memory.

The type comes from the content, never from the name: a ZIP that holds a workbook is
read as .xlsx, text is read as CSV, anything else is refused with a message saying
what the file is. Every limit is checked before the part it protects is unpacked or
decoded (ASVS 5.2: size, ZIP parts, uncompressed size, compression ratio, macros,
XML entity declarations); openpyxl parses the rest with defusedxml and never runs a
formula (`data_only`: a formula cell reads as its cached value, if any).
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from .cells import is_blank
from .errors import FileRefused

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
HEAD_BYTES = 64 * 1024
XML_PROLOG_BYTES = 64 * 1024
# A sheet whose data stops here and goes on after more empty rows than this is taken
# to end here: formatting applied "to the whole column" (or a lying dimension) must
# not make an import walk a million empty rows.
MAX_EMPTY_RUN = 10_000


@dataclass(frozen=True)
class Limits:
    """What one importer accepts. The rules are the same for all; the sizes differ."""

    max_bytes: int = 10 * 1024 * 1024
    max_rows: int | None = 5_000  # data rows (not empty ones); None: no limit (streamed)
    max_columns: int = 300
    zip_max_parts: int = 200
    zip_max_uncompressed: int = 100 * 1024 * 1024
    zip_max_ratio: int = 100  # for parts over 1 MiB unpacked
    max_line_chars: int = 1024 * 1024  # one physical line of a CSV
    max_cell_chars: int = 131_072  # csv.field_size_limit()'s default

    def with_(self, **changes) -> Limits:
        return replace(self, **changes)


def _mb(size: int) -> str:
    return number_format(round(size / 2**20, 1), decimal_pos=1 if size % 2**20 else 0, use_l10n=True)


@dataclass
class TableFile:
    """A checked file: its kind, and for a CSV the encoding and delimiter found."""

    path: str | None
    data: bytes | None
    kind: str  # "xlsx" | "csv"
    limits: Limits
    encoding: str = ""
    delimiter: str = ","
    declared_rows: int | None = None  # an .xlsx sheet's stored dimension (may lie; for progress only)

    def open_binary(self):
        return open(self.path, "rb") if self.path is not None else io.BytesIO(self.data)  # noqa: SIM115


def check_file(source: bytes | str | os.PathLike, limits: Limits = Limits()) -> TableFile:
    """Check an upload (its bytes, or a path) and say how to read it; raises FileRefused."""
    if isinstance(source, bytes | bytearray):
        data, path = bytes(source), None
        size = len(data)
        head = data[:HEAD_BYTES]
    else:
        data, path = None, str(source)
        size = os.path.getsize(path)
        with open(path, "rb") as handle:
            head = handle.read(HEAD_BYTES)
    if size == 0:
        raise FileRefused(_("The file is empty."))
    if size > limits.max_bytes:
        raise FileRefused(
            _("The file is larger than %(limit)s MB (it has %(size)s MB).")
            % {"limit": _mb(limits.max_bytes), "size": _mb(size)}
        )
    table = TableFile(path=path, data=data, kind="", limits=limits)
    if head.startswith(ZIP_MAGIC):
        with table.open_binary() as handle:
            check_workbook_zip(handle, limits)
        table.kind = "xlsx"
        return table
    if head.startswith(OLE_MAGIC):
        raise FileRefused(
            _(
                "This is an old Excel 97–2003 (.xls) or a password-protected workbook: "
                "open it in Excel and save it as .xlsx without a password."
            )
        )
    what = _binary_kind(head)
    if what:
        raise FileRefused(
            _("This is %(what)s, not a spreadsheet: only .xlsx workbooks and .csv text files can be imported.")
            % {"what": what}
        )
    table.kind = "csv"
    table.encoding = detect_encoding(head)
    text = head.decode(table.encoding, errors="ignore") if table.encoding != "utf-8" else _decode_utf8_head(head)
    if "\x00" in text:
        raise FileRefused(_nul_message())
    controls = sum(1 for ch in text if ch < " " and ch not in "\t\r\n\f\v")
    if controls > max(2, len(text) // 100):
        raise FileRefused(
            _("The file is not a text file (CSV): it holds binary data. Only .xlsx and .csv files can be imported.")
        )
    table.delimiter = detect_delimiter(text)
    return table


def _binary_kind(head: bytes) -> str:
    kinds = {
        b"%PDF-": _("a PDF document"),
        b"\x89PNG": _("a PNG image"),
        b"\xff\xd8\xff": _("a JPEG image"),
        b"GIF8": _("a GIF image"),
        b"\x1f\x8b": _("a gzip archive"),
        b"Rar!": _("a RAR archive"),
        b"7z\xbc\xaf": _("a 7-Zip archive"),
        b"\x7fELF": _("a program"),
        b"{\\rtf": _("an RTF document"),
    }
    for magic, what in kinds.items():
        if head.startswith(magic):
            return what
    return ""


def _nul_message() -> str:
    return _(
        "The file contains NUL characters, so it is not a text CSV file "
        "(a binary file, or text saved as UTF-16 without its byte order mark)."
    )


# --- ZIP containers ----------------------------------------------------------------


def check_workbook_zip(fileobj, limits: Limits = Limits(), required_member: str = "xl/workbook.xml") -> None:
    """Refuse ZIP bombs, macros, XML entity declarations and ZIPs that are not workbooks.

    Also for other Office documents (`required_member` "word/document.xml" for .docx).
    """
    try:
        archive = zipfile.ZipFile(fileobj)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise FileRefused(_("The file is damaged: it starts like an .xlsx workbook but cannot be opened.")) from exc
    with archive:
        infos = archive.infolist()
        if len(infos) > limits.zip_max_parts:
            raise FileRefused(
                _("The workbook has too many parts (%(n)d, at most %(max)d are accepted).")
                % {"n": len(infos), "max": limits.zip_max_parts}
            )
        total = sum(info.file_size for info in infos)
        if total > limits.zip_max_uncompressed:
            raise FileRefused(
                _("The workbook unpacks to more than %(limit)s MB: it is refused (a possible ZIP bomb).")
                % {"limit": _mb(limits.zip_max_uncompressed)}
            )
        for info in infos:
            if info.file_size > 1 << 20 and info.file_size > limits.zip_max_ratio * max(info.compress_size, 1):
                raise FileRefused(
                    _("The workbook is compressed suspiciously well (a possible ZIP bomb): it is refused.")
                )
        names = {info.filename for info in infos}
        if "[Content_Types].xml" not in names or required_member not in names:
            if required_member != "xl/workbook.xml":
                raise FileRefused(_("The file's content does not match its type."))
            raise FileRefused(
                _("The file is a ZIP archive but not an Excel workbook: only .xlsx and .csv files can be imported.")
            )
        if any(name.lower().endswith("vbaproject.bin") for name in names) or _macro_content_types(archive):
            raise FileRefused(_("Workbooks with macros (.xlsm) are not accepted: save the file as .xlsx."))
        for info in infos:
            if info.filename.endswith((".xml", ".rels", ".vml")):
                with archive.open(info) as member:
                    prolog = member.read(XML_PROLOG_BYTES).upper()
                if b"<!DOCTYPE" in prolog or b"<!ENTITY" in prolog:
                    raise FileRefused(
                        _(
                            "The workbook contains XML entity declarations, which Excel never writes: "
                            "it is refused for safety."
                        )
                    )


def _macro_content_types(archive: zipfile.ZipFile) -> bool:
    with archive.open("[Content_Types].xml") as member:
        return b"macroenabled" in member.read(XML_PROLOG_BYTES).lower()


# --- text ----------------------------------------------------------------------------


def detect_encoding(head: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, otherwise Windows Vietnamese (cp1258).

    Excel's "CSV UTF-8" writes a BOM, its plain "CSV" on a Vietnamese Windows writes
    cp1258, "Unicode text" writes UTF-16 with a BOM. Text that is valid UTF-8 at the
    start is read as UTF-8 to the end (a later invalid byte refuses the file).
    """
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return "cp1258"
    return "utf-8"


def _decode_utf8_head(head: bytes) -> str:
    return codecs.getincrementaldecoder("utf-8")().decode(head, final=False)


def detect_delimiter(text: str) -> str:
    lines = [line for line in text.splitlines()[:30] if line.strip()]
    if not lines:
        return ","
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters=",;\t").delimiter
    except csv.Error:
        counts = {d: lines[0].count(d) for d in (",", ";", "\t")}
        return max(counts, key=counts.get) if any(counts.values()) else ","


class UnreadableRow(tuple):
    """Stands for a row that could not be read (too long, broken quoting); carries the reason."""

    message: str = ""

    def __new__(cls, message: str):
        row = super().__new__(cls, ())
        row.message = message
        return row


class _LongLine(Exception):
    pass


class _Lines:
    """Physical lines of a text stream, each at most `limit` characters (memory stays bounded).

    A longer line is skipped to its end and `_LongLine` raised in its place; csv.reader
    passes the exception on and can be iterated again afterwards.
    """

    def __init__(self, stream, limit: int):
        self.stream = stream
        self.limit = limit

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = self.stream.readline(self.limit + 1)
        if not line:
            raise StopIteration
        if len(line) > self.limit and not line.endswith("\n"):
            while True:
                rest = self.stream.readline(self.limit)
                if not rest or rest.endswith("\n"):
                    break
            raise _LongLine
        if "\x00" in line:
            raise FileRefused(_nul_message())
        return line


def _prescan(table: TableFile) -> bool:
    """True when every physical line is short enough to read without a guard.

    Reads the raw bytes once in blocks of half the line limit: a line longer than the
    limit spans a whole block without a newline. Also refuses NUL bytes anywhere (not
    for UTF-16, where they are part of the text). A few milliseconds per 50 MB, so the
    common file is read by csv's C loop alone.
    """
    block_size = max(table.limits.max_line_chars // 2, 1)
    check_nul = table.encoding != "utf-16"
    short = True
    with table.open_binary() as raw:
        while block := raw.read(block_size):
            if check_nul and b"\x00" in block:
                raise FileRefused(_nul_message())
            if short and len(block) == block_size and b"\n" not in block and b"\r" not in block:
                short = False
                if not check_nul:
                    break
    return short


def iter_csv_rows(
    table: TableFile, *, after: int = 0, empty_run_limit: int = MAX_EMPTY_RUN
) -> Iterator[tuple[int, list[str] | UnreadableRow]]:
    """(record number, cells) of every non-empty record after record `after`; an unreadable one as `UnreadableRow`.

    One loop for the whole file (it runs once per row of million-row exports): csv's C
    reader over the decoded stream, blank rows skipped, the row limit counted here.
    """
    limits = table.limits
    max_rows = limits.max_rows
    guarded = not _prescan(table)
    with table.open_binary() as raw:
        stream = io.TextIOWrapper(raw, encoding=table.encoding, errors="strict", newline="")
        reader = csv.reader(_Lines(stream, limits.max_line_chars) if guarded else stream, delimiter=table.delimiter)
        number = data_rows = empty_run = 0
        while True:
            try:
                for row in reader:
                    number += 1
                    if not row or not row[0] or row[0].isspace():
                        if is_blank(row):
                            empty_run += 1
                            if empty_run > empty_run_limit:
                                return
                            continue
                    empty_run = 0
                    if number <= after:
                        continue
                    data_rows += 1
                    if max_rows is not None and data_rows > max_rows:
                        raise FileRefused(_too_many_rows(max_rows))
                    yield number, row
                return
            except UnicodeDecodeError:
                raise FileRefused(
                    _(
                        "The file mixes text encodings: around row %(row)d it is no longer %(encoding)s. "
                        "Save it again from Excel as “CSV UTF-8”."
                    )
                    % {"row": number + 1, "encoding": table.encoding.upper().replace("-SIG", "")}
                ) from None
            except _LongLine:
                message = _("The row is longer than %(n)s characters and was not read.") % {
                    "n": number_format(limits.max_line_chars, force_grouping=True)
                }
            except csv.Error as exc:
                if "field larger" in str(exc):
                    message = _("A cell is longer than %(n)s characters; the row was not read.") % {
                        "n": number_format(limits.max_cell_chars, force_grouping=True)
                    }
                else:
                    message = _("The row cannot be read as CSV (quotes or separators are broken).")
            number += 1
            empty_run = 0
            if number > after:
                data_rows += 1
                yield number, UnreadableRow(message)


def _too_many_rows(max_rows: int) -> str:
    return _("The file has more than %(n)s rows: split it, or import it in parts.") % {
        "n": number_format(max_rows, force_grouping=True)
    }


# --- workbooks -------------------------------------------------------------------------


def open_workbook(table: TableFile):
    import openpyxl

    try:
        return openpyxl.load_workbook(table.path or io.BytesIO(table.data), read_only=True, data_only=True)
    except FileRefused:
        raise
    except Exception as exc:  # openpyxl raises many types on damaged files
        raise FileRefused(
            _("The workbook cannot be read: it is damaged or not saved by a spreadsheet program.")
        ) from exc


def iter_xlsx_rows(table: TableFile) -> Iterator[tuple[int, tuple]]:
    """(row number, values) of the first sheet's rows, empty rows included, at most `max_columns` wide."""
    workbook = open_workbook(table)
    try:
        if not workbook.worksheets:
            raise FileRefused(_("The workbook has no sheet."))
        sheet = workbook.worksheets[0]
        try:
            table.declared_rows = sheet.max_row
        except Exception:  # a damaged dimension: unknown
            table.declared_rows = None
        # The stored dimension may claim a million rows or 16,384 columns: ignore it and
        # read the rows that are there.
        sheet.reset_dimensions()
        width = table.limits.max_columns
        try:
            for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
                yield number, tuple(row[:width]) if len(row) > width else tuple(row)
        except FileRefused:
            raise
        except Exception as exc:  # damaged sheet XML, found only when reading it
            raise FileRefused(
                _("The workbook cannot be read: it is damaged or not saved by a spreadsheet program.")
            ) from exc
    finally:
        workbook.close()


def iter_rows(table: TableFile, *, after: int = 0, empty_message: str = "") -> Iterator[tuple[int, tuple | list]]:
    """Every non-empty row of the table after row `after`, with its number.

    Reading stops after `MAX_EMPTY_RUN` empty rows in a row. With `empty_message`, a
    table with no such row raises FileRefused(empty_message).
    """
    rows = iter_csv_rows(table, after=after) if table.kind == "csv" else _xlsx_data_rows(table, after)
    if not empty_message:
        return rows
    return _refuse_if_empty(rows, empty_message)


def _refuse_if_empty(rows, message: str):
    first = next(rows, None)
    if first is None:
        raise FileRefused(message)
    yield first
    yield from rows


def _xlsx_data_rows(table: TableFile, after: int) -> Iterator[tuple[int, tuple]]:
    empty_run = data_rows = 0
    max_rows = table.limits.max_rows
    for number, row in iter_xlsx_rows(table):
        if is_blank(row):
            empty_run += 1
            if empty_run > MAX_EMPTY_RUN:
                return
            continue
        empty_run = 0
        if number <= after:
            continue
        data_rows += 1
        if max_rows is not None and data_rows > max_rows:
            raise FileRefused(_too_many_rows(max_rows))
        yield number, row


class Rows(list):
    """The non-empty rows of a table, each a list of cells; `numbers[i]` is row i's number in the file."""

    def __init__(self, numbered=()):
        numbered = list(numbered)
        super().__init__(cells if cells.__class__ is UnreadableRow else list(cells) for _number, cells in numbered)
        self.numbers = [number for number, _cells in numbered]

    def number(self, index: int) -> int:
        return self.numbers[index] if index < len(self.numbers) else index + 1


def numbers_of(rows: list) -> list[int]:
    """The file row numbers of `rows` (a `Rows`, or a plain list whose rows are numbered 1, 2, ...)."""
    numbers = getattr(rows, "numbers", None)
    return list(numbers) if numbers is not None and len(numbers) == len(rows) else list(range(1, len(rows) + 1))


def read_table(source: bytes | str | Path, limits: Limits = Limits()) -> Rows:
    """Check the file and read its non-empty rows (unreadable ones as `UnreadableRow`). Raises FileRefused."""
    return Rows(iter_rows(check_file(source, limits)))
