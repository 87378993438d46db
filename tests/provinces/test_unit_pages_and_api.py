import pytest
from django.urls import reverse

from provinces.models import AdministrativeUnit


@pytest.fixture
def gia_lai(reference_units):
    return AdministrativeUnit.objects.provinces().current().get(code="52")


def test_a_current_province_page_lists_its_communes_and_predecessors(client, viewer, gia_lai):
    client.force_login(viewer)
    response = client.get(gia_lai.get_absolute_url())
    body = response.content.decode()
    assert response.context["page"].paginator.count == gia_lai.children.count() > 100
    lineage = body[body.index('data-testid="lineage"') :]
    assert "Tỉnh Bình Định" in lineage[: lineage.index("</section>")]


def test_a_pre_2025_province_page_lists_its_districts_and_successor(client, viewer, reference_units):
    binh_dinh = AdministrativeUnit.objects.provinces().get(name="Tỉnh Bình Định")
    client.force_login(viewer)
    response = client.get(binh_dinh.get_absolute_url())
    assert {c.level for c in response.context["page"]} == {"district"}
    assert "Tỉnh Gia Lai" in response.content.decode()


def test_the_province_list_switches_between_34_and_63(client, viewer, reference_units):
    client.force_login(viewer)
    assert len(client.get(reverse("provinces:unit_list")).context["units"]) == 34
    assert len(client.get(reverse("provinces:unit_list") + "?era=before").context["units"]) == 63


def test_province_list_search_ignores_diacritics(client, viewer, reference_units):
    client.force_login(viewer)
    units = client.get(reverse("provinces:unit_list") + "?q=khanh hoa").context["units"]
    assert [u.name for u in units] == ["Tỉnh Khánh Hòa"]


def test_units_api_filters_by_level_validity_date_and_parent(client, viewer, gia_lai):
    client.force_login(viewer)
    provinces_2024 = client.get("/api/v1/units/?level=province&valid_on=2024-12-31&limit=100").json()
    assert provinces_2024["count"] == 63
    communes = client.get(f"/api/v1/units/?parent={gia_lai.pk}&limit=1").json()
    assert communes["count"] == gia_lai.children.count()
    detail = client.get(f"/api/v1/units/{gia_lai.pk}/").json()
    assert sorted(p["name"] for p in detail["predecessors"]) == ["Tỉnh Bình Định", "Tỉnh Gia Lai"]


def test_openapi_schema_and_docs_are_served_to_signed_in_users(client, viewer):
    client.force_login(viewer)
    assert client.get("/api/v1/schema/").status_code == 200
    assert client.get("/api/v1/docs/").status_code == 200
