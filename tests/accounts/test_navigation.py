"""Every navigation entry points at a page that exists, and administrators see "Imports"."""

import pytest
from django.urls import reverse

from cchc_portal.navigation import NAVIGATION


@pytest.mark.parametrize(("name", "label"), [(name, str(label)) for name, label, _roles in NAVIGATION])
def test_every_navigation_entry_resolves(name, label):
    assert reverse(name)


@pytest.mark.parametrize("role", ["province_admin", "national_admin"])
def test_administrators_find_the_imports_page_in_the_menu(client, users_by_role, role):
    client.force_login(users_by_role[role])
    items = client.get(reverse("tasks:plan_list")).context["nav_items"]
    assert reverse("dossiers:import_index") in [item["url"] for item in items]


def test_an_agency_officer_has_no_imports_entry(client, agency_officer):
    client.force_login(agency_officer)
    items = client.get(reverse("tasks:plan_list")).context["nav_items"]
    assert reverse("dossiers:import_index") not in [item["url"] for item in items]
