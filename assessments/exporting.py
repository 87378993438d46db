"""Exports: a unit's scoring sheet and the results annex, as .docx (Decree 30/2020 layout) and .xlsx.

Internal notes are never exported. The .docx helper is small and self-contained on purpose
(python-docx: a maintained library for Word files); the reporting app may later share one.
"""

from __future__ import annotations

import io
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc_portal.lib.spreadsheets import neutralise

from .models import Assessment, Round, Score, fmt_points

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _percent(value: Decimal | None) -> str:
    return "–" if value is None else f"{value:.2f}".replace(".", ",") + "%"


def _document(issuer: str, title: str, place: str, *, landscape: bool = False):
    """A4, Times New Roman 13, margins 20/20/30/15 mm, issuer top left and national motto top right."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = (Mm(297), Mm(210)) if landscape else (Mm(210), Mm(297))
    if landscape:
        from docx.enum.section import WD_ORIENT

        section.orientation = WD_ORIENT.LANDSCAPE
    section.top_margin = section.bottom_margin = Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    style = document.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(13)
    head = document.add_table(rows=1, cols=2)
    _widths(head, [6.5, 10.0] if not landscape else [9.0, 16.2])
    left, right = head.rows[0].cells
    left.paragraphs[0].add_run(issuer.upper()).bold = True
    right.paragraphs[0].add_run("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM").bold = True
    right.paragraphs[0].add_run().add_break()
    right.paragraphs[0].add_run("Độc lập - Tự do - Hạnh phúc").bold = True
    for cell in (left, right):
        for paragraph in cell.paragraphs:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    today = timezone.localdate()
    dated = document.add_paragraph()
    dated.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    dated.add_run(f"{place}, ngày {today.day:02d} tháng {today.month:02d} năm {today.year}").italic = True
    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    heading.add_run(title.upper()).bold = True
    return document


SHEET_WIDTHS_CM = [1.1, 7.2, 1.6, 1.6, 1.8, 3.2]  # 16.5 cm: A4 less the 30 + 15 mm margins
# The results annex is landscape (25.2 cm between the margins): eleven columns.
RESULTS_WIDTHS_CM = [1.4, 5.6, 1.8, 1.8, 1.8, 1.8, 1.8, 1.8, 2.4, 2.0, 2.4]


def _widths(table, widths_cm: list[float]) -> None:
    from docx.shared import Cm

    table.autofit = False
    for column, width in zip(table.columns, widths_cm, strict=True):
        column.width = Cm(width)  # the grid LibreOffice reads; Word reads the cells'
    for row in table.rows:
        for cell, width in zip(row.cells, widths_cm, strict=True):
            cell.width = Cm(width)


def _table(document, header: list[str], rows: list[list[str]], widths_cm: list[float] | None = None):
    from docx.shared import Pt

    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(text).bold = True
    for values in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, values, strict=True):
            cell.text = text
    for row in table.rows:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(11)
    if widths_cm:
        _widths(table, widths_cm)
    return table


def _response(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _place(round_: Round) -> str:
    return round_.methodology.province.short_name


def _sheet_rows(scores: list[Score], show_appraisal: bool) -> list[list[str]]:
    rows = []
    for number, score in enumerate(scores, start=1):
        if not score.applicable:
            self_text, appraised, note = "KAD", "KAD", _("Not applicable")
        else:
            self_text = fmt_points(score.survey_score if score.by_survey else score.self_score)
            appraised = fmt_points(score.appraised_score) if show_appraisal and not score.by_survey else "–"
            note = " ".join(filter(None, [score.self_note, score.appraisal_note if show_appraisal else ""]))
        rows.append(
            [
                str(number),
                f"{score.criterion.code} {score.criterion.name}",
                fmt_points(score.max_points),
                self_text,
                appraised,
                note,
            ]
        )
    return rows


def sheet_header() -> list[str]:
    return [_("No."), _("Criterion"), _("Maximum"), _("Self-score"), _("Appraised"), _("Note")]


def sheet_docx(assessment: Assessment, scores: list[Score], show_appraisal: bool) -> HttpResponse:
    round_ = assessment.round
    document = _document(
        assessment.subject_name,
        _("Self-assessment scoring sheet %(year)s") % {"year": round_.methodology.year},
        _place(round_),
    )
    document.add_paragraph(str(round_.methodology))
    _table(document, sheet_header(), _sheet_rows(scores, show_appraisal), SHEET_WIDTHS_CM)
    signature = document.add_paragraph()
    signature.add_run("\n" + _("HEAD OF THE UNIT")).bold = True
    out = io.BytesIO()
    document.save(out)
    return _response(out.getvalue(), DOCX, f"cham-diem-{assessment.pk}.docx")


def sheet_xlsx(assessment: Assessment, scores: list[Score], show_appraisal: bool) -> HttpResponse:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Scoring sheet")[:31])
    sheet.append([neutralise(assessment.subject_name)])
    sheet.append(sheet_header())
    for row in _sheet_rows(scores, show_appraisal):
        sheet.append([neutralise(v) for v in row])
    out = io.BytesIO()
    workbook.save(out)
    return _response(out.getvalue(), XLSX, f"cham-diem-{assessment.pk}.xlsx")


def results_header() -> list[str]:
    return [
        _("Rank"),
        _("Unit"),
        _("Self-score"),
        _("Appraised"),
        _("Survey"),
        _("Bonus"),
        _("Penalty"),
        _("Total"),
        _("Own maximum"),
        _("Percent"),
        _("Classification"),
    ]


def _results_rows(rows: list[dict]) -> list[list[str]]:
    return [
        [
            str(r["rank"]),
            r["name"],
            fmt_points(r["self_points"]),
            fmt_points(r["appraised_points"]),
            fmt_points(r["survey_points"]),
            fmt_points(r["bonus"]),
            fmt_points(r["penalty"]),
            fmt_points(r["total"]),
            fmt_points(r["own_max"]),
            _percent(r["percent"]),
            (r["band"] or {}).get("label", ""),
        ]
        for r in rows
    ]


def results_docx(round_: Round, rows: list[dict]) -> HttpResponse:
    methodology = round_.methodology
    document = _document(
        f"Ủy ban nhân dân {methodology.province.name}",
        _("Results of the CCHC index %(year)s") % {"year": methodology.year},
        _place(round_),
        landscape=True,
    )
    if round_.decision_number:
        document.add_paragraph(
            _("(Annex to Decision %(number)s of %(date)s)")
            % {"number": round_.decision_number, "date": round_.decision_date.strftime("%d/%m/%Y")}
        )
    document.add_paragraph(str(methodology))
    _table(document, results_header(), _results_rows(rows), RESULTS_WIDTHS_CM)
    out = io.BytesIO()
    document.save(out)
    return _response(out.getvalue(), DOCX, f"ket-qua-{methodology.year}.docx")


def results_xlsx(round_: Round, rows: list[dict]) -> HttpResponse:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(str(round_.methodology.year))
    sheet.append(results_header())
    for r in rows:
        sheet.append(
            [
                r["rank"],
                neutralise(r["name"]),
                *(
                    float(r[k]) if r[k] is not None else None
                    for k in (
                        "self_points",
                        "appraised_points",
                        "survey_points",
                        "bonus",
                        "penalty",
                        "total",
                        "own_max",
                        "percent",
                    )
                ),
                neutralise((r["band"] or {}).get("label", "")),
            ]
        )
    out = io.BytesIO()
    workbook.save(out)
    return _response(out.getvalue(), XLSX, f"ket-qua-{round_.methodology.year}.xlsx")
