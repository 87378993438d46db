import datetime as dt

import pytest

from cchc_portal.lib.periods import ReportingPeriod
from reports.models import ReportRound, UnitReport, round_open

PERIOD = ReportingPeriod(2026, "h1")


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def commune_committee(province, commune, make_agency):
    return make_agency(province, "Ủy ban nhân dân phường Quy Nhơn", kind="commune_committee", commune=commune)


@pytest.fixture
def commune_officer(make_user, province, commune_committee):
    return make_user("commune_officer", "agency_officer", units=[province], agencies=[commune_committee],
                     email="xa@example.vn")  # fmt: skip


@pytest.fixture
def rnd(province, agency, commune_committee, province_admin) -> ReportRound:
    return round_open(province=province, period=PERIOD, internal_deadline=dt.date(2026, 6, 10), by=province_admin)


@pytest.fixture
def dept_report(rnd, agency) -> UnitReport:
    return UnitReport.objects.get(round=rnd, agency=agency)


@pytest.fixture
def commune_report(rnd, commune_committee) -> UnitReport:
    return UnitReport.objects.get(round=rnd, agency=commune_committee)


# Every typed figure of the first template, valid together.
MANUAL = {"TC1": "3", "TT1": "12", "TT2": "4", "TT3": "1", "KT1": "2", "KT2": "5", "VB1": "1.234", "VB2": "980",
          "MT1": "95,5"}  # fmt: skip


def full_values(report, **overrides) -> dict:
    values = {f.code: "" for f in report.figures()}
    values.update(
        {"NV1": "10", "NV2": "6", "NV3": "1", "HS1": "100", "HS2": "80", "HS3": "76", "HS4": "4", "HS5": "40"}
    )
    values.update(MANUAL)
    values.update(overrides)
    return values


def submit(report, user, **overrides):
    report.refresh_from_db()
    report.apply("submit", user=user, expected_version=report.version, values=full_values(report, **overrides),
                 texts={"I": "Đã ban hành kế hoạch.", "II": "Kết quả tốt."})  # fmt: skip
    return report


@pytest.fixture
def english():
    from django.utils import translation

    with translation.override("en"):
        yield
