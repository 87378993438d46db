"""`?limit=` and `?offset=` out of range are a 400 with a message, never a 500."""

import pytest

HOSTILE = [
    {"limit": str(2**63)},
    {"limit": "-1"},
    {"limit": "0"},
    {"limit": "1001"},
    {"limit": "9" * 5000},
    {"limit": "abc"},
    {"offset": str(2**63)},
    {"offset": "-5"},
    {"offset": "1e3"},
]


@pytest.mark.parametrize("params", HOSTILE)
@pytest.mark.parametrize("resource", ["plans", "tasks", "agencies", "index-editions", "units"])
def test_an_out_of_range_limit_or_offset_is_a_400(client, province_admin, resource, params):
    client.force_login(province_admin)
    response = client.get(f"/api/v1/{resource}/", params)
    assert response.status_code == 400, response.content
    assert list(response.json()) == list(params)


def test_a_limit_within_range_pages_as_before(client, province_admin, agency, home_affairs):
    client.force_login(province_admin)
    page = client.get("/api/v1/agencies/", {"limit": 1, "offset": 1}).json()
    assert page["count"] == 2 and len(page["results"]) == 1 and page["previous"]
    assert client.get("/api/v1/agencies/", {"offset": 10**9}).json()["results"] == []


@pytest.mark.parametrize("number", [str(2**63), "-1", "0", "9" * 5000, "abc"])
@pytest.mark.parametrize("name", ["tasks:plan_list", "dossiers:late_list"])
def test_a_hostile_page_number_on_a_page_is_never_a_500(client, province_admin, province, name, number):
    from django.urls import reverse

    client.force_login(province_admin)
    assert client.get(reverse(name), {"page": number}).status_code == 200
