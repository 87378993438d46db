"""A user attached to a commune (not its province): that commune's rows only, the province's published
results read-only — on the pages, the API and the admin."""

import datetime as dt

import pytest
from django.urls import reverse

from cchc_portal.scoping import scope_for
from dossiers.models import Dossier
from tasks.models import Plan, Task, TaskStatus

ROLES = ["province_admin", "leader", "viewer"]


@pytest.fixture
def communes(province, make_commune):
    return make_commune(province, "21550", "Phường Quy Nhơn"), make_commune(province, "21551", "Phường Quy Nhơn Đông")


@pytest.fixture
def plans(province, communes, agency):
    result = {}
    for key, unit in (("province", province), ("mine", communes[0]), ("neighbour", communes[1])):
        plan = Plan.objects.create(unit=unit, year=2026, title=f"Kế hoạch CCHC 2026 {unit.name}")
        plan.ensure_default_areas()
        Task.objects.create(
            plan=plan,
            area=plan.areas.get(code="I"),
            number="1",
            order=1,
            title=f"Nhiệm vụ của {unit.name}",
            lead_agency=agency,
            status=TaskStatus.NOT_STARTED,
            deadline=dt.date(2026, 12, 31),
        )
        result[key] = plan
    return result


@pytest.fixture
def commune_user(make_user, communes):
    def make(role):
        return make_user(f"commune-{role}", role, units=[communes[0]], is_staff=role == "province_admin")

    return make


def test_a_commune_users_scope_does_not_include_the_whole_province(commune_user, province, communes):
    scope = scope_for(commune_user("viewer"))
    assert scope.province_ids == frozenset()
    assert scope.commune_ids == {communes[0].pk}
    assert scope.published_province_ids == {province.pk}


@pytest.mark.parametrize("role", ROLES)
def test_a_commune_user_reads_their_communes_plan_and_tasks_only(client, commune_user, role, plans):
    client.force_login(commune_user(role))
    assert client.get(reverse("tasks:plan_detail", args=[plans["mine"].pk])).status_code == 200
    for key in ("province", "neighbour"):
        assert client.get(reverse("tasks:plan_detail", args=[plans[key].pk])).status_code == 404, key
        task = plans[key].tasks.get()
        assert client.get(reverse("tasks:task_detail", args=[task.pk])).status_code == 404, key
    assert {p["id"] for p in client.get("/api/v1/plans/").json()["results"]} == {plans["mine"].pk}
    assert {t["id"] for t in client.get("/api/v1/tasks/").json()["results"]} == {plans["mine"].tasks.get().pk}


@pytest.mark.parametrize("role", ROLES)
def test_a_commune_user_reads_the_provinces_published_dashboard(client, commune_user, role, plans):
    client.force_login(commune_user(role))
    assert client.get(reverse("dashboards:leader")).status_code == 200


def test_a_commune_administrator_edits_their_communes_plan_but_not_the_provinces(client, commune_user, plans):
    client.force_login(commune_user("province_admin"))
    mine = plans["mine"]
    response = client.post(
        reverse("tasks:plan_edit", args=[mine.pk]),
        {"title": "Kế hoạch đã sửa", "year": 2026, "version": mine.version, "areas_text": ""},
    )
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.title == "Kế hoạch đã sửa"
    province_plan = plans["province"]
    response = client.post(
        reverse("tasks:plan_edit", args=[province_plan.pk]),
        {"title": "Sửa trộm", "year": 2026, "version": province_plan.version, "areas_text": ""},
    )
    assert response.status_code == 404
    province_plan.refresh_from_db()
    assert province_plan.title != "Sửa trộm"


def test_a_commune_user_sees_their_communes_dossiers_only(commune_user, communes, province):
    from dossiers.models import Procedure

    procedure = Procedure.objects.create(code="1.001193", name="Đăng ký khai sinh", level="commune", allowance_days=3)
    received = dt.datetime(2026, 6, 1, 8, tzinfo=dt.UTC)
    for number, commune in enumerate(communes):
        Dossier.objects.create(
            receipt_number=f"HS-{number}",
            procedure=procedure,
            receiving_unit=commune,
            province=province,
            procedure_level="commune",
            channel="online_full",
            status="in_progress",
            outcome="pending",
            received_month=dt.date(2026, 6, 1),
            received_at=received,
            due_at=received + dt.timedelta(days=3),
            due_date=dt.date(2026, 6, 4),
        )
    visible = Dossier.objects.for_user(commune_user("viewer"))
    assert list(visible.values_list("receipt_number", flat=True)) == ["HS-0"]


def test_in_the_admin_a_commune_administrator_lists_and_changes_their_communes_plan_only(
    client, commune_user, plans, province
):
    client.force_login(commune_user("province_admin"))
    listed = client.get(reverse("admin:tasks_plan_changelist")).context["cl"].result_list
    assert [p.pk for p in listed] == [plans["mine"].pk]
    mine = plans["mine"]
    url = reverse("admin:tasks_plan_change", args=[mine.pk])
    # Moving their plan up to the province (or to the neighbouring commune) is refused.
    for unit in (province.pk, plans["neighbour"].unit_id):
        response = client.post(url, {"unit": unit, "year": 2026, "title": mine.title, "areas-TOTAL_FORMS": "0",
                                     "areas-INITIAL_FORMS": "0", "areas-MIN_NUM_FORMS": "0", "areas-MAX_NUM_FORMS": "1000"})  # fmt: skip
        assert response.status_code == 200 and "unit" in response.context["adminform"].form.errors
    mine.refresh_from_db()
    assert mine.unit_id == plans["mine"].unit_id
    assert client.get(reverse("admin:tasks_plan_change", args=[plans["province"].pk])).status_code == 302


def test_a_commune_administrator_creates_their_communes_plan_not_the_provinces(
    client, commune_user, communes, province
):
    client.force_login(commune_user("province_admin"))
    assert "Kế hoạch mới" in client.get(reverse("tasks:plan_list")).content.decode()
    data = {"title": "Kế hoạch CCHC 2027", "year": 2027, "areas_text": ""}
    response = client.post(reverse("tasks:plan_create"), data)
    assert response.status_code == 302
    assert Plan.objects.get(year=2027).unit == communes[0]
    response = client.post(f"{reverse('tasks:plan_create')}?unit={province.pk}", {**data, "year": 2028})
    assert response.status_code == 403
    assert not Plan.objects.filter(year=2028).exists()
