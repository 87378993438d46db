"""Agency names are stored normalised, and a near-duplicate in the same province is refused on the field."""

import unicodedata

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from provinces.models import Agency


def _create(client, province, name: str):
    return client.post(reverse("provinces:agency_create", args=[province.pk]), {"name": name, "kind": "department"})


def test_a_name_is_stored_nfc_without_invisible_characters_and_with_single_spaces(province):
    agency = Agency.objects.create(
        province=province, name=unicodedata.normalize("NFD", "  Sở\u200b Nội\u00a0vụ\n "), short_name=" SNV\ufeff "
    )
    agency.refresh_from_db()
    assert agency.name == "Sở Nội vụ" and unicodedata.is_normalized("NFC", agency.name)
    assert agency.short_name == "SNV"


@pytest.mark.parametrize(
    "twin",
    [
        "Sở Tư pháp",  # the same name: a 500 (IntegrityError) before
        unicodedata.normalize("NFD", "Sở Tư pháp"),
        "Sở Tư\u200b pháp",
        "Sở  tư   PHÁP ",
        "So Tu phap",
    ],
)
def test_creating_a_near_duplicate_agency_is_a_form_error_on_the_name(client, province_admin, agency, twin):
    client.force_login(province_admin)
    response = _create(client, agency.province, twin)
    assert response.status_code == 200
    assert "Sở Tư pháp" in response.context["form"].errors["name"][0]
    assert Agency.objects.filter(province=agency.province).count() == 1


def test_the_same_name_in_another_province_or_after_a_former_agency_is_fine(
    client, province_admin, province, other_province, make_agency
):
    import datetime as dt

    make_agency(other_province, "Sở Tư pháp")
    make_agency(province, "Sở Tư pháp", valid_to=dt.date(2025, 2, 28))
    client.force_login(province_admin)
    assert _create(client, province, "Sở Tư pháp").status_code == 302


def test_renaming_an_agency_onto_another_is_refused_but_keeping_its_own_name_is_not(
    client, province_admin, agency, home_affairs
):
    client.force_login(province_admin)
    url = reverse("provinces:agency_edit", args=[home_affairs.pk])
    clash = client.post(url, {"name": "sở tư pháp", "kind": "department", "version": home_affairs.version})
    assert clash.status_code == 200 and clash.context["form"].errors["name"]
    same = client.post(url, {"name": home_affairs.name, "short_name": "SNV", "kind": "department",
                             "version": home_affairs.version})  # fmt: skip
    assert same.status_code == 302


def test_full_clean_refuses_the_near_duplicate_for_any_other_path(agency):
    twin = Agency(province=agency.province, name="SỞ TƯ PHÁP")
    with pytest.raises(ValidationError) as refused:
        twin.full_clean()
    assert "name" in refused.value.message_dict


def test_the_admin_refuses_a_near_duplicate_with_a_message_too(client, national_admin, agency):
    client.force_login(national_admin)
    response = client.post(
        "/admin/provinces/agency/add/",
        {"province": agency.province.pk, "name": "Sở Tư\u200b pháp", "kind": "department",
         "AgencySuccession_predecessors-TOTAL_FORMS": 0, "AgencySuccession_predecessors-INITIAL_FORMS": 0,
         "successions_in-TOTAL_FORMS": 0, "successions_in-INITIAL_FORMS": 0},
    )  # fmt: skip
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["name"]
    assert Agency.objects.filter(province=agency.province).count() == 1


def test_an_edited_name_is_normalised_and_found_by_its_new_folded_name(client, province_admin, agency):
    client.force_login(province_admin)
    url = reverse("provinces:agency_edit", args=[agency.pk])
    response = client.post(url, {"name": " Sở Tư pháp\u200b và\x01 Hộ tịch ", "kind": "department",
                                 "version": agency.version})  # fmt: skip
    assert response.status_code == 302
    agency.refresh_from_db()
    assert (agency.name, agency.name_folded) == ("Sở Tư pháp và Hộ tịch", "so tu phap va ho tich")
