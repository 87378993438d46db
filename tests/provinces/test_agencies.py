import datetime as dt

from django.urls import reverse

from audit.models import AuditEvent
from provinces.models import Agency


def test_home_affairs_adds_a_merged_department_with_its_predecessors(client, province_admin, province, make_agency):
    planning = make_agency(province, "Sở Kế hoạch và Đầu tư", valid_to=dt.date(2025, 2, 28))
    finance_old = make_agency(province, "Sở Tài chính (cũ)", valid_to=dt.date(2025, 2, 28))
    client.force_login(province_admin)
    response = client.post(
        reverse("provinces:agency_create", args=[province.pk]),
        {
            "name": "Sở Tài chính",
            "kind": "department",
            "valid_from": "01/03/2025",
            "predecessors": [planning.pk, finance_old.pk],
        },
    )
    assert response.status_code == 302
    finance = Agency.objects.get(name="Sở Tài chính")
    assert finance.valid_from == dt.date(2025, 3, 1)
    assert set(finance.predecessors.all()) == {planning, finance_old}
    assert list(planning.successors.all()) == [finance]
    assert AuditEvent.objects.for_object(finance).exists()


def test_an_agency_with_predecessors_needs_a_start_date(client, province_admin, province, make_agency):
    planning = make_agency(province, "Sở Kế hoạch và Đầu tư")
    client.force_login(province_admin)
    response = client.post(
        reverse("provinces:agency_create", args=[province.pk]),
        {"name": "Sở Tài chính", "kind": "department", "predecessors": [planning.pk]},
    )
    assert response.status_code == 200
    assert "valid_from" in response.context["form"].errors


def test_a_stale_agency_form_does_not_overwrite_a_colleagues_change(client, province_admin, agency):
    client.force_login(province_admin)
    url = reverse("provinces:agency_edit", args=[agency.pk])
    version = agency.version
    client.post(url, {"name": "Sở Tư pháp", "short_name": "STP-GL", "kind": "department", "version": version})
    response = client.post(url, {"name": "Sở Tư pháp", "short_name": "XYZ", "kind": "department", "version": version})
    assert response.status_code == 409
    agency.refresh_from_db()
    assert agency.short_name == "STP-GL"


def test_agency_list_shows_current_agencies_of_the_users_province(client, viewer, agency, make_agency, province):
    make_agency(province, "Sở Giao thông vận tải", valid_to=dt.date(2025, 2, 28))
    client.force_login(viewer)
    body = client.get(reverse("provinces:agency_list")).content.decode()
    assert "Sở Tư pháp" in body
    assert "Sở Giao thông vận tải" not in body
    body_all = client.get(reverse("provinces:agency_list") + "?show=all").content.decode()
    assert "Sở Giao thông vận tải" in body_all


def test_agency_list_query_count_does_not_grow_with_agencies(
    client, viewer, province, make_agency, django_assert_num_queries
):
    for i in range(30):
        make_agency(province, f"Cơ quan {i}")
    client.force_login(viewer)
    client.get(reverse("provinces:agency_list"))  # warm the session
    # session, user, scope (units, agencies), province, count, page
    with django_assert_num_queries(7):
        assert client.get(reverse("provinces:agency_list")).status_code == 200
