"""Export of a plan with its progress to .xlsx (cells neutralised against formula injection)."""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from cchc_portal.lib.spreadsheets import neutralise

from .models import Plan, ProgressUpdate


def plan_export_xlsx(plan: Plan) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    tasks = list(
        plan.tasks.select_related("area", "lead_agency")
        .prefetch_related("coordinating_agencies")
        .order_by("area__order", "order", "id")
    )
    latest: dict[int, ProgressUpdate] = {}
    for update in ProgressUpdate.objects.filter(task__plan=plan).exclude(note="").order_by("created_at", "id"):
        latest[update.task_id] = update
    workbook = Workbook(write_only=False)
    sheet = workbook.active
    sheet.title = str(plan.year)
    sheet.append([neutralise(plan.title)])
    sheet["A1"].font = Font(bold=True, size=13)
    if plan.decision_number:
        sheet.append(
            [
                neutralise(
                    f"{plan.decision_number} " + (plan.decision_date.strftime("%d/%m/%Y") if plan.decision_date else "")
                )
            ]
        )
    sheet.append([_("Data as of %(when)s") % {"when": timezone.localtime().strftime("%d/%m/%Y %H:%M")}])
    headers = [
        "STT", "Nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian hoàn thành", "Sản phẩm",
        "Tình trạng", "Quá hạn", "Ngày hoàn thành", "Tỷ lệ %", "Kết quả thực hiện (ghi chú gần nhất)", "Kỳ báo cáo",
    ]  # fmt: skip
    sheet.append([])
    sheet.append(headers)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    current_area = None
    for task in tasks:
        if task.area_id != current_area:
            current_area = task.area_id
            sheet.append([task.area.code, neutralise(task.area.name.upper())])
            sheet.cell(sheet.max_row, 2).font = Font(bold=True)
        note = latest.get(task.pk)
        coordinating = ", ".join(a.name for a in task.coordinating_agencies.all())
        if task.coordinating_note:
            coordinating = f"{coordinating}; {task.coordinating_note}" if coordinating else task.coordinating_note
        sheet.append(
            [
                neutralise(task.number),
                neutralise(task.title),
                neutralise(task.lead_agency.name),
                neutralise(coordinating),
                neutralise(task.deadline_display if task.recurring or not task.deadline else task.deadline),
                neutralise(task.expected_output),
                task.get_status_display(),
                _("Yes") if task.overdue else "",
                task.completion_date,
                task.percent,
                neutralise(note.note if note else ""),
                note.period_label if note else "",
            ]
        )
        row = sheet.max_row
        for col in (5, 9):
            if sheet.cell(row, col).value and not isinstance(sheet.cell(row, col).value, str):
                sheet.cell(row, col).number_format = "DD/MM/YYYY"
    for column, width in zip("ABCDEFGHIJKL", [7, 60, 28, 28, 16, 30, 16, 9, 14, 8, 50, 14], strict=True):
        sheet.column_dimensions[column].width = width
    for row in sheet.iter_rows(min_row=4):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    figures = getattr(plan, "figures", None)
    if figures is not None:
        summary = workbook.create_sheet(_("Figures"))
        summary.append([str(capfirst(_("data as of"))), timezone.localtime(figures.computed_at).replace(tzinfo=None)])
        summary["B1"].number_format = "DD/MM/YYYY HH:MM"
        keys = ["total", "completed", "completed_late", "in_progress", "ongoing", "not_started", "overdue"]
        for key in [*keys, "completion_rate"]:
            value = getattr(figures, key)
            summary.append(
                [
                    str(capfirst(figures._meta.get_field(key).verbose_name)),
                    float(value) if key == "completion_rate" and value is not None else value,
                ]
            )
            summary.cell(summary.max_row, 2).number_format = "#,##0.00" if key == "completion_rate" else "#,##0"
        summary.column_dimensions["A"].width = 28
        summary.column_dimensions["B"].width = 18
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
