"""A corpus of hostile files, generated (never committed): each class as bytes, for a given header.

Each builder takes the header row of the importer under test, so that a file that is
refused for what it holds (a 200 KB cell, NUL bytes, another encoding) is not refused
earlier for having no recognisable header.
"""

from __future__ import annotations

import io
import random
import unicodedata
import zipfile

HEADER_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def xlsx(rows: list[list]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _rewrite(data: bytes, replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None) -> bytes:
    """The workbook `data` with some parts replaced or added."""
    replace, add = replace or {}, add or {}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, replace.get(info.filename, source.read(info.filename)))
        for name, content in add.items():
            target.writestr(name, content)
    return out.getvalue()


def _cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def _columns(n: int) -> list[str]:
    letters = []
    for i in range(n):
        name, i = "", i + 1
        while i:
            i, rest = divmod(i - 1, 26)
            name = chr(65 + rest) + name
        letters.append(name)
    return letters


def zip_bomb(header: list[str]) -> bytes:
    """A real workbook whose sheet unpacks to 64 MB of zeros (about 64 KB packed)."""
    return _rewrite(xlsx([header]), replace={"xl/worksheets/sheet1.xml": b"0" * (64 * 1024 * 1024)})


def too_many_parts(header: list[str]) -> bytes:
    return _rewrite(xlsx([header]), add={f"xl/media/part{i}.xml": b"<x/>" for i in range(400)})


def macros(header: list[str]) -> bytes:
    """An .xlsm: a vbaProject.bin part and the macro-enabled content type."""
    data = xlsx([header])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        types = archive.read("[Content_Types].xml").replace(
            b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
            b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
        )
    return _rewrite(data, replace={"[Content_Types].xml": types}, add={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0" * 64})


def external_entity(header: list[str]) -> bytes:
    """A sheet that declares an external entity (XXE) and uses it in a cell."""
    cells = "".join(_cell(f"{col}1", text) for col, text in zip(_columns(len(header)), header, strict=True))
    sheet = (
        HEADER_XML + '<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        f'<worksheet xmlns="{MAIN_NS}"><sheetData><row r="1">{cells}</row>'
        f'<row r="2">{_cell("A2", "&xxe;")}</row></sheetData></worksheet>'
    )
    return _rewrite(xlsx([header]), replace={"xl/worksheets/sheet1.xml": sheet.encode()})


def billion_laughs(header: list[str]) -> bytes:
    """Nested entities that would expand to gigabytes."""
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)
    )
    sheet = (
        HEADER_XML + f"<!DOCTYPE worksheet [{entities}]>"
        f'<worksheet xmlns="{MAIN_NS}"><sheetData><row r="1">{_cell("A1", "&lol9;")}</row></sheetData></worksheet>'
    )
    return _rewrite(xlsx([header]), replace={"xl/worksheets/sheet1.xml": sheet.encode()})


def binary_csv(header: list[str]) -> bytes:
    return random.Random(7).randbytes(64 * 1024)


def pdf_named_xlsx(header: list[str]) -> bytes:
    return b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <</Type /Catalog>> endobj\n" + b"0" * 4096


def empty(header: list[str]) -> bytes:
    return b""


def over_size_limit(header: list[str]) -> bytes:
    """1.5 MB of plausible CSV: the tests lower every importer's size limit to 1 MB."""
    line = ",".join(["x" * 20] * len(header)) + "\n"
    return (",".join(header) + "\n").encode() + line.encode() * (1_500_000 // len(line) + 1)


def huge_field(header: list[str]) -> bytes:
    """One data row whose first cell is 200 KB (over csv's 128 KB field limit)."""
    row = ["A" * 200_000] + ["1"] * (len(header) - 1)
    return ("\ufeff" + ",".join(header) + "\n" + ",".join(row) + "\n").encode()


def nul_bytes(header: list[str]) -> bytes:
    row = ["abc\x00def"] + ["1"] * (len(header) - 1)
    return (",".join(header) + "\n" + ",".join(row) + "\n").encode()


def mixed_encodings(header: list[str]) -> bytes:
    """UTF-8 for the first 70 KB (one long cell), then a line in Windows-1258."""
    filler = ["Sở Tư pháp " * 6000] + [""] * (len(header) - 1)
    start = (",".join(header) + "\n" + ",".join(filler) + "\n").encode("utf-8")
    later = cp1258(",".join(["Sở Nội vụ"] * len(header)) + "\n")
    return start + later


TONES = "\u0300\u0301\u0303\u0309\u0323"


def cp1258(text: str) -> bytes:
    """Windows-1258 as Excel writes it: base letters composed (ơ, ô), tone marks combining."""
    out = []
    for ch in text:
        parts = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONES))
        out.append(base + "".join(c for c in parts if c in TONES))
    return "".join(out).encode("cp1258")


def no_header(header: list[str]) -> bytes:
    lines = ["Họ tên,Ngày sinh,Quê quán"] + [f"Nguyễn Văn {i},01/01/1990,Gia Lai" for i in range(40)]
    return ("\n".join(lines) + "\n").encode()


def million_empty_rows(header: list[str]) -> bytes:
    """The dimension claims 1,048,576 rows × 16,384 columns; the only data row is the last row of the sheet."""
    cols = _columns(len(header))
    head = "".join(_cell(f"{col}1", text) for col, text in zip(cols, header, strict=True))
    last = "".join(_cell(f"{col}1048576", "1") for col in cols)
    sheet = (
        HEADER_XML + f'<worksheet xmlns="{MAIN_NS}"><dimension ref="A1:XFD1048576"/><sheetData>'
        f'<row r="1">{head}</row><row r="1048576">{last}</row></sheetData></worksheet>'
    )
    return _rewrite(xlsx([header]), replace={"xl/worksheets/sheet1.xml": sheet.encode()})


def formula_cells(header: list[str]) -> bytes:
    """Every data cell but the last a formula (no cached value): never evaluated, read as empty."""
    formulas = ['=HYPERLINK("http://example.invalid","x")', "=1+1", '=cmd|" /C calc"!A0']
    row = [formulas[i % 3] for i in range(len(header) - 1)] + ["x"]
    return xlsx([header, row, row, row])


CORPUS = {
    "zip bomb .xlsx": (zip_bomb, "bomb.xlsx"),
    "too many parts .xlsx": (too_many_parts, "parts.xlsx"),
    "macros .xlsm": (macros, "macros.xlsm"),
    "external entity .xlsx": (external_entity, "xxe.xlsx"),
    "billion laughs .xlsx": (billion_laughs, "laughs.xlsx"),
    "binary .csv": (binary_csv, "binary.csv"),
    "PDF named .xlsx": (pdf_named_xlsx, "report.xlsx"),
    "empty file": (empty, "empty.csv"),
    "over the size limit": (over_size_limit, "big.csv"),
    "200 KB field .csv": (huge_field, "field.csv"),
    "NUL bytes .csv": (nul_bytes, "nul.csv"),
    "mixed encodings .csv": (mixed_encodings, "mixed.csv"),
    "no header": (no_header, "people.csv"),
    "1M empty rows, lying dimension .xlsx": (million_empty_rows, "empty-rows.xlsx"),
    "formula cells .xlsx": (formula_cells, "formulas.xlsx"),
}
