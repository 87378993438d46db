"""/api/v1/service-index/ is computed once per (unit, period, grouping, scope, day) until an import."""

import pytest
from django.urls import reverse

from .conftest import import_generated

pytestmark = pytest.mark.django_db
URL = reverse("service-index")


@pytest.fixture
def imported(province, communes, agency, tmp_path):
    import_generated(province, tmp_path, 600, 8)


@pytest.mark.parametrize("group_by", ["agency", "commune"])
def test_a_cached_grouped_request_reads_only_the_session_the_user_and_the_scope(
    client, leader, province, imported, group_by, django_assert_num_queries
):
    client.force_login(leader)
    query = {"unit": province.code, "period": "2026-Q3", "group_by": group_by}
    cold = client.get(URL, query).json()
    with django_assert_num_queries(4):  # session, user, the scope (units, agencies); the body from the cache
        warm = client.get(URL, query).json()
    assert warm == cold and warm["rows"]


def test_a_dossier_import_shows_the_new_figures_at_once(client, leader, province, imported, tmp_path):
    client.force_login(leader)
    query = {"unit": province.code, "period": "2026-08", "group_by": "commune"}
    before = client.get(URL, query).json()
    import_generated(province, tmp_path, 900, 9)
    after = client.get(URL, query).json()
    received = sum(i["denominator"] for g in after["groups"] for i in g["indicators"] if i["denominator"])
    assert after != before
    assert received > sum(i["denominator"] for g in before["groups"] for i in g["indicators"] if i["denominator"])


def test_a_user_of_another_province_does_not_get_the_cached_body(client, leader, outsider, province, imported):
    query = {"unit": province.code, "period": "2026-Q3", "group_by": "agency"}
    client.force_login(leader)
    assert client.get(URL, query).status_code == 200
    client.force_login(outsider)
    assert client.get(URL, query).status_code == 404
    assert client.get(URL, query).status_code == 404  # the 404 was not cached as a body either


def test_a_commune_user_gets_their_communes_figures_not_the_provinces_cached_ones(
    client, leader, make_user, province, communes, imported
):
    quy_nhon = communes[0]
    query = {"unit": quy_nhon.code, "period": "2026-Q3"}
    client.force_login(leader)
    as_leader = client.get(URL, query).json()
    client.force_login(make_user("commune_viewer", "viewer", units=[quy_nhon]))
    as_commune_user = client.get(URL, query).json()
    assert as_commune_user["unit"]["code"] == quy_nhon.code
    assert as_commune_user["total"] == as_leader["total"]  # the same commune, read under its own key
    assert client.get(URL, {**query, "unit": communes[1].code}).status_code == 404
    assert client.get(URL, {"unit": province.code, "period": "2026-Q3"}).status_code == 404


def test_a_bad_grouping_is_a_clear_400_before_anything_is_read(client, leader, province):
    client.force_login(leader)
    response = client.get(URL, {"unit": province.code, "period": "2026-08", "group_by": "district"})
    assert response.status_code == 400 and "group_by" in response.json()
