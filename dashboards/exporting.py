"""Every dashboard table as .xlsx: a title, the "as of" time in the portal's time zone, then the table.

Numbers and dates are real cells (so they sort and sum), shown with grouping and dd/mm/yyyy.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc_portal.lib.spreadsheets import neutralise as safe_cell

HEADER_ROW = 4  # title, as-of line, a blank line, then the headers


def neutralise(value):
    """A formula-safe cell; Decimals become floats and aware datetimes local ones, so they stay real cells."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)
    return safe_cell(value)


def _number_format(value) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, dt.datetime):
        return "DD/MM/YYYY HH:MM"
    if isinstance(value, dt.date):
        return "DD/MM/YYYY"
    if isinstance(value, int):
        return "#,##0"
    if isinstance(value, float):
        return "#,##0.00"
    return None


def xlsx_bytes(title: str, headers: list[str], rows: list[list], *, as_of: dt.datetime | None = None) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "".join(ch for ch in str(title) if ch not in "[]:*?/\\")[:31] or "Sheet"
    moment = timezone.localtime(as_of or timezone.now())
    sheet.append([neutralise(str(title))])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([_("Data as of %(when)s") % {"when": moment.strftime("%d/%m/%Y %H:%M")}])
    sheet.append([])
    sheet.append([neutralise(str(h)) for h in headers])
    for cell in sheet[HEADER_ROW]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([neutralise(v) for v in row])
        for cell in sheet[sheet.max_row]:
            number_format = _number_format(cell.value)
            if number_format:
                cell.number_format = number_format
    sheet.freeze_panes = sheet.cell(HEADER_ROW + 1, 1)
    for column in sheet.iter_cols(min_row=HEADER_ROW):
        width = max(len(str(c.value or "")) for c in column)
        sheet.column_dimensions[column[0].column_letter].width = min(max(width + 2, 8), 60)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def xlsx_response(filename: str, title: str, headers: list[str], rows: list[list], **kwargs) -> HttpResponse:
    response = HttpResponse(
        xlsx_bytes(title, headers, rows, **kwargs),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in filename)
    response["Content-Disposition"] = f'attachment; filename="{safe}.xlsx"'
    return response
