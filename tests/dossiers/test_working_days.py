import datetime as dt

from cchc_portal.lib.workdays import add_months, add_working_days, month_range, working_days_between


def test_the_receiving_day_does_not_count_and_weekends_are_skipped():
    friday = dt.date(2025, 6, 6)
    assert add_working_days(friday, 1) == dt.date(2025, 6, 9)
    assert add_working_days(friday, 5) == dt.date(2025, 6, 13)


def test_public_holidays_are_skipped():
    holidays = {dt.date(2025, 4, 30), dt.date(2025, 5, 1), dt.date(2025, 5, 2)}
    assert add_working_days(dt.date(2025, 4, 29), 1, holidays) == dt.date(2025, 5, 5)


def test_zero_days_gives_the_next_working_day_when_received_on_a_holiday():
    assert add_working_days(dt.date(2025, 6, 7), 0) == dt.date(2025, 6, 9)


def test_working_days_between_counts_the_end_day_only():
    assert working_days_between(dt.date(2025, 6, 6), dt.date(2025, 6, 13)) == 5
    assert working_days_between(dt.date(2025, 6, 13), dt.date(2025, 6, 6)) == -5


def test_months_arithmetic():
    assert add_months(dt.date(2025, 11, 1), 3) == dt.date(2026, 2, 1)
    assert month_range(dt.date(2025, 11, 20), dt.date(2026, 1, 3)) == [
        dt.date(2025, 11, 1),
        dt.date(2025, 12, 1),
        dt.date(2026, 1, 1),
    ]


def test_holidays_2024_to_2027_ship_with_the_database(db):
    from dossiers.models import Holiday

    years = {day.year for day in Holiday.dates()}
    assert {2024, 2025, 2026, 2027} <= years
    assert dt.date(2025, 9, 2) in Holiday.dates()
