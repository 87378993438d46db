"""The report as an administrative document (Decree 30/2020/NĐ-CP) with python-docx, and the annex as .xlsx.

The layout (page, fonts, header block, signature table) is `cchc_portal.lib.decree30`'s; this module
writes the report's own words, Vietnamese whatever the reader's language: it is the official text the
province signs.
"""

from __future__ import annotations

import io

from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.shared import Mm
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from cchc_portal.lib import decree30
from cchc_portal.lib.periods import PeriodKind

from .consolidation import consolidate
from .models import ReportRound, UnitReport, display_value

PERIOD_TITLE = {
    PeriodKind.Q1: "quý I năm {year}",
    PeriodKind.H1: "6 tháng đầu năm {year}",
    PeriodKind.M9: "9 tháng năm {year}",
    PeriodKind.YEAR: "năm {year}",
}
DOCX_TYPE = decree30.DOCX_TYPE
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def place_name(province) -> str:
    for prefix in ("Tỉnh ", "Thành phố "):
        if province.name.startswith(prefix):
            return province.name[len(prefix) :]
    return province.name


def period_words(rnd: ReportRound) -> str:
    return PERIOD_TITLE[PeriodKind(rnd.kind)].format(year=rnd.year)


# --- the report's parts ---


def _body(doc, sections, texts: dict[str, str]) -> None:
    for section in sections:
        decree30.para(doc, f"{section.code}. {section.title.upper()}", bold=True, indent=True, after=6)
        text = texts.get(section.code, "").strip()
        for chunk in [c.strip() for c in text.splitlines() if c.strip()] or ["…"]:
            decree30.para(doc, chunk, indent=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY, after=6)


