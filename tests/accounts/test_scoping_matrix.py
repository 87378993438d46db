"""Every role × own unit × another unit, for every page and API of the foundation."""

import pytest
from django.urls import reverse

from provinces.models import SteeringCommittee

ROLES = ["national_admin", "province_admin", "agency_officer", "leader", "viewer"]


@pytest.fixture
def committees(province, other_province):
    return (
        SteeringCommittee.objects.create(province=province, name="BCĐ CCHC tỉnh Gia Lai"),
        SteeringCommittee.objects.create(province=other_province, name="BCĐ CCHC tỉnh Khánh Hòa"),
    )


def pages(agency, committee):
    return [
        reverse("provinces:agency_detail", args=[agency.pk]),
        reverse("provinces:committee_detail", args=[committee.pk]),
        reverse("provinces:committee_history", args=[committee.pk]),
        f"/api/v1/agencies/{agency.pk}/",
        f"/api/v1/steering-committees/{committee.pk}/",
    ]


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_its_own_provinces_agencies_and_committee(client, users_by_role, role, agency, committees):
    client.force_login(users_by_role[role])
    for url in pages(agency, committees[0]):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("role", ["province_admin", "agency_officer", "leader", "viewer"])
def test_no_role_but_national_admin_finds_another_provinces_rows(client, users_by_role, role, other_agency, committees):
    client.force_login(users_by_role[role])
    for url in pages(other_agency, committees[1]):
        assert client.get(url).status_code == 404, url


def test_national_admin_reads_every_province(client, national_admin, other_agency, committees):
    client.force_login(national_admin)
    for url in pages(other_agency, committees[1]):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("role", ROLES)
def test_api_lists_only_rows_in_scope(client, users_by_role, role, agency, other_agency, committees):
    client.force_login(users_by_role[role])
    agencies = {row["id"] for row in client.get("/api/v1/agencies/").json()["results"]}
    committee_ids = {row["id"] for row in client.get("/api/v1/steering-committees/").json()["results"]}
    if role == "national_admin":
        assert agencies == {agency.pk, other_agency.pk}
        assert committee_ids == {c.pk for c in committees}
    else:
        assert agencies == {agency.pk}
        assert committee_ids == {committees[0].pk}


@pytest.mark.parametrize(
    "role,allowed",
    [
        ("national_admin", True),
        ("province_admin", True),
        ("agency_officer", False),
        ("leader", False),
        ("viewer", False),
    ],
)
def test_only_home_affairs_staff_edit_their_provinces_agencies(client, users_by_role, role, allowed, agency):
    client.force_login(users_by_role[role])
    response = client.post(
        reverse("provinces:agency_edit", args=[agency.pk]),
        {"name": "Sở Tư pháp tỉnh Gia Lai", "kind": "department", "version": agency.version},
    )
    assert response.status_code == (302 if allowed else 403)
    agency.refresh_from_db()
    assert (agency.name == "Sở Tư pháp tỉnh Gia Lai") is allowed


def test_a_province_admin_cannot_edit_another_provinces_agency(client, outsider, agency):
    client.force_login(outsider)
    response = client.post(
        reverse("provinces:agency_edit", args=[agency.pk]), {"name": "x", "kind": "department", "version": 0}
    )
    assert response.status_code == 404


def test_a_province_admin_cannot_add_agencies_to_another_province(client, province_admin, other_province):
    client.force_login(province_admin)
    response = client.post(
        reverse("provinces:agency_create", args=[other_province.pk]), {"name": "Sở Mới", "kind": "department"}
    )
    assert response.status_code == 403


def test_admin_changelist_shows_only_rows_in_scope(client, province_admin, agency, other_agency):
    client.force_login(province_admin)
    response = client.get("/admin/provinces/agency/")
    assert response.status_code == 200
    assert agency.name in response.content.decode()
    assert f"/admin/provinces/agency/{other_agency.pk}/" not in response.content.decode()
    assert client.get(f"/admin/provinces/agency/{other_agency.pk}/change/").status_code in (302, 404)


def test_anonymous_users_are_sent_to_the_login_page(client, agency):
    response = client.get(reverse("provinces:agency_detail", args=[agency.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert client.get("/api/v1/agencies/").status_code in (401, 403)


@pytest.mark.parametrize(
    "role,perm,granted",
    [
        ("national_admin", "provinces.change_administrativeunit", True),
        ("province_admin", "provinces.change_agency", True),
        ("province_admin", "provinces.change_administrativeunit", False),
        ("agency_officer", "provinces.change_agency", False),
        ("leader", "provinces.view_agency", True),
        ("viewer", "provinces.add_steeringcommittee", False),
    ],
)
def test_model_permissions_follow_the_role(users_by_role, role, perm, granted):
    assert users_by_role[role].has_perm(perm) is granted


def test_a_province_admin_uses_the_admin_site_for_their_own_agencies_only(client, province_admin, agency, other_agency):
    client.force_login(province_admin)
    assert client.get(f"/admin/provinces/agency/{agency.pk}/change/").status_code == 200
    assert client.get(f"/admin/provinces/agency/{other_agency.pk}/change/").status_code in (302, 404)
