"""Reporting periods of the national CCHC reporting regime (guidance 581/BNV-CCHC).

Reports are quarterly (Q1), 6-month, 9-month and annual. Each report's data
window runs from the 15th of the month before the period to the 14th of the
period's last month: Q1 15/12 (previous year) – 14/3; 6 months 15/12 – 14/6;
Q3 (the 9-month report) 15/6 – 14/9; year 15/12 – 14/12.

One definition for every app: tasks file progress notes by it, reports open
their rounds by it.

Progress notes are filed under the *first* report whose window has not closed
yet on the day they are written, so 15/12 already belongs to next year's Q1.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class PeriodKind(models.TextChoices):
    Q1 = "q1", _("First quarter")
    H1 = "h1", _("6 months")
    M9 = "m9", _("9 months")
    YEAR = "year", _("Year")


ORDER = [PeriodKind.Q1, PeriodKind.H1, PeriodKind.M9, PeriodKind.YEAR]
# The codes the API and URLs use ("2026-Q3" is the 9-month report).
API_CODES = {PeriodKind.Q1: "Q1", PeriodKind.H1: "H1", PeriodKind.M9: "Q3", PeriodKind.YEAR: "Y"}
# Last month of each period (the window ends on its 14th; the report is due on its 20th).
LAST_MONTH = {PeriodKind.Q1: 3, PeriodKind.H1: 6, PeriodKind.M9: 9, PeriodKind.YEAR: 12}


@dataclass(frozen=True)
class ReportingPeriod:
    year: int
    kind: str

    @property
    def label(self) -> str:
        return f"{PeriodKind(self.kind).label} {self.year}"

    @property
    def window_start(self) -> dt.date:
        if self.kind == PeriodKind.M9:
            return dt.date(self.year, 6, 15)
        return dt.date(self.year - 1, 12, 15)

    @property
    def window_end(self) -> dt.date:
        return dt.date(self.year, LAST_MONTH[PeriodKind(self.kind)], 14)

    @property
    def due_date(self) -> dt.date:
        return dt.date(self.year, LAST_MONTH[PeriodKind(self.kind)], 20)

    @property
    def slug(self) -> str:
        return f"{self.year}-{self.kind}"

    @property
    def code(self) -> str:
        """ "2026-Q3": the form the API takes and gives."""
        return f"{self.year}-{API_CODES[PeriodKind(self.kind)]}"

    @property
    def months(self) -> tuple[dt.date, dt.date]:
        """First and last calendar month (as the 1st) whose data a monthly summary attributes to the period.

        Monthly summaries cannot be cut on the 15th: a period counts the months
        from the one after its window opens to its last month (Q1: January–March).
        """
        first = self.window_start.replace(day=1)
        first = dt.date(first.year + (first.month == 12), first.month % 12 + 1, 1)
        return first, self.window_end.replace(day=1)

    @classmethod
    def from_slug(cls, slug: str) -> ReportingPeriod | None:
        """ "2026-m9" or the API's "2026-Q3"; None for anything else."""
        try:
            year, kind = slug.split("-", 1)
            by_code = {code: k.value for k, code in API_CODES.items()}
            kind = by_code.get(kind.upper(), kind)
            return cls(int(year), PeriodKind(kind).value)
        except (ValueError, TypeError, AttributeError):
            return None


def period_for(date: dt.date) -> ReportingPeriod:
    """The report a note written on `date` belongs to."""
    if date.month == 12 and date.day >= 15:
        return ReportingPeriod(date.year + 1, PeriodKind.Q1.value)
    for kind in ORDER:
        if date <= dt.date(date.year, LAST_MONTH[kind], 14):
            return ReportingPeriod(date.year, kind.value)
    raise AssertionError("unreachable")  # pragma: no cover


def periods_of_year(year: int) -> list[ReportingPeriod]:
    return [ReportingPeriod(year, kind.value) for kind in ORDER]
