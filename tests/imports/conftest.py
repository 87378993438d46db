"""Fixtures of the import toolkit tests: one small setup per importer."""

import pytest

from tests.indices.conftest import index_provinces, methodologies  # noqa: F401 - fixtures used here


@pytest.fixture
def gia_lai_plan(province, make_agency, agency, home_affairs):
    from tasks.models import Plan

    plan = Plan.objects.create(unit=province, year=2026, title="Kế hoạch CCHC năm 2026 tỉnh Gia Lai")
    plan.ensure_default_areas()
    return plan


@pytest.fixture
def dossier_communes(province, make_commune, make_agency):
    from provinces.models import AgencyKind

    for code, name in (("21550", "Phường Quy Nhơn"), ("21551", "Xã Ia Grai")):
        commune = make_commune(province, code, name)
        make_agency(province, f"Ủy ban nhân dân {name}", commune=commune, kind=AgencyKind.COMMUNE_COMMITTEE)
