"""Working-day arithmetic for legal time limits (pure: no Django, no database).

A procedure's time limit is counted in working days (Decree 61/2018/ND-CP and
Decree 107/2021/ND-CP): Saturdays, Sundays and public holidays do not count, and
the day a dossier is received is not counted either. The holiday set is passed
in by the caller (it is editable data: `dossiers.Holiday`).

A limit in hours counts working hours ("giờ làm việc"): the minutes inside the office
windows (settings.CCHC_OFFICE_HOURS, by default 07:30-11:30 and 13:00-17:00) of working days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Sequence

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


# Office windows as (start, end) minutes of the local day: the usual civil-service day of 8 hours.
DEFAULT_OFFICE_HOURS: tuple[tuple[int, int], ...] = ((7 * 60 + 30, 11 * 60 + 30), (13 * 60, 17 * 60))
# Vietnam is UTC+7 all year (no DST).
LOCAL = dt.timezone(dt.timedelta(hours=7))


def _minute_of_day(text: str) -> int:
    hours, minutes = text.strip().split(":")
    value = int(hours) * 60 + int(minutes)
    if not 0 <= value <= 1440:
        raise ValueError(f"not a time of day: {text!r}")
    return value


def parse_office_hours(value: str | Iterable[Sequence[str]]) -> tuple[tuple[int, int], ...]:
    """Office windows in minutes of the day from "07:30-11:30,13:00-17:00" or [("07:30", "11:30"), ...].

    The windows must be non-empty, in order and not overlap.
    """
    pairs = [part.split("-") for part in value.split(",") if part.strip()] if isinstance(value, str) else value
    windows = []
    for pair in pairs:
        start, end = (_minute_of_day(item) for item in pair)
        if start >= end or (windows and start < windows[-1][1]):
            raise ValueError(f"office windows must be non-empty, in order and apart: {value!r}")
        windows.append((start, end))
    if not windows:
        raise ValueError("no office window")
    return tuple(windows)


def working_minutes_between(
    start: dt.datetime,
    end: dt.datetime,
    holidays: Collection[dt.date] = (),
    windows: Sequence[tuple[int, int]] = DEFAULT_OFFICE_HOURS,
) -> int:
    """The minutes of [start, end] inside the office windows of working days, in local time (UTC+7).

    Both instants are taken to the minute (seconds dropped); a naive datetime is local time.
    Negative when `end` is before `start`, like `working_days_between`.
    """
    start, end = (_local_minute(t) for t in (start, end))
    if end < start:
        return -working_minutes_between(end, start, holidays, windows)
    total = 0
    day = start.date()
    while day <= end.date():
        if is_working_day(day, holidays):
            midnight = dt.datetime.combine(day, dt.time())
            for first, last in windows:
                opens = midnight + dt.timedelta(minutes=first)
                closes = midnight + dt.timedelta(minutes=last)
                overlap = min(closes, end) - max(opens, start)
                if overlap > dt.timedelta(0):
                    total += int(overlap.total_seconds()) // 60
        day += dt.timedelta(days=1)
    return total


def _local_minute(moment: dt.datetime) -> dt.datetime:
    """`moment` as a naive local (UTC+7) time, to the minute."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(LOCAL).replace(tzinfo=None)
    return moment.replace(second=0, microsecond=0)


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
