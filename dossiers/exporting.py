"""The late-and-overdue list as .xlsx, streamed: any number of rows in flat memory.

Rows come off a server-side cursor (`iterator()` on PostgreSQL) as plain tuples and go straight
into an openpyxl write-only sheet, which spools them to a temporary file; neither side holds the
list. Layout as every other export (`dashboards.exporting`): a title, "Số liệu tính đến" in
Asia/Ho_Chi_Minh, a blank line, the headers, then real date and number cells, text neutralised
against formulas.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable

from django.utils import timezone
from django.utils.translation import gettext as _

from cchc_portal.lib.spreadsheets import neutralise
from cchc_portal.lib.workdays import first_of_month
from provinces.models import AdministrativeUnit

from .models import Dossier, Outcome

CHUNK_ROWS = 1000  # rows per fetch from the server-side cursor: the memory bound
PROGRESS_EVERY = 5000
DATETIME_FORMAT = "DD/MM/YYYY HH:MM"
DATE_FORMAT = "DD/MM/YYYY"

COLUMNS = (
    "receipt_number",
    "procedure__code",
    "procedure__name",
    "receiving_unit__name",
    "agency__name",
    "received_at",
    "due_date",
    "finished_at",
    "outcome",
)


def late_period(filters: dict) -> tuple[dt.date, dt.date]:
    """The list's months of receipt from the stored filters (YYYY-MM; the page's defaults when missing)."""
    from .models import default_period

    first, last = default_period()

    def month(text, default):
        try:
            return first_of_month(dt.date.fromisoformat(f"{str(text)[:7]}-01")) if text else default
        except ValueError:
            return default

    first, last = month(filters.get("from"), first), month(filters.get("to"), last)
    return (last, first) if last < first else (first, last)


def late_rows(user, filters: dict):
    """The late list the user may see with these filters (the province among them)."""
    first, last = late_period(filters)
    return Dossier.objects.for_user(user).late_list(int(filters["province"]), first, last, filters)


def write_late_xlsx(user, filters: dict, out_path: str, on_progress: Callable[[int], None] | None = None) -> int:
    """Write the user's late list with `filters` to `out_path`; returns the number of rows written.

    `filters["province"]` is the province id; the user's scope applies on top of every filter, so no
    filter widens it. `on_progress(rows_written)` is called every PROGRESS_EVERY rows (it may raise
    to stop the export)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    province = AdministrativeUnit.objects.get(pk=int(filters["province"]))
    first, last = late_period(filters)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Late and overdue")[:31])
    bold = Font(bold=True)
    for letter, width in zip("ABCDEFGHI", (22, 12, 48, 28, 32, 17, 12, 17, 14), strict=True):
        sheet.column_dimensions[letter].width = width

    def text_cell(value, font=None):
        cell = WriteOnlyCell(sheet, value=neutralise(str(value)))
        if font is not None:
            cell.font = font
        return cell

    title = _("Late and overdue dossiers: %(province)s, received %(first)s–%(last)s") % {
        "province": province.name,
        "first": f"{first:%m/%Y}",
        "last": f"{last:%m/%Y}",
    }
    sheet.append([text_cell(title, Font(bold=True, size=13))])
    moment = timezone.localtime()
    sheet.append([_("Data as of %(when)s") % {"when": moment.strftime("%d/%m/%Y %H:%M")}])
    sheet.append([])
    headers = (
        _("Receipt number"),
        _("Procedure code"),
        _("Procedure"),
        _("Receiving unit"),
        _("Agency"),
        _("Received at"),
        _("Due day"),
        _("Finished at"),
        _("Classification"),
    )
    sheet.append([text_cell(header, bold) for header in headers])
    # One cell object per date column, reused for every row: a write-only sheet serialises the
    # row at append, and a style set once is registered once (not once per row).
    received, due, finished = (WriteOnlyCell(sheet) for _column in range(3))
    received.number_format = finished.number_format = DATETIME_FORMAT
    due.number_format = DATE_FORMAT
    labels = {value: str(label) for value, label in Outcome.choices}
    tz = timezone.get_current_timezone()
    written = 0
    for number, code, name, unit, agency, received_at, due_date, finished_at, outcome in (
        late_rows(user, filters).values_list(*COLUMNS).iterator(chunk_size=CHUNK_ROWS)
    ):
        received.value = received_at.astimezone(tz).replace(tzinfo=None)
        due.value = due_date
        finished.value = finished_at.astimezone(tz).replace(tzinfo=None) if finished_at else None
        sheet.append(
            [
                neutralise(number),
                neutralise(code),
                neutralise(name),
                neutralise(unit),
                neutralise(agency or ""),
                received,
                due,
                finished,
                labels.get(outcome, outcome),
            ]
        )
        written += 1
        if on_progress is not None and written % PROGRESS_EVERY == 0:
            on_progress(written)
    directory = os.path.dirname(out_path)
    if directory:
        os.makedirs(directory, exist_ok=True)
    workbook.save(out_path)
    return written
