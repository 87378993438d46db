"""Exports: a unit's scoring sheet and the results annex, as .docx (Decree 30/2020 layout) and .xlsx.

Internal notes are never exported. The .docx layout is `cchc_portal.lib.decree30`'s, shared with the reports.
"""

from __future__ import annotations

import io
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc_portal.lib import decree30
from cchc_portal.lib.spreadsheets import neutralise

from .models import Assessment, Round, Score, fmt_points

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _percent(value: Decimal | None) -> str:
    return "–" if value is None else f"{value:.2f}".replace(".", ",") + "%"


def _document(issuer_lines: list[str], title: str, place: str, year: int, *, landscape: bool = False):
    """The Decree 30/2020 layout shared with the reports: A4, Times New Roman 13, header block, title."""
    document = decree30.document(landscape=landscape, font_size=13)
    decree30.header(document, issuer_lines, "", decree30.date_line(place, timezone.localdate(), year))
    decree30.title(document, title.upper())
    return document


SHEET_WIDTHS_CM = [1.1, 7.2, 1.6, 1.6, 1.8, 3.2]  # 16.5 cm: A4 less the 30 + 15 mm margins
# The results annex is landscape (25.2 cm between the margins): eleven columns.
RESULTS_WIDTHS_CM = [1.4, 5.6, 1.8, 1.8, 1.8, 1.8, 1.8, 1.8, 2.4, 2.0, 2.4]


def _cm(widths: list[float]) -> list:
    from docx.shared import Cm

    return [Cm(width) for width in widths]


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
        [assessment.subject_name.upper()],
        _("Self-assessment scoring sheet %(year)s") % {"year": round_.methodology.year},
        _place(round_),
        round_.methodology.year,
    )
    document.add_paragraph(str(round_.methodology))
    decree30.grid_table(document, sheet_header(), _sheet_rows(scores, show_appraisal), _cm(SHEET_WIDTHS_CM))
    decree30.signature(document, None, _("HEAD OF THE UNIT"), "", "")
    return _response(decree30.to_bytes(document), decree30.DOCX_TYPE, f"cham-diem-{assessment.pk}.docx")


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
        ["ỦY BAN NHÂN DÂN", methodology.province.name.upper()],
        _("Results of the CCHC index %(year)s") % {"year": methodology.year},
        _place(round_),
        methodology.year,
        landscape=True,
    )
    if round_.decision_number:
        document.add_paragraph(
            _("(Annex to Decision %(number)s of %(date)s)")
            % {"number": round_.decision_number, "date": round_.decision_date.strftime("%d/%m/%Y")}
        )
    document.add_paragraph(str(methodology))
    decree30.grid_table(document, results_header(), _results_rows(rows), _cm(RESULTS_WIDTHS_CM))
    return _response(decree30.to_bytes(document), decree30.DOCX_TYPE, f"ket-qua-{methodology.year}.docx")


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
