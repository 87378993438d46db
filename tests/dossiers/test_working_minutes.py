"""Working minutes (a time limit in hours counts working hours): the reference implementation, by hand."""

import datetime as dt
import math

import pytest

from cchc_portal.lib.workdays import (
    DEFAULT_OFFICE_HOURS,
    WorkingClock,
    parse_office_hours,
    working_days_between,
    working_minutes_between,
)

UTC = dt.UTC
NATIONAL_DAY = {dt.date(2025, 9, 1), dt.date(2025, 9, 2)}


def at(text: str) -> dt.datetime:
    """A naive local (UTC+7) time from "dd/mm/yyyy HH:MM"."""
    return dt.datetime.strptime(text, "%d/%m/%Y %H:%M")


def minutes(start: str, end: str, holidays=(), windows=DEFAULT_OFFICE_HOURS) -> int:
    return working_minutes_between(at(start), at(end), holidays, windows)


# 02/06/2025 is a Monday; 06/06/2025 a Friday.
@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("02/06/2025 08:00", "02/06/2025 10:00", 120),  # inside the morning window
        ("02/06/2025 08:00", "02/06/2025 08:00", 0),
        ("02/06/2025 11:00", "02/06/2025 14:00", 90),  # across lunch: 30 + 60
        ("02/06/2025 08:00", "02/06/2025 15:00", 330),  # 3.5 h + 2 h
        ("02/06/2025 16:00", "03/06/2025 08:00", 90),  # across an evening: 60 + 30 = 1.5 h
        ("02/06/2025 16:00", "03/06/2025 09:00", 150),  # 60 + 90 (the office opens at 07:30) = 2.5 h
        ("02/06/2025 07:00", "02/06/2025 18:00", 480),  # a whole day: 8 h
        ("02/06/2025 07:30", "03/06/2025 17:00", 960),  # two whole days
        ("06/06/2025 16:00", "09/06/2025 08:00", 90),  # across a weekend: 60 + 30
        ("06/06/2025 06:00", "06/06/2025 08:00", 30),  # starts before the office opens
        ("02/06/2025 12:00", "02/06/2025 13:30", 30),  # starts in the lunch break
        ("02/06/2025 17:30", "03/06/2025 07:45", 15),  # starts after closing time
        ("07/06/2025 09:00", "09/06/2025 08:00", 30),  # starts on a Saturday
        ("07/06/2025 09:00", "08/06/2025 16:00", 0),  # a weekend only
        ("02/06/2025 12:00", "02/06/2025 12:59", 0),  # the lunch break only
    ],
)
def test_hand_cases(start, end, expected):
    assert minutes(start, end) == expected


def test_a_holiday_does_not_count():
    # Fri 29/08/2025 16:00 -> Wed 03/09/2025 08:00 over the weekend and National Day (1-2/9): 60 + 30.
    assert minutes("29/08/2025 16:00", "03/09/2025 08:00", NATIONAL_DAY) == 90
    assert minutes("29/08/2025 16:00", "03/09/2025 08:00") == 90 + 2 * 480
    assert minutes("01/09/2025 08:00", "02/09/2025 16:00", NATIONAL_DAY) == 0  # received on a holiday


def test_end_before_start_is_negative_like_the_working_days():
    assert minutes("03/06/2025 08:00", "02/06/2025 16:00") == -90


def test_seconds_are_dropped_and_aware_times_are_local_times():
    # 01:00 UTC is 08:00 in Vietnam (UTC+7 all year).
    start = dt.datetime(2025, 6, 2, 1, 0, 59, tzinfo=UTC)
    end = dt.datetime(2025, 6, 2, 3, 30, 10, tzinfo=UTC)  # 10:30 local
    assert working_minutes_between(start, end) == 150


def test_other_office_hours():
    windows = parse_office_hours("08:00-12:00,13:30-17:30")
    assert windows == ((480, 720), (810, 1050))
    assert minutes("02/06/2025 16:00", "03/06/2025 09:00", windows=windows) == 150  # 90 + 60
    assert minutes("02/06/2025 07:00", "02/06/2025 18:00", windows=((0, 1440),)) == 660


def test_parse_office_hours():
    assert parse_office_hours([("07:30", "11:30"), ("13:00", "17:00")]) == DEFAULT_OFFICE_HOURS
    assert parse_office_hours("07:30-11:30, 13:00-17:00") == DEFAULT_OFFICE_HOURS
    for wrong in ("", "11:30-07:30", "07:30-12:00,11:00-17:00", "13:00-17:00,07:30-11:30", "07:30-25:00"):
        with pytest.raises(ValueError):
            parse_office_hours(wrong)


@pytest.mark.parametrize(
    "windows", [DEFAULT_OFFICE_HOURS, ((8 * 60, 12 * 60), (13 * 60 + 30, 17 * 60 + 30)), ((0, 1440),)]
)
def test_the_import_clock_gives_what_the_reference_gives(windows):
    """`WorkingClock.handling` (what the import stores) against working_days_between / working_minutes_between,
    for instants every 97 minutes over the weeks around National Day, a weekend holiday and a year's end."""
    import random

    holidays = NATIONAL_DAY | {dt.date(2025, 9, 6), dt.date(2026, 1, 1)}  # 6/9/2025 is a Saturday
    clock = WorkingClock(holidays, windows)
    start = dt.datetime(2025, 8, 25)
    instants = [start + dt.timedelta(minutes=97 * i, seconds=(i * 7) % 60) for i in range(0, 2400)]
    pairs = random.Random(3).sample([(a, b) for a in instants[::40] for b in instants if b >= a], 3000)
    pairs += [(a, a) for a in instants[:50]] + [(instants[0], instants[-1])]
    for received, end in pairs:
        got = clock.handling(
            (received.date(), received.hour * 3600 + received.minute * 60 + received.second),
            (end.date(), end.hour * 3600 + end.minute * 60 + end.second),
        )
        expected = (
            math.floor((end - received).total_seconds() / 60 + 0.5),
            working_days_between(received.date(), end.date(), holidays),
            working_minutes_between(received, end, holidays, windows),
        )
        assert got == expected, (received, end)
