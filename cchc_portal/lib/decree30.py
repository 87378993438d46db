"""Administrative documents laid out per Decree 30/2020/NĐ-CP, Appendix I, with python-docx.

A4 (portrait, or landscape for a wide annex); Times New Roman 13–14; margins top and bottom 20 mm,
left 30 mm, right 15 mm; the header block as a borderless two-column table (issuing body and number |
national motto and place and date); the title; the body; "Nơi nhận" left and the signature block right.
The fixed words are Vietnamese constants: the document is the official text the province signs,
whatever the reader's language. Shared by the reports and the assessments exports.
"""

from __future__ import annotations

import datetime as dt
import io

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

FONT = "Times New Roman"
MOTTO = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO_2 = "Độc lập - Tự do - Hạnh phúc"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
LEFT_MARGIN, RIGHT_MARGIN = Mm(30), Mm(15)


def document(*, landscape: bool = False, font_size: int = 14) -> Document:
    doc = Document()
    section = doc.sections[0]
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(297), Mm(210)
    else:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = LEFT_MARGIN, RIGHT_MARGIN
    style = doc.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(font_size)
    # East-Asian and complex-script slots too, or Word substitutes a font for Vietnamese letters.
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), FONT)
    style.paragraph_format.space_after = Pt(0)
    style.paragraph_format.space_before = Pt(0)
    return doc


def text_width(doc) -> int:
    """The width between the margins, in EMU (165 mm on portrait A4, 252 mm on landscape)."""
    section = doc.sections[0]
    return section.page_width - section.left_margin - section.right_margin


def para(container, text: str = "", *, bold=False, italic=False, size=14, align=None, indent=False, after=0):
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


def set_widths(table, widths) -> None:
    """Widths on the grid and on every cell: Word reads the cells, LibreOffice the grid."""
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width


def set_grid_widths(table, widths) -> None:
    """Widths on the grid only, for a table with merged rows (their cells span several columns)."""
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width


def keep_rows_whole(table) -> None:
    """A header or signature row never splits across pages."""
    for row in table.rows:
        tr_pr = row._tr.get_or_add_trPr()
        tr_pr.append(OxmlElement("w:cantSplit"))


def cell_lines(cell, lines: list[tuple[str, dict]]) -> None:
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


def date_line(place: str, date: dt.date | None, year: int) -> str:
    """ "Gia Lai, ngày 20 tháng 06 năm 2026"; blanks to fill by hand when the date is not known yet."""
    if date is None:
        return f"{place}, ngày      tháng      năm {year}"
    return f"{place}, ngày {date.day:02d} tháng {date.month:02d} năm {date.year}"


def header(doc, body_lines: list[str], number: str, place_date: str) -> None:
    """Issuing body (its superior body first when two lines) and number left; motto and place/date right."""
    table = doc.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    width = text_width(doc)
    left_width = min(Mm(80), int(width * 62 / 165))  # 62 mm of 165 on portrait A4
    set_widths(table, [left_width, width - left_width])
    keep_rows_whole(table)
    left, right = table.rows[0].cells
    lines = [(body_lines[0], {"size": 13})] if len(body_lines) > 1 else []
    lines += [(line, {"bold": True, "size": 13}) for line in body_lines[1:] or body_lines]
    lines += [("¯¯¯¯¯¯¯¯", {"size": 10})]
    if number:
        lines += [(number, {"size": 13})]
    cell_lines(left, lines)
    cell_lines(
        right,
        [
            (MOTTO, {"bold": True, "size": 12}),
            (MOTTO_2, {"bold": True, "size": 13}),
            ("¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯¯", {"size": 10}),
            (place_date, {"italic": True, "size": 14}),
        ],
    )


def title(doc, text: str, subtitle: str = "") -> None:
    para(doc, "", after=6)
    para(doc, text, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=0 if subtitle else 12)
    if subtitle:
        para(doc, subtitle, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=12)


def signature(doc, recipients: str | None, title: str, position: str, name: str) -> None:
    """ "Nơi nhận:" and its list left (none for recipients=None); the signer's title, position and name right."""
    table = doc.add_table(rows=1, cols=2)
    width = text_width(doc)
    left_width = int(width * 80 / 165)
    set_widths(table, [left_width, width - left_width])
    keep_rows_whole(table)
    left, right = table.rows[0].cells
    if recipients is not None:
        lines = [("Nơi nhận:", {"bold": True, "italic": True, "size": 12, "align": WD_ALIGN_PARAGRAPH.LEFT})]
        lines += [
            (line, {"size": 11, "align": WD_ALIGN_PARAGRAPH.LEFT}) for line in recipients.splitlines() if line.strip()
        ]
        cell_lines(left, lines)
    sign = [(line, {"bold": True, "size": 14}) for line in (title, position) if line]
    sign += [("", {}), ("", {}), ("", {}), (name or "", {"bold": True, "size": 14})]
    cell_lines(right, sign)


def grid_table(doc, head: list[str], rows: list[list[str]], widths, *, size: int = 11):
    """A bordered table with a bold header row, every cell in `size` points."""
    table = doc.add_table(rows=1, cols=len(head))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, head, strict=True):
        cell_lines(cell, [(text, {"bold": True, "size": size})])
    for values in rows:
        for cell, text in zip(table.add_row().cells, values, strict=True):
            cell_lines(cell, [(text, {"size": size, "align": WD_ALIGN_PARAGRAPH.LEFT})])
    set_widths(table, widths)
    return table


def to_bytes(doc) -> bytes:
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
