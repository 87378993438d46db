"""The "Việc cần làm" page and its count."""

import datetime as dt

from django.urls import reverse

from dashboards.todo import todo_count, todo_lists

from .conftest import submit


def test_an_officer_has_their_report_to_write_and_a_reviewer_the_submitted_ones(
    rnd, dept_report, commune_report, agency_officer, commune_officer, province_admin, leader
):
    assert [r.pk for r in todo_lists(agency_officer)["to_write"]] == [dept_report.pk]
    assert todo_lists(province_admin)["to_review"] == []
    submit(dept_report, agency_officer)
    assert todo_lists(agency_officer)["to_write"] == []
    assert [r.pk for r in todo_lists(province_admin)["to_review"]] == [dept_report.pk]
    dept_report.apply("return", user=province_admin, expected_version=dept_report.version, reason="Bổ sung")
    assert [r.pk for r in todo_lists(agency_officer)["to_write"]] == [dept_report.pk]
    assert todo_count(leader) == 0


def test_tasks_overdue_or_due_within_seven_days_are_listed(agency_officer, agency, province):
    from tasks.models import Plan, Task

    plan = Plan.objects.create(unit=province, year=2026, title="KH")
    plan.ensure_default_areas()
    area = plan.areas.first()
    on = dt.date(2026, 6, 10)
    for n, deadline in enumerate([on - dt.timedelta(days=1), on + dt.timedelta(days=7), on + dt.timedelta(days=8)]):
        Task.objects.create(plan=plan, area=area, number=str(n), title=f"NV {n}", lead_agency=agency, deadline=deadline)
    assert [t.number for t in todo_lists(agency_officer, on=on)["tasks"]] == ["0", "1"]


def test_the_page_and_the_navigation_count(client, rnd, dept_report, agency_officer):
    client.force_login(agency_officer)
    page = client.get(reverse("dashboards:todo")).content.decode()
    assert dept_report.agency.name in page and "Báo cáo cần viết hoặc sửa" in page
    assert client.get(reverse("dashboards:todo_count")).content == b"1"
    assert 'hx-get="/dashboard/todo/count"' in client.get(reverse("reports:rounds")).content.decode()
