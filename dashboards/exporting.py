"""Every dashboard table as .xlsx (openpyxl, write-only)."""

from __future__ import annotations

import io
from decimal import Decimal

from django.http import HttpResponse

from cchc_portal.lib.spreadsheets import neutralise as safe_cell


def neutralise(value):
    """A formula-safe cell; Decimals become floats so spreadsheets treat them as numbers."""
    if isinstance(value, Decimal):
        return float(value)
    return safe_cell(value)


def xlsx_bytes(title: str, headers: list[str], rows: list[list]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "".join(ch for ch in title if ch not in "[]:*?/\\")[:31] or "Sheet"
    sheet.append([neutralise(str(h)) for h in headers])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([neutralise(v) for v in row])
    for column in sheet.columns:
        width = max(len(str(c.value or "")) for c in column)
        sheet.column_dimensions[column[0].column_letter].width = min(max(width + 2, 8), 60)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def xlsx_response(filename: str, title: str, headers: list[str], rows: list[list]) -> HttpResponse:
    response = HttpResponse(
        xlsx_bytes(title, headers, rows),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in filename)
    response["Content-Disposition"] = f'attachment; filename="{safe}.xlsx"'
    return response
