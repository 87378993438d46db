"""`?province=` is the province's official code on every page: dashboards, their charts and exports,
dossier pages and the agency list; the links the pages draw use it too."""

import re

import pytest
from django.urls import reverse

from dashboards import blocks
from provinces.models import AdministrativeUnit


def test_a_code_names_the_current_province_else_the_last_that_had_it(gia_lai):
    assert AdministrativeUnit.objects.province_for_code("52") == gia_lai
    assert AdministrativeUnit.objects.province_for_code("nope") is None
    assert blocks.province_id_for_code("52") == gia_lai.pk


@pytest.mark.parametrize(
    "name",
    ["dashboards:leader", "dashboards:chart_plan_status", "dashboards:chart_plan_areas",
     "dashboards:chart_dossiers_monthly", "dossiers:stats", "dossiers:late_list", "provinces:agency_list"],
)  # fmt: skip
def test_every_page_takes_the_province_code(client, national_admin, gia_lai, gia_lai_plan, gia_lai_dossiers, name):
    client.force_login(national_admin)
    assert client.get(reverse(name), {"province": gia_lai.code}).status_code == 200
    assert client.get(reverse(name), {"province": "zz"}).status_code == 404


def test_the_dashboards_links_carry_the_code_not_the_id(client, gia_lai_admin, gia_lai, gia_lai_plan, gia_lai_dossiers):
    client.force_login(gia_lai_admin)
    body = client.get(reverse("dashboards:leader")).content.decode()
    values = set(re.findall(r"province=([^&\"]+)", body))
    assert values == {gia_lai.code}
    export = re.search(r'href="([^"]*/export/by-area\.xlsx\?province=[^"]+)"', body).group(1)
    assert client.get(export.replace("&amp;", "&")).status_code == 200


def test_a_province_outside_the_scope_is_not_found_by_code_either(client, gia_lai_admin, khanh_hoa):
    client.force_login(gia_lai_admin)
    for name in ("dashboards:leader", "dossiers:stats"):
        assert client.get(reverse(name), {"province": khanh_hoa.code}).status_code == 404
