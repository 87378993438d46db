"""The report as an administrative document (Decree 30/2020/NĐ-CP) with python-docx, and the annex as .xlsx.

The document is Vietnamese whatever the reader's language: it is the official
text the province signs, so its fixed words are Vietnamese constants here.
Layout per Decree 30/2020, Appendix I: A4; Times New Roman 13–14; margins top
and bottom 20 mm, left 30 mm, right 15 mm; the header block as a borderless
two-column table (issuing body | national motto), the number and the place and
date; the title; the body; "Nơi nhận" left and the signature block right.
"""

from __future__ import annotations

import datetime as dt
import io

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from cchc_portal.lib.periods import PeriodKind

from .consolidation import consolidate
from .models import ReportRound, UnitReport, display_value

FONT = "Times New Roman"
MOTTO = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO_2 = "Độc lập - Tự do - Hạnh phúc"
PERIOD_TITLE = {
    PeriodKind.Q1: "quý I năm {year}",
    PeriodKind.H1: "6 tháng đầu năm {year}",
    PeriodKind.M9: "9 tháng năm {year}",
    PeriodKind.YEAR: "năm {year}",
}
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def place_name(province) -> str:
    for prefix in ("Tỉnh ", "Thành phố "):
        if province.name.startswith(prefix):
            return province.name[len(prefix) :]
    return province.name


def period_words(rnd: ReportRound) -> str:
    return PERIOD_TITLE[PeriodKind(rnd.kind)].format(year=rnd.year)


def date_line(place: str, date: dt.date | None, year: int) -> str:
    if date is None:
        return f"{place}, ngày      tháng      năm {year}"
    return f"{place}, ngày {date.day:02d} tháng {date.month:02d} năm {date.year}"


# --- python-docx helpers ---


def _document() -> Document:
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    style = doc.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(14)
    # East-Asian and complex-script slots too, or Word substitutes a font for Vietnamese letters.
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), FONT)
    style.paragraph_format.space_after = Pt(0)
    style.paragraph_format.space_before = Pt(0)
    return doc


def _para(container, text: str = "", *, bold=False, italic=False, size=14, align=None, indent=False, after=0):
    paragraph = container.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    if indent:
        paragraph.paragraph_format.first_line_indent = Mm(10)
    paragraph.paragraph_format.space_after = Pt(after)
    if text:
        run = paragraph.add_run(text)
        run.bold, run.italic, run.font.size = bold, italic, Pt(size)
    return paragraph


def _set_widths(table, widths) -> None:
    """Widths on the grid and on every cell: Word reads the cells, LibreOffice the grid."""
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width


def _set_widths_keep_merged(table, widths) -> None:
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width


def _keep_rows_whole(table) -> None:
    """A header or signature row never splits across pages."""
    for row in table.rows:
        tr_pr = row._tr.get_or_add_trPr()
        tr_pr.append(OxmlElement("w:cantSplit"))


def _cell_lines(cell, lines: list[tuple[str, dict]]) -> None:
    cell.paragraphs[0].text = ""
    first = True
    for text, fmt in lines:
        paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
        first = False
        paragraph.alignment = fmt.get("align", WD_ALIGN_PARAGRAPH.CENTER)
        run = paragraph.add_run(text)
        run.bold = fmt.get("bold", False)
        run.italic = fmt.get("italic", False)
        run.font.size = Pt(fmt.get("size", 13))


def _header(doc, body_lines: list[str], number: str, place_date: str) -> None:
    """The header block: issuing body and number left, motto and place/date right (Decree 30/2020, Annex I)."""
    table = doc.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _set_widths(table, [Mm(62), Mm(103)])
    _keep_rows_whole(table)
    left, right = table.rows[0].cells
    lines = [(body_lines[0], {"size": 13})] if len(body_lines) > 1 else []
    lines += [(line, {"bold": True, "size": 13}) for line in body_lines[1:] or body_lines]
    lines += [("¯¯¯¯¯¯¯¯", {"size": 10}), (number, {"size": 13})]
    _cell_lines(left, lines)
    _cell_lines(
        right,
        [
            (MOTTO, {"bold": True, "size": 12}),
            (MOTTO_2, {"bold": True, "size": 13}),
            ("¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯", {"size": 10}),
            (place_date, {"italic": True, "size": 14}),
        ],
    )