def _annex(doc, heading: str, note: str, rows: list[dict], value_key: str = "display") -> None:
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    decree30.para(doc, "PHỤ LỤC", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    decree30.para(doc, heading, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    decree30.para(doc, note, italic=True, size=13, align=WD_ALIGN_PARAGRAPH.CENTER, after=12)
    table = doc.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    widths = [Mm(18), Mm(95), Mm(25), Mm(27)]
    for cell, text, width in zip(
        table.rows[0].cells, ["Mã", "Chỉ tiêu", "Đơn vị tính", "Số liệu"], widths, strict=True
    ):
        cell.width = width
        decree30.cell_lines(cell, [(text, {"bold": True, "size": 12})])
    group = None
    for row in rows:
        if row["group"] and row["group"] != group:
            group = row["group"]
            cells = table.add_row().cells
            merged = cells[0].merge(cells[3])
            decree30.cell_lines(merged, [(group, {"bold": True, "size": 12, "align": WD_ALIGN_PARAGRAPH.LEFT})])
        cells = table.add_row().cells
        for cell, text, width, align in zip(
            cells,
            [row["code"], row["label"], row["unit"], row[value_key]],
            widths,
            [WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.LEFT, WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.RIGHT],
            strict=True,
        ):
            cell.width = width
            decree30.cell_lines(cell, [(text, {"size": 12, "align": align})])
    decree30.set_grid_widths(table, widths)


def number_line(number: str, suffix: str) -> str:
    return f"Số: {number or '       '}/{suffix}"


# --- the two documents ---


def round_docx(rnd: ReportRound) -> bytes:
    """The province's report to the Ministry: consolidated text and annex."""
    rows = consolidate(rnd)
    place = place_name(rnd.province)
    doc = decree30.document()
    number = number_line(rnd.document_number, "BC-UBND")
    decree30.header(
        doc,
        ["ỦY BAN NHÂN DÂN", f"TỈNH {place.upper()}"],
        number,
        decree30.date_line(place, rnd.document_date, rnd.year),
    )
    subtitle = f"Kết quả thực hiện công tác cải cách hành chính {period_words(rnd)}"
    decree30.title(doc, "BÁO CÁO", subtitle)
    decree30.para(
        doc,
        f"Thực hiện {rnd.template.basis or 'hướng dẫn của Bộ Nội vụ'}, Ủy ban nhân dân tỉnh {place} báo cáo kết quả "
        f"thực hiện công tác cải cách hành chính {period_words(rnd)} như sau:",
        indent=True,
        align=WD_ALIGN_PARAGRAPH.JUSTIFY,
        after=6,
    )
    _body(doc, rnd.template.active_sections(), rnd.texts or {})
    decree30.para(doc, "(Số liệu chi tiết tại Phụ lục kèm theo)", italic=True, indent=True, after=6)
    decree30.para(
        doc,
        f"Trên đây là báo cáo kết quả thực hiện công tác cải cách hành chính {period_words(rnd)} "
        f"của Ủy ban nhân dân tỉnh {place}./.",
        indent=True,
        align=WD_ALIGN_PARAGRAPH.JUSTIFY,
        after=12,
    )
    decree30.signature(doc, rnd.recipients, rnd.signer_title, rnd.signer_position, rnd.signer_name)
    _annex(
        doc,
        f"SỐ LIỆU KẾT QUẢ CẢI CÁCH HÀNH CHÍNH {period_words(rnd).upper()}",
        f"(Kèm theo Báo cáo số {number.removeprefix('Số: ')} của Ủy ban nhân dân tỉnh {place})",
        rows,
    )
    return decree30.to_bytes(doc)


def _unit_header_lines(report: UnitReport) -> list[str]:
    agency = report.agency
    if agency.commune_id:
        return [agency.name.upper()]
    return [f"UBND TỈNH {place_name(report.province).upper()}", agency.name.upper()]


def unit_rows(report: UnitReport) -> list[dict]:
    return [
        {"code": f.code, "group": f.group, "label": f.label, "unit": f.unit, "display": display_value(f, report.values.get(f.code)),
         "value": report.values.get(f.code)}
        for f in report.round.template.active_figures()
    ]  # fmt: skip


def unit_docx(report: UnitReport) -> bytes:
    rnd = report.round
    place = place_name(report.province)
    doc = decree30.document()
    date = report.submitted_at.date() if report.submitted_at else None
    decree30.header(doc, _unit_header_lines(report), number_line("", "BC"), decree30.date_line(place, date, rnd.year))
    decree30.title(doc, "BÁO CÁO", f"Kết quả thực hiện công tác cải cách hành chính {period_words(rnd)}")
    _body(doc, rnd.template.active_sections(), report.texts or {})
    decree30.para(doc, "", after=6)
    decree30.signature(doc, "- Sở Nội vụ;\n- Lưu: VT.", "THỦ TRƯỞNG CƠ QUAN", "", "")
    _annex(
        doc,
        f"SỐ LIỆU KẾT QUẢ CẢI CÁCH HÀNH CHÍNH {period_words(rnd).upper()}",
        f"(Kèm theo Báo cáo của {report.agency.name})",
        unit_rows(report),
    )
    return decree30.to_bytes(doc)


# --- spreadsheets ---


def sheet_bytes(title: str, header: list[str], rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        sheet.append(row)
    sheet.column_dimensions["B"].width = 60
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _number_or_none(value):
    from decimal import Decimal

    if value in (None, ""):
        return None
    value = Decimal(str(value))
    return int(value) if value == value.to_integral_value() else float(value)


def annex_xlsx(rnd: ReportRound) -> bytes:
    rows = consolidate(rnd)
    return sheet_bytes(
        "Phụ lục",
        ["Mã", "Chỉ tiêu", "Đơn vị tính", "Số liệu tổng hợp", "Số đơn vị", "Số liệu tự động của tỉnh"],
        [
            [
                r["code"],
                r["label"],
                r["unit"],
                _number_or_none(r["value"]),
                r["units"],
                _number_or_none(r["province_auto"]),
            ]
            for r in rows
        ],
    )


def unit_xlsx(report: UnitReport) -> bytes:
    return sheet_bytes(
        "Phụ lục",
        ["Mã", "Chỉ tiêu", "Đơn vị tính", "Số liệu"],
        [[r["code"], r["label"], r["unit"], _number_or_none(r["value"])] for r in unit_rows(report)],
    )
