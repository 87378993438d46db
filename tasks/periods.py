"""The reporting periods moved to cchc_portal.lib.periods (shared with reports); kept for old imports."""

from cchc_portal.lib.periods import (  # noqa: F401
    LAST_MONTH,
    ORDER,
    PeriodKind,
    ReportingPeriod,
    period_for,
    periods_of_year,
)
