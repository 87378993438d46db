import io

from django.urls import reverse
from openpyxl import load_workbook

from cchc_portal.lib.spreadsheets import neutralise
from tasks.figures import plan_figures_compute
from tasks.models import ProgressUpdate, TaskStatus


def test_dangerous_cells_are_neutralised():
    assert [neutralise(v) for v in ["=1+1", "+84", "-x", "@SUM(A1)", "\tx", "ok", 5]] == [
        "'=1+1", "'+84", "'-x", "'@SUM(A1)", "'\tx", "ok", 5
    ]  # fmt: skip


def test_plan_exports_to_xlsx_with_progress(client, leader, plan, make_task, agency):
    task = make_task(agency, status=TaskStatus.IN_PROGRESS, title='=HYPERLINK("http://evil")')
    ProgressUpdate.objects.create(task=task, status=TaskStatus.IN_PROGRESS, note="@cmd ghi chú")
    plan_figures_compute(plan.pk)
    client.force_login(leader)
    response = client.get(reverse("tasks:plan_export", args=[plan.pk]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    values = [cell for row in sheet.iter_rows(values_only=True) for cell in row if isinstance(cell, str)]
    assert '\'=HYPERLINK("http://evil")' in values
    assert "'@cmd ghi chú" in values
    assert "Đang thực hiện" in values


def test_the_plan_export_has_local_time_vietnamese_labels_and_real_number_cells(
    client, leader, plan, make_task, agency
):
    from tasks.figures import plan_figures_compute

    make_task(agency, title="Nhiệm vụ A")
    plan_figures_compute(plan.pk)
    client.force_login(leader)
    response = client.get(reverse("tasks:plan_export", args=[plan.pk]))
    book = load_workbook(io.BytesIO(response.content))
    tasks_sheet, figures_sheet = book.worksheets
    as_of = [c for row in tasks_sheet.iter_rows(max_row=3, values_only=True) for c in row if c]
    assert any(str(c).startswith("Số liệu tính đến ") for c in as_of)
    labels = [row[0] for row in figures_sheet.iter_rows(values_only=True)]
    assert "Hoàn thành muộn" in labels and "completed_late" not in labels
    computed = figures_sheet["B1"].value
    plan.figures.refresh_from_db()
    from django.utils import timezone

    assert computed == timezone.localtime(plan.figures.computed_at).replace(
        tzinfo=None, microsecond=computed.microsecond
    )
    assert isinstance(figures_sheet["B2"].value, int)
