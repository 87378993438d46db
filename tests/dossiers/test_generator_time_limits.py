"""The generator gives procedures time limits in working days, calendar days and hours, with due days to match."""

import csv
import datetime as dt

import pytest

from cchc_portal.lib.workdays import add_working_days, is_working_day
from dossiers.generate import TIME_LIMITS, write_export
from dossiers.importing import import_file
from dossiers.models import Holiday, Procedure, ProvinceHandlingTimeSummary, TimeUnit
from service_index.figures import Period, handling_times

pytestmark = pytest.mark.django_db
END = dt.date(2026, 8, 31)


@pytest.fixture
def export(province, make_commune, make_agency, tmp_path):
    from provinces.models import AgencyKind

    for code, name in (("21550", "Phường Quy Nhơn"), ("21551", "Xã Ia Grai")):
        commune = make_commune(province, code, name)
        make_agency(province, f"Ủy ban nhân dân {name}", commune=commune, kind=AgencyKind.COMMUNE_COMMITTEE)
    make_agency(province, "Sở Tư pháp", short_name="STP")
    make_agency(province, "Sở Xây dựng", short_name="SXD")
    path = tmp_path / "export.csv"
    write_export(str(path), province=province, rows=3000, end=END, seed=11)
    with open(path, encoding="utf-8") as handle:
        return path, list(csv.DictReader(handle))


def _at(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, "%d/%m/%Y %H:%M")


def test_the_catalogue_states_limits_in_each_unit(export):
    units = dict(Procedure.objects.values_list("code", "time_limit_unit"))
    assert set(units.values()) == {TimeUnit.WORKING_DAYS, TimeUnit.DAYS, TimeUnit.HOURS}
    assert Procedure.objects.get(code="2.000815").legal_time_limit == 8
    assert Procedure.objects.get(code="2.000488").legal_time_limit == 10
    shares = {unit: sum(1 for u in units.values() if u == unit) / len(units) for unit in set(units.values())}
    assert shares[TimeUnit.WORKING_DAYS] > 0.5 and shares[TimeUnit.HOURS] >= 0.1 and shares[TimeUnit.DAYS] >= 0.1


def test_due_days_follow_each_procedures_unit(export):
    _path, rows = export
    holidays = Holiday.dates()
    by_unit = {TimeUnit.DAYS: 0, TimeUnit.HOURS: 0}
    for row in rows:
        limit, unit = TIME_LIMITS.get(row["Mã thủ tục"], (None, TimeUnit.WORKING_DAYS))
        received, due = _at(row["Ngày tiếp nhận"]), _at(row["Ngày hẹn trả"]).date()
        if unit == TimeUnit.DAYS:
            calendar = received.date() + dt.timedelta(days=limit)
            assert due == add_working_days(calendar, 0, holidays) and is_working_day(due, holidays)
        elif unit == TimeUnit.HOURS:
            assert due in (received.date(), add_working_days(received.date(), 1, holidays))
            assert (due == received.date()) == (
                received + dt.timedelta(hours=limit) <= received.replace(hour=17, minute=0)
            )
        else:
            continue
        by_unit[unit] += 1
        if row["Ngày có kết quả"]:
            assert _at(row["Ngày có kết quả"]) > received  # never before the receipt, to the minute
    assert by_unit[TimeUnit.DAYS] > 100 and by_unit[TimeUnit.HOURS] > 100


def test_the_imported_handling_times_show_hours_calendar_days_and_working_days(export):
    path, _rows = export
    import_file(str(path), today=END + dt.timedelta(days=1))
    items = handling_times(ProvinceHandlingTimeSummary.objects.all(), Period.parse("2026"))
    by_code = {item.code: item for item in items}
    assert {item.unit for item in items} == {TimeUnit.WORKING_DAYS, TimeUnit.DAYS, TimeUnit.HOURS}
    certified = by_code["2.000815"]
    assert certified.unit == TimeUnit.HOURS and certified.time_limit == 8
    # Elapsed time: within 8 working hours, but one received in the afternoon spans a night.
    assert 2 < certified.average < 16
    assert by_code["1.005384"].unit == TimeUnit.DAYS and 0 < by_code["1.005384"].average <= 30
