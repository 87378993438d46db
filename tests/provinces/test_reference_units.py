import datetime as dt

import pytest

from provinces.models import AdministrativeUnit, SuccessionKind, UnitLevel, UnitSuccession


def provinces_on(date):
    return AdministrativeUnit.objects.provinces().valid_on(date)


def test_reference_data_holds_34_provinces_and_3321_communes_today(reference_units):
    today = dt.date(2026, 11, 22)
    assert provinces_on(today).count() == 34
    assert AdministrativeUnit.objects.communes().valid_on(today).count() == 3321
    assert not AdministrativeUnit.objects.filter(level=UnitLevel.DISTRICT).valid_on(today).exists()


def test_reference_data_holds_63_provinces_with_districts_before_the_reorganisation(reference_units):
    before = dt.date(2025, 6, 30)
    assert provinces_on(before).count() == 63
    assert AdministrativeUnit.objects.filter(level=UnitLevel.DISTRICT).valid_on(before).count() == 696
    assert AdministrativeUnit.objects.communes().valid_on(before).count() == 10051


def test_new_gia_lai_came_from_gia_lai_and_binh_dinh(reference_units):
    gia_lai = provinces_on(dt.date(2025, 7, 1)).get(code="52")
    assert sorted(gia_lai.predecessors().values_list("name", flat=True)) == ["Tỉnh Bình Định", "Tỉnh Gia Lai"]
    assert set(gia_lai.successions_in.values_list("kind", flat=True)) == {SuccessionKind.MERGED}


def test_binh_dinh_became_gia_lai_on_1_july_2025(reference_units):
    binh_dinh = provinces_on(dt.date(2025, 6, 30)).get(name="Tỉnh Bình Định")
    succession = binh_dinh.successions_out.get()
    assert succession.successor.name == "Tỉnh Gia Lai"
    assert succession.effective_date == dt.date(2025, 7, 1)
    assert succession.legal_basis == "Nghị quyết 202/2025/QH15"


def test_an_unchanged_province_has_exactly_one_predecessor(reference_units):
    quang_ninh = provinces_on(dt.date(2026, 1, 1)).get(code="22")
    assert [(p.code, p.name) for p in quang_ninh.predecessors()] == [("22", "Tỉnh Quảng Ninh")]
    assert quang_ninh.successions_in.get().kind == SuccessionKind.UNCHANGED


def test_every_old_province_has_exactly_one_successor(reference_units):
    old = provinces_on(dt.date(2025, 6, 30))
    assert all(p.successions_out.count() == 1 for p in old)


def test_commune_lineage_links_old_communes_to_new_ones(reference_units):
    commune_links = UnitSuccession.objects.filter(predecessor__level=UnitLevel.COMMUNE)
    assert commune_links.count() == reference_units["commune_lineage"] > 10000
    link = commune_links.select_related("predecessor__province", "successor__province").first()
    # A commune's successor lies in the province its own province became.
    assert link.successor.province in link.predecessor.province.successors()


def test_reloading_the_reference_data_changes_nothing(reference_units):
    from provinces.reference import load_reference_units

    units_before = AdministrativeUnit.objects.count()
    again = load_reference_units()
    assert again["created"] == again["updated"] == again["lineage_changed"] == 0
    assert AdministrativeUnit.objects.count() == units_before


@pytest.mark.parametrize("code,type_", [("01", "thanh_pho_tw"), ("52", "tinh")])
def test_current_province_types_come_from_the_package(reference_units, code, type_):
    assert provinces_on(dt.date(2026, 1, 1)).get(code=code).type == type_
