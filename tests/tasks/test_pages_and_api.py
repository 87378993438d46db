import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AuditEvent
from tasks.figures import plan_figures_compute
from tasks.models import ProgressUpdate, TaskStatus

from .conftest import pdf_bytes

ROLES = ["national_admin", "province_admin", "agency_officer", "leader", "viewer"]


@pytest.fixture
def filled_plan(plan, make_task, agency, home_affairs):
    for i in range(34):
        make_task(
            agency if i % 2 else home_affairs,
            area_code=["I", "II", "VII"][i % 3],
            status=TaskStatus.COMPLETED if i < 26 else TaskStatus.IN_PROGRESS,
            deadline=dt.date(2026, 12, 31),
        )
    plan_figures_compute(plan.pk)
    return plan


@pytest.mark.parametrize("role", ROLES)
def test_every_role_of_the_province_reads_plan_pages(client, users_by_role, role, filled_plan):
    client.force_login(users_by_role[role])
    for name in ("tasks:plan_list",):
        assert client.get(reverse(name)).status_code == 200
    response = client.get(filled_plan.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "76,47%" in html
    assert "26 hoàn thành, 8 đang thực hiện" in html
    assert client.get(reverse("tasks:plan_history", args=[filled_plan.pk])).status_code == 200
    edit = client.get(reverse("tasks:plan_edit", args=[filled_plan.pk])).status_code
    assert edit == (200 if role in ("national_admin", "province_admin") else 403)


def test_another_province_sees_nothing(client, outsider, filled_plan):
    client.force_login(outsider)
    assert client.get(filled_plan.get_absolute_url()).status_code == 404
    task = filled_plan.tasks.first()
    assert client.get(task.get_absolute_url()).status_code == 404
    assert client.get(reverse("tasks:plan_export", args=[filled_plan.pk])).status_code == 404
    assert filled_plan.title not in client.get(reverse("tasks:plan_list")).content.decode()
    assert client.get("/api/v1/plans/").json()["count"] == 0
    assert client.get(f"/api/v1/tasks/{task.pk}/").status_code == 404


def test_plan_pages_run_a_fixed_number_of_queries(
    client, province_admin, agency_officer, filled_plan, django_assert_num_queries
):
    client.force_login(province_admin)
    # session, user, scope (2), plan+figures, areas, tasks, agencies for the filter
    with django_assert_num_queries(8):
        response = client.get(filled_plan.get_absolute_url())
    assert response.context["task_count"] == 34
    with django_assert_num_queries(7):
        client.get(reverse("tasks:plan_list"))
    client.force_login(agency_officer)
    # session, user, scope (2), led, coordinated, agencies, areas
    with django_assert_num_queries(8):
        response = client.get(reverse("tasks:my_tasks"), {"year": 2026})
    assert len(response.context["led"]) == 17


def test_plan_page_filters_by_status_area_and_agency(client, leader, filled_plan, agency):
    client.force_login(leader)
    response = client.get(filled_plan.get_absolute_url(), {"status": "in_progress"})
    assert response.context["task_count"] == 8
    area = filled_plan.areas.get(code="II")
    response = client.get(filled_plan.get_absolute_url(), {"area": area.pk, "agency": agency.pk})
    assert {t.area_id for g in response.context["groups"] for t in g["tasks"]} == {area.pk}
    assert all(t.lead_agency_id == agency.pk for g in response.context["groups"] for t in g["tasks"])


def test_plans_api_gives_stored_figures_with_a_numeric_rate(client, leader, filled_plan):
    client.force_login(leader)
    data = client.get("/api/v1/plans/").json()
    assert data["count"] == 1
    figures = data["results"][0]["figures"]
    assert {k: figures[k] for k in ["total", "completed", "completed_late", "in_progress", "ongoing", "not_started",
                                    "overdue", "completion_rate"]} == {  # fmt: skip
        "total": 34, "completed": 26, "completed_late": 0, "in_progress": 8, "ongoing": 0, "not_started": 0,
        "overdue": 0, "completion_rate": 76.47,
    }  # fmt: skip


def test_tasks_api_filters_by_plan_agency_status_and_overdue(client, leader, plan, make_task, agency, home_affairs):
    late = make_task(agency, status=TaskStatus.IN_PROGRESS, deadline=dt.date(2026, 1, 31))
    make_task(agency, status=TaskStatus.COMPLETED, deadline=dt.date(2026, 1, 31))
    other = make_task(home_affairs, status=TaskStatus.IN_PROGRESS, deadline=dt.date(2099, 1, 31))
    client.force_login(leader)

    def ids(**params):
        return {row["id"] for row in client.get("/api/v1/tasks/", params).json()["results"]}

    assert ids(plan=plan.pk) == {late.pk, other.pk, late.pk + 1}
    assert ids(agency=home_affairs.pk) == {other.pk}
    assert ids(status="in_progress") == {late.pk, other.pk}
    assert ids(overdue="true") == {late.pk}


def test_progress_api_creates_an_update_for_the_lead_agency_only(
    client, agency_officer, make_task, agency, home_affairs
):
    mine = make_task(agency)
    theirs = make_task(home_affairs)
    client.force_login(agency_officer)
    url = f"/api/v1/tasks/{mine.pk}/progress/"
    response = client.post(url, {"version": 0, "status": "in_progress", "percent": 50, "note": "API"},
                           content_type="application/json")  # fmt: skip
    assert response.status_code == 201, response.content
    assert response.json()["period"] in {"q1", "h1", "m9", "year"}
    stale = client.post(url, {"version": 0, "status": "completed"}, content_type="application/json")
    assert stale.status_code == 409 and stale.json()["current"]["percent"] == 50
    denied = client.post(f"/api/v1/tasks/{theirs.pk}/progress/", {"version": 0, "status": "completed"},
                         content_type="application/json")  # fmt: skip
    assert denied.status_code == 404
    upload = client.post(url, {"version": 1, "status": "in_progress", "note": "tệp", "files": [
        SimpleUploadedFile("bc.pdf", pdf_bytes())]})  # fmt: skip
    assert upload.status_code == 201 and upload.json()["files"][0]["name"] == "bc.pdf"
    assert ProgressUpdate.objects.filter(task=mine).count() == 2
    listed = client.get("/api/v1/progress-updates/", {"task": mine.pk}).json()
    assert listed["count"] == 2


def test_api_progress_is_refused_to_leaders(client, leader, task):
    client.force_login(leader)
    response = client.post(f"/api/v1/tasks/{task.pk}/progress/", {"version": 0, "status": "completed"},
                           content_type="application/json")  # fmt: skip
    assert response.status_code == 404


def test_province_admin_creates_a_plan_with_default_areas(client, province_admin, province):
    client.force_login(province_admin)
    response = client.post(reverse("tasks:plan_create"), {
        "unit": province.pk, "title": "Kế hoạch CCHC năm 2027", "year": 2027, "decision_number": "01/QĐ-UBND",
        "decision_date": "05/01/2027", "areas_text": "",
    })  # fmt: skip
    assert response.status_code == 302
    plan = province.reform_plans.get(year=2027)
    assert plan.decision_date == dt.date(2027, 1, 5)
    assert [a.code for a in plan.areas.all()] == ["I", "II", "III", "IV", "V", "VI", "VII", "VIII"]
    assert plan.areas.get(code="VIII").name == "Thông tin, tuyên truyền"


def test_officer_home_is_my_tasks(client, agency_officer, task):
    client.force_login(agency_officer)
    response = client.get(reverse("tasks:my_tasks"))
    assert response.status_code == 200
    assert "Nhiệm vụ của tôi" in response.content.decode()


def test_home_affairs_adds_and_edits_a_task_with_criteria_and_a_conflict_is_refused(
    client, province_admin, national_admin, plan, agency, home_affairs
):
    client.force_login(province_admin)
    area = plan.areas.get(code="II")
    data = {"area": area.pk, "number": "1", "title": "Công bố TTHC", "lead_agency": agency.pk,
            "coordinating_agencies": [home_affairs.pk], "deadline": "30/06/2026", "criteria_text": "PAR 2.1, sipas"}  # fmt: skip
    response = client.post(reverse("tasks:task_create", args=[plan.pk]), data)
    assert response.status_code == 302
    task = plan.tasks.get()
    assert task.deadline == dt.date(2026, 6, 30)
    assert sorted(task.criteria.values_list("index_code", "component_code")) == [("PAR", "2.1"), ("SIPAS", "")]
    edit_url = reverse("tasks:task_edit", args=[task.pk])
    assert client.post(edit_url, {**data, "version": 0, "title": "Công bố, công khai TTHC"}).status_code == 302
    other = client.__class__()
    other.force_login(national_admin)
    stale = other.post(edit_url, {**data, "version": 0, "title": "Ghi đè"})
    assert stale.status_code == 409
    task.refresh_from_db()
    assert task.title == "Công bố, công khai TTHC"
    event = AuditEvent.objects.for_object(task).filter(action="update").get()
    assert event.changes["title"] == ["Công bố TTHC", "Công bố, công khai TTHC"]


def test_officers_cannot_edit_task_definitions(client, agency_officer, task):
    client.force_login(agency_officer)
    assert client.get(reverse("tasks:task_edit", args=[task.pk])).status_code == 403


def test_a_plan_with_tasks_can_be_deleted_but_an_area_in_use_cannot(plan, task):
    from django.db.models import RestrictedError

    with pytest.raises(RestrictedError):
        task.area.delete()
    plan.delete()
    assert not type(task).objects.exists()
