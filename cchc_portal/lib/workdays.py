"""Working-day arithmetic for legal time limits (pure: no Django, no database).

A procedure's time limit is counted in working days (Decree 61/2018/ND-CP and
Decree 107/2021/ND-CP): Saturdays, Sundays and public holidays do not count, and
the day a dossier is received is not counted either. The holiday set is passed
in by the caller (it is editable data: `dossiers.Holiday`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

WEEKEND = frozenset({5, 6})  # Saturday, Sunday (date.weekday())


def is_working_day(day: dt.date, holidays: Collection[dt.date] = ()) -> bool:
    return day.weekday() not in WEEKEND and day not in holidays


def add_working_days(start: dt.date, days: int, holidays: Collection[dt.date] = ()) -> dt.date:
    """The `days`-th working day after `start` (`start` itself never counts).

    `days == 0` gives `start` itself if it is a working day, else the next one.
    """
    if days < 0:
        raise ValueError("days must be >= 0")
    day = start
    if days == 0:
        while not is_working_day(day, holidays):
            day += dt.timedelta(days=1)
        return day
    remaining = days
    one = dt.timedelta(days=1)
    while remaining:
        day += one
        if is_working_day(day, holidays):
            remaining -= 1
    return day


def working_days_between(start: dt.date, end: dt.date, holidays: Collection[dt.date] = ()) -> int:
    """Working days in (start, end]; negative when `end` is before `start`."""
    if end < start:
        return -working_days_between(end, start, holidays)
    count = 0
    day = start + dt.timedelta(days=1)
    while day <= end:
        if is_working_day(day, holidays):
            count += 1
        day += dt.timedelta(days=1)
    return count


def first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def month_range(first: dt.date, last: dt.date) -> list[dt.date]:
    """First days of the months from `first`'s month to `last`'s month, inclusive."""
    months = []
    month = first_of_month(first)
    end = first_of_month(last)
    while month <= end:
        months.append(month)
        month = add_months(month, 1)
    return months
