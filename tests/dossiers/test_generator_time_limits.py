"""The generator gives procedures time limits in working days, calendar days and hours, with due days to match."""

import csv
import datetime as dt

import pytest

from cchc_portal.lib.workdays import add_working_days, is_working_day, working_minutes_between
from dossiers.generate import TIME_LIMITS, write_export
from dossiers.importing import import_file
from dossiers.importing.summaries import office_windows
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
    holidays, windows = Holiday.dates(), office_windows()
    closing = dt.time(windows[-1][1] // 60, windows[-1][1] % 60)
    by_unit = {TimeUnit.DAYS: 0, TimeUnit.HOURS: 0}
    within = 0
    for row in rows:
        limit, unit = TIME_LIMITS.get(row["Mã thủ tục"], (None, TimeUnit.WORKING_DAYS))
        received, due = _at(row["Ngày tiếp nhận"]), _at(row["Ngày hẹn trả"]).date()
        if unit == TimeUnit.DAYS:
            calendar = received.date() + dt.timedelta(days=limit)
            assert due == add_working_days(calendar, 0, holidays) and is_working_day(due, holidays)
        elif unit == TimeUnit.HOURS:
            # Working hours (the office windows of working days): due the day the limit's hours run out.
            expected = received.date()
            while (
                working_minutes_between(received, dt.datetime.combine(expected, closing), holidays, windows)
                < limit * 60
            ):
                expected = add_working_days(expected, 1, holidays)
            assert due == expected and due in (received.date(), add_working_days(received.date(), 1, holidays))
            # Handled by the due day: within the limit's working hours, to the minute.
            if row["Ngày có kết quả"] and _at(row["Ngày có kết quả"]).date() <= due:
                assert working_minutes_between(received, _at(row["Ngày có kết quả"]), holidays, windows) <= limit * 60
                within += 1
        else:
            continue
        by_unit[unit] += 1
        if row["Ngày có kết quả"]:
            assert _at(row["Ngày có kết quả"]) > received  # never before the receipt, to the minute
    assert by_unit[TimeUnit.DAYS] > 100 and by_unit[TimeUnit.HOURS] > 100 and within > 0.9 * by_unit[TimeUnit.HOURS]


def test_the_imported_handling_times_show_hours_calendar_days_and_working_days(export):
    path, _rows = export
    import_file(str(path), today=END + dt.timedelta(days=1))
    items = handling_times(ProvinceHandlingTimeSummary.objects.all(), Period.parse("2026"))
    by_code = {item.code: item for item in items}
    assert {item.unit for item in items} == {TimeUnit.WORKING_DAYS, TimeUnit.DAYS, TimeUnit.HOURS}
    certified = by_code["2.000815"]
    assert certified.unit == TimeUnit.HOURS and certified.time_limit == 8
    # Working hours: almost all within the limit's 8 working hours (a night or a weekend does not count).
    assert 1 < certified.average < 8
    assert by_code["1.005384"].unit == TimeUnit.DAYS and 0 < by_code["1.005384"].average <= 30
