"""Working-day arithmetic for legal time limits (pure: no Django, no database).

A procedure's time limit is counted in working days (Decree 61/2018/ND-CP and
Decree 107/2021/ND-CP): Saturdays, Sundays and public holidays do not count, and
the day a dossier is received is not counted either. The holiday set is passed
in by the caller (it is editable data: `dossiers.Holiday`).

A limit in hours counts working hours ("giờ làm việc"): the minutes inside the office
windows (settings.CCHC_OFFICE_HOURS, by default 07:30-11:30 and 13:00-17:00) of working days.
"""

from __future__ import annotations

import bisect
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


class WorkingClock:
    """Working time as differences of ordinals: what the import stores as a dossier's handling time.

    For a local day d, `day(d)` gives (D, before, working): D the working days from 0001-01-01 up to
    d inclusive, `before` those before d, `working` 1 when d is a working day. For an instant on day d
    at minute m, W = minutes_per_day * before + working * `so_far_table[m]` counts the office minutes up to
    it. So `working_days_between(a, b)` is D(b) - D(a) and `working_minutes_between(s, e)` is W(e) - W(s)
    (tests/dossiers/test_working_minutes.py holds them to it): the import computes the parts per distinct day
    and minute and the facts by subtraction. The same closed form in SQL refreshes the stored facts
    after a calendar change (dossiers.importing.summaries.handling_facts_sql).
    """

    def __init__(self, holidays: Collection[dt.date] = (), windows: Sequence[tuple[int, int]] = DEFAULT_OFFICE_HOURS):
        self._holidays = sorted(day.toordinal() for day in holidays if day.weekday() not in WEEKEND)
        self.windows = tuple(windows)
        self.minutes_per_day = sum(last - first for first, last in self.windows)
        self._days: dict[dt.date, tuple[int, int, int]] = {}
        # The office minutes of a working day before each of its minutes (0..1440), looked up by minute.
        self.so_far_table = tuple(
            sum(min(max(m - first, 0), last - first) for first, last in self.windows) for m in range(1441)
        )

    def day(self, day: dt.date) -> tuple[int, int, int]:
        parts = self._days.get(day)
        if parts is None:
            ordinal = day.toordinal()
            n = ordinal - 1  # days since 0001-01-01, a Monday
            weekdays = 5 * (n // 7) + min(n % 7 + 1, 5)
            holidays = bisect.bisect_right(self._holidays, ordinal)  # those on a weekday up to `day`
            is_holiday = holidays > 0 and self._holidays[holidays - 1] == ordinal
            working = int(n % 7 < 5 and not is_holiday)
            total = weekdays - holidays
            parts = self._days[day] = (total, total - working, working)
        return parts

    def working_minutes_to(self, day: dt.date, minute: int) -> int:
        """W: the office minutes of working days from 0001-01-01 up to minute `minute` of `day`."""
        _total, before, working = self.day(day)
        return self.minutes_per_day * before + working * self.so_far_table[minute]

    def handling(self, received: tuple[dt.date, int], end: tuple[dt.date, int]) -> tuple[int, int, int]:
        """(minutes, working days, working minutes) from `received` to `end`, each (local day, second of it).

        Minutes are rounded to the nearest (half a minute up); working minutes count whole minutes.
        """
        (start_day, start_second), (end_day, end_second) = received, end
        seconds = (end_day - start_day).days * 86400 + end_second - start_second
        return (
            (seconds + 30) // 60,
            self.day(end_day)[0] - self.day(start_day)[0],
            self.working_minutes_to(end_day, end_second // 60) - self.working_minutes_to(start_day, start_second // 60),
        )


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
