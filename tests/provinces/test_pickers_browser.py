"""Agency pickers: type-ahead without diacritics, departments before communes, dissolved agencies dated."""

import datetime as dt

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from provinces.models import SteeringCommittee


@pytest.fixture
def picker_agencies(province, make_agency):
    return {
        "bien_ho": make_agency(province, "UBND xã Biển Hồ", kind="commune_committee"),
        "bau_can": make_agency(province, "UBND xã Bàu Cạn", kind="commune_committee"),
        "home": make_agency(province, "Sở Nội vụ", kind="department"),
        "ict": make_agency(
            province,
            "Sở Thông tin và Truyền thông",
            kind="department",
            valid_from=dt.date(2008, 1, 1),
            valid_to=dt.date(2025, 2, 28),
        ),  # fmt: skip
    }


def test_the_member_picker_lists_departments_first_then_communes_in_vietnamese_order(
    client, province_admin, province, picker_agencies
):
    committee = SteeringCommittee.objects.create(province=province, name="Ban Chỉ đạo")
    client.force_login(province_admin)
    form = client.get(reverse("provinces:member_create", args=[committee.pk])).context["form"]
    labels = [label for value, label in form.fields["agency"].choices if value]
    assert labels == ["Sở Nội vụ", "UBND xã Bàu Cạn", "UBND xã Biển Hồ"]


def test_a_dissolved_agency_is_dated_in_the_predecessor_picker(client, province_admin, picker_agencies):
    client.force_login(province_admin)
    form = client.get(reverse("provinces:agency_edit", args=[picker_agencies["home"].pk])).context["form"]
    labels = [label for value, label in form.fields["predecessors"].choices if value]
    assert "Sở Thông tin và Truyền thông (đến 28/02/2025)" in labels


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_typing_without_diacritics_finds_the_agency_and_tags_show_the_choice(
    page, live_server, browser_login, province_admin, picker_agencies, artifacts_dir
):
    browser_login(page, province_admin)
    page.goto(f"{live_server.url}{reverse('provinces:agency_edit', args=[picker_agencies['home'].pk])}")
    control = page.locator("#id_predecessors-ts-control")
    control.click()
    control.type("thong tin")
    option = page.locator(".ts-dropdown:visible .option", has_text="Sở Thông tin và Truyền thông")
    option.first.wait_for()
    assert "(đến 28/02/2025)" in option.first.inner_text()
    expect(page.locator(".ts-dropdown:visible .option", has_text="Biển Hồ")).to_have_count(0)  # filtered
    option.first.click()
    assert page.locator(".ts-control .item", has_text="Sở Thông tin").count() == 1  # shown as a tag
    page.screenshot(path=str(artifacts_dir / "agency_picker.png"), full_page=True)
    page.keyboard.press("Escape")
    page.fill("#id_valid_from", "01/03/2025")
    page.click("button.primary")
    page.wait_for_load_state("networkidle")
    assert list(picker_agencies["home"].predecessors.values_list("name", flat=True)) == ["Sở Thông tin và Truyền thông"]