def _title(doc, title: str, subtitle: str) -> None:
    _para(doc, "", after=6)
    _para(doc, title, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(doc, subtitle, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=12)


def _body(doc, sections, texts: dict[str, str]) -> None:
    for section in sections:
        _para(doc, f"{section.code}. {section.title.upper()}", bold=True, indent=True, after=6)
        text = texts.get(section.code, "").strip()
        for chunk in [c.strip() for c in text.splitlines() if c.strip()] or ["…"]:
            _para(doc, chunk, indent=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY, after=6)


def _signature(doc, recipients: str, title: str, position: str, name: str) -> None:
    table = doc.add_table(rows=1, cols=2)
    _set_widths(table, [Mm(80), Mm(85)])
    _keep_rows_whole(table)
    left, right = table.rows[0].cells
    lines = [("Nơi nhận:", {"bold": True, "italic": True, "size": 12, "align": WD_ALIGN_PARAGRAPH.LEFT})]
    lines += [
        (line, {"size": 11, "align": WD_ALIGN_PARAGRAPH.LEFT}) for line in recipients.splitlines() if line.strip()
    ]
    _cell_lines(left, lines)
    sign = [(line, {"bold": True, "size": 14}) for line in (title, position) if line]
    sign += [("", {}), ("", {}), ("", {}), (name or "", {"bold": True, "size": 14})]
    _cell_lines(right, sign)


def _annex(doc, heading: str, note: str, rows: list[dict], value_key: str = "display") -> None:
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    _para(doc, "PHỤ LỤC", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(doc, heading, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(doc, note, italic=True, size=13, align=WD_ALIGN_PARAGRAPH.CENTER, after=12)
    table = doc.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    widths = [Mm(18), Mm(95), Mm(25), Mm(27)]
    for cell, text, width in zip(
        table.rows[0].cells, ["Mã", "Chỉ tiêu", "Đơn vị tính", "Số liệu"], widths, strict=True
    ):
        cell.width = width
        _cell_lines(cell, [(text, {"bold": True, "size": 12})])
    group = None
    for row in rows:
        if row["group"] and row["group"] != group:
            group = row["group"]
            cells = table.add_row().cells
            merged = cells[0].merge(cells[3])
            _cell_lines(merged, [(group, {"bold": True, "size": 12, "align": WD_ALIGN_PARAGRAPH.LEFT})])
        cells = table.add_row().cells
        for cell, text, width, align in zip(
            cells,
            [row["code"], row["label"], row["unit"], row[value_key]],
            widths,
            [WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.LEFT, WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.RIGHT],
            strict=True,
        ):
            cell.width = width
            _cell_lines(cell, [(text, {"size": 12, "align": align})])
    _set_widths_keep_merged(table, widths)


def _bytes(doc) -> bytes:
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def number_line(number: str, suffix: str) -> str:
    return f"Số: {number or '       '}/{suffix}"


# --- the two documents ---


def round_docx(rnd: ReportRound) -> bytes:
    """The province's report to the Ministry: consolidated text and annex."""
    rows = consolidate(rnd)
    place = place_name(rnd.province)
    doc = _document()
    number = number_line(rnd.document_number, "BC-UBND")
    _header(doc, ["ỦY BAN NHÂN DÂN", f"TỈNH {place.upper()}"], number, date_line(place, rnd.document_date, rnd.year))
    subtitle = f"Kết quả thực hiện công tác cải cách hành chính {period_words(rnd)}"
    _title(doc, "BÁO CÁO", subtitle)
    _para(
        doc,
        f"Thực hiện {rnd.template.basis or 'hướng dẫn của Bộ Nội vụ'}, Ủy ban nhân dân tỉnh {place} báo cáo kết quả "
        f"thực hiện công tác cải cách hành chính {period_words(rnd)} như sau:",
        indent=True,
        align=WD_ALIGN_PARAGRAPH.JUSTIFY,
        after=6,
    )
    _body(doc, rnd.template.active_sections(), rnd.texts or {})
    _para(doc, "(Số liệu chi tiết tại Phụ lục kèm theo)", italic=True, indent=True, after=6)
    _para(
        doc,
        f"Trên đây là báo cáo kết quả thực hiện công tác cải cách hành chính {period_words(rnd)} "
        f"của Ủy ban nhân dân tỉnh {place}./.",
        indent=True,
        align=WD_ALIGN_PARAGRAPH.JUSTIFY,
        after=12,
    )
    _signature(doc, rnd.recipients, rnd.signer_title, rnd.signer_position, rnd.signer_name)
    _annex(
        doc,
        f"SỐ LIỆU KẾT QUẢ CẢI CÁCH HÀNH CHÍNH {period_words(rnd).upper()}",
        f"(Kèm theo Báo cáo số {number.removeprefix('Số: ')} của Ủy ban nhân dân tỉnh {place})",
        rows,
    )
    return _bytes(doc)


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
    doc = _document()
    date = report.submitted_at.date() if report.submitted_at else None
    _header(doc, _unit_header_lines(report), number_line("", "BC"), date_line(place, date, rnd.year))
    _title(doc, "BÁO CÁO", f"Kết quả thực hiện công tác cải cách hành chính {period_words(rnd)}")
    _body(doc, rnd.template.active_sections(), report.texts or {})
    _para(doc, "", after=6)
    _signature(doc, "- Sở Nội vụ;\n- Lưu: VT.", "THỦ TRƯỞNG CƠ QUAN", "", "")
    _annex(
        doc,
        f"SỐ LIỆU KẾT QUẢ CẢI CÁCH HÀNH CHÍNH {period_words(rnd).upper()}",
        f"(Kèm theo Báo cáo của {report.agency.name})",
        unit_rows(report),
    )
    return _bytes(doc)


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
