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
