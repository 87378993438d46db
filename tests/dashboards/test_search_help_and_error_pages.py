"""The header search finds tasks, plans, agencies and units without diacritics or case; error pages speak Vietnamese."""

import pytest
from django.test import override_settings
from django.urls import reverse

from tasks.models import Plan, Task


@pytest.fixture
def searchable(province, agency, make_agency):
    from tasks.models import TaskStatus

    plan = Plan.objects.create(unit=province, year=2026, title="Kế hoạch CCHC năm 2026")
    plan.ensure_default_areas()
    area = plan.areas.get(code="I")
    task = Task.objects.create(
        plan=plan, area=area, number="1", title="Rà soát văn bản quy phạm PHÁP LUẬT", lead_agency=agency,
        deadline="2026-12-31", status=TaskStatus.NOT_STARTED,
    )  # fmt: skip
    return task


@pytest.mark.parametrize("query", ["phap luat", "PHÁP LUẬT", "pháp luật", "Phap Luat"])
def test_the_same_task_is_found_with_or_without_diacritics_and_capitals(client, province_admin, searchable, query):
    client.force_login(province_admin)
    response = client.get(reverse("search"), {"q": query})
    assert response.status_code == 200
    tasks = dict(response.context["groups"])["Nhiệm vụ"]
    assert tasks == [searchable]


def test_search_never_shows_what_the_user_may_not_see(client, outsider, searchable):
    client.force_login(outsider)
    response = client.get(reverse("search"), {"q": "phap luat"})
    assert response.context["found"] == 0


def test_the_task_list_filter_folds_too(client, province_admin, searchable):
    client.force_login(province_admin)
    response = client.get(searchable.plan.get_absolute_url(), {"q": "PHAP LUAT"})
    assert "Rà soát văn bản" in response.content.decode()


def test_each_role_has_a_help_page_that_explains_the_papi_codes(client, agency_officer):
    client.force_login(agency_officer)
    page = client.get(reverse("help")).content.decode()
    assert "Nhiệm vụ của tôi" in page and "D8 — Quản trị điện tử" in page


@override_settings(DEBUG=False)
def test_a_missing_page_is_a_vietnamese_404_in_the_portal_layout(client, viewer):
    client.force_login(viewer)
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Không tìm thấy trang" in body and 'class="topbar"' in body and "favicon.svg" in body


@override_settings(DEBUG=False)
def test_a_forbidden_page_is_a_vietnamese_403(client, agency_officer, province):
    client.force_login(agency_officer)
    response = client.get(reverse("provinces:agency_create", args=[province.pk]))
    assert response.status_code == 403
    assert "Bạn không có quyền xem trang này" in response.content.decode()


def test_the_500_page_renders_without_a_request(db):
    from django.template import loader
    from django.utils import translation

    with translation.override("vi"):
        body = loader.get_template("500.html").render()
    assert "Hệ thống gặp sự cố" in body


def test_the_favicon_is_served_at_the_address_browsers_ask_for(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith(".svg")
