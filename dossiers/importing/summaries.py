"""Dossier summaries: kept by deltas (imports, the overdue job), rebuilt by a full recompute."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import connection, transaction

from cchc_portal.lib.workdays import parse_office_hours


def backend() -> str:
    return "postgresql" if connection.vendor == "postgresql" else "sqlite"


# The fields of a dossier its summary flows depend on, besides the unit (part of the key).
FLOW_COLUMNS = ["agency_id", "channel", "procedure_level", "received_month", "closed_month", "overdue_month", "outcome"]
# The Decision 766 facts the service-index flows depend on (see SERVICE_FLOWS).
SERVICE_COLUMNS = ["late_766", "online_766", "e_result", "fee_bearing", "paid_online", "digitised", "reused", "vneid",
                   "complaint"]  # fmt: skip
FLOW_COLUMNS += SERVICE_COLUMNS
# What the handling-time summary depends on besides those: the facts stored on the dossier (see HANDLING_FLOWS).
HANDLING_COLUMNS = ["procedure_id", "handling_minutes", "handling_working_days", "handling_working_minutes"]
FLOW_COLUMNS += HANDLING_COLUMNS

_FINISHED = "x.outcome IN ('early', 'on_time', 'late')"
# Summary column → (its count over dossier rows `x`, the month it counts in: "received" or "closed").
# Booleans are tested bare (true/1) or with IS NULL, so the same SQL runs on PostgreSQL and SQLite.
SERVICE_FLOWS: dict[str, tuple[str, str]] = {
    "svc_online": ("x.online_766", "received"),
    # Closed (any way: the end of processing) and not late by the 766 rules.
    "svc_closed_on_time": ("x.late_766 IS NOT NULL AND NOT x.late_766", "closed"),
    "svc_fee_known": ("x.fee_bearing AND x.paid_online IS NOT NULL", "received"),
    "svc_paid_online": ("x.fee_bearing AND x.paid_online", "received"),
    "svc_eresult_known": (f"{_FINISHED} AND x.e_result IS NOT NULL", "closed"),
    "svc_eresult": (f"{_FINISHED} AND x.e_result", "closed"),
    "svc_digitised_known": ("x.digitised IS NOT NULL", "received"),
    # Components digitised on receipt and, once finished, an electronic result (where the export records it).
    "svc_digitised": (f"x.digitised AND (x.e_result IS NULL OR x.e_result OR NOT ({_FINISHED}))", "received"),
    "svc_reuse_known": ("x.reused IS NOT NULL", "received"),
    "svc_reused": ("x.reused", "received"),
    "svc_vneid_known": ("x.vneid IS NOT NULL", "received"),
    "svc_vneid": ("x.vneid", "received"),
    "svc_complaint_known": ("x.complaint IS NOT NULL", "received"),
    "svc_complaint": ("x.complaint", "received"),
}

# The late list's counts: dossiers received in the month that are late or overdue now
# (the outcome is a flow column, so a dossier turning overdue or late moves its count).
RECEIPT_FLOWS: dict[str, tuple[str, str]] = {
    "late_by_receipt": ("x.outcome = 'late'", "received"),
    "overdue_by_receipt": ("x.outcome = 'overdue'", "received"),
}
# Every summary column counted with its month like the service flows.
MONTH_FLOWS = {**SERVICE_FLOWS, **RECEIPT_FLOWS}

# Summaries are maintained by adding deltas, so their writers (imports, the daily overdue
# job, the full recompute) must not interleave: each holds this lock until it commits.
WRITE_LOCK_KEY = 7_301_025


def lock_dossier_writes(cursor) -> None:
    """Serialise dossier writers until the end of the transaction (SQLite serialises writes anyway)."""
    if backend() == "postgresql":
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [WRITE_LOCK_KEY])


# --- summaries -----------------------------------------------------------------------

# Summary column → the name of its flow in the queries below.
SUMMARY_FLOWS = {
    "received": "received",
    "closed": "closed",
    "finished_early": "early",
    "finished_on_time": "on_time",
    "finished_late": "late",
    "overdue_opened": "oo",
    "overdue_closed": "oc",
    **{column: column for column in MONTH_FLOWS},
}
SUMMARY_COLUMNS = ", ".join(
    ["receiving_unit_id", "province_id", "agency_id", "month", "channel", "procedure_level", *SUMMARY_FLOWS]
)
FLOW_SUMS = ", ".join(f"sum({flow}) AS {flow}" for flow in SUMMARY_FLOWS.values())


# The key of `flow_groups_sql`'s rows; the province (p) follows from the unit, every other column is a count.
FLOW_GROUP_KEY = ["u", "a", "c", "l", "rm", "cm", "om", "o"]


def flow_groups_sql(source: str, sign: int = 1) -> str:
    """The dossier rows of `source` (a table or a subquery) counted per unit and flow fields.

    `sign` -1 counts them negatively (rows whose flows are taken away). Grouping first
    makes the three monthly flows below come from a few thousand rows, not one per dossier.
    The province follows from the unit (max() of one value), so it is not a grouping key.
    The column path of the import runs this same query in polars on the rows it stages
    (`columnar.ReadGroups`): keep it to what both read alike (CASE WHEN, IS NULL, IN).
    """
    return f"""
        SELECT receiving_unit_id AS u, max(province_id) AS p, agency_id AS a, channel AS c, procedure_level AS l,
               received_month AS rm, closed_month AS cm, overdue_month AS om, outcome AS o, {sign} * count(*) AS n,
               {_service_sums(sign)}
        FROM {source} x
        GROUP BY receiving_unit_id, agency_id, channel, procedure_level, received_month, closed_month,
                 overdue_month, outcome"""


def _grouped_cte(name: str, source: str, sign: int = 1) -> str:
    """A CTE `name`: `flow_groups_sql` of `source`."""
    return f"{name} AS ({flow_groups_sql(source, sign)}\n    )"


def _service_sums(sign: int) -> str:
    return ", ".join(
        f"{sign} * sum(CASE WHEN {expression} THEN 1 ELSE 0 END) AS {column}"
        for column, (expression, _month) in MONTH_FLOWS.items()
    )


def _service_flows(month: str | None) -> str:
    """The service columns of one branch of `_flows_sql`: the grouped count where it counts in `month`, else 0."""
    return ", ".join(
        f"{column} AS {column}" if counts_in == month else f"0 AS {column}"
        for column, (_expression, counts_in) in MONTH_FLOWS.items()
    )


def _flows_sql(name: str) -> str:
    """The monthly flows of grouped CTE `name`: received in rm; closed (by outcome) in cm; overdue in om."""
    return f"""
        SELECT u, p, COALESCE(a, 0) AS a, c, l, rm AS month, n AS received, 0 AS closed, 0 AS early, 0 AS on_time, 0 AS late,
               0 AS oo, 0 AS oc, {_service_flows("received")} FROM {name}
        UNION ALL
        SELECT u, p, COALESCE(a, 0), c, l, cm, 0, n, CASE WHEN o = 'early' THEN n ELSE 0 END,
               CASE WHEN o = 'on_time' THEN n ELSE 0 END, CASE WHEN o = 'late' THEN n ELSE 0 END,
               0, CASE WHEN om IS NOT NULL THEN n ELSE 0 END, {_service_flows("closed")}
        FROM {name} WHERE cm IS NOT NULL
        UNION ALL
        SELECT u, p, COALESCE(a, 0), c, l, om, 0, 0, 0, 0, 0, n, 0, {_service_flows(None)} FROM {name} WHERE om IS NOT NULL"""


def _summary_select_sql() -> str:
    """Every summary row (in SUMMARY_COLUMNS order) computed from the dossiers."""
    return f"""
        WITH {_grouped_cte("g", "dossiers_dossier")}
        SELECT u, p, NULLIF(a, 0), month, c, l, {FLOW_SUMS}
        FROM ({_flows_sql("g")}) f
        GROUP BY u, p, a, c, l, month
    """


def apply_flow_delta(
    cursor,
    *,
    new: str,
    old: str,
    handling: bool = True,
    handling_new: str | None = None,
    new_grouped: str | None = None,
) -> int:
    """Add the flows of the dossier rows `new`, take away those of the rows `old`.

    `new` and `old` are tables or subqueries with the dossier's unit, province and flow
    columns: the rows as they will be and as they were. Returns the number of summary
    keys that changed. Needs `lock_dossier_writes`. The handling-time summary gets the
    same rows' difference (`apply_handling_delta`, which reads `new`'s rows already grouped
    from `handling_new` when given; `handling=False` leaves it out: the bench's baseline only).
    `new_grouped`: a table holding `flow_groups_sql(new)` already (the column path groups
    the rows it reads), read instead of grouping `new`.
    """
    if handling:
        apply_handling_delta(cursor, new=new, old=old, new_grouped=handling_new)
    nonzero = " OR ".join(f"sum({flow}) <> 0" for flow in SUMMARY_FLOWS.values())
    cursor.execute("DROP TABLE IF EXISTS dossier_delta")
    cursor.execute(
        f"""
        CREATE TEMP TABLE dossier_delta AS
        WITH {f"gn AS (SELECT * FROM {new_grouped})" if new_grouped else _grouped_cte("gn", new)},
             {_grouped_cte("go", old, sign=-1)}
        SELECT u, p, a, month, c, l, {FLOW_SUMS}
        FROM ({_flows_sql("gn")} UNION ALL {_flows_sql("go")}) f
        GROUP BY u, p, a, c, l, month
        HAVING {nonzero}
        """
    )
    cursor.execute("SELECT count(*) FROM dossier_delta")
    touched = cursor.fetchone()[0]
    if not touched:
        return 0
    key = """dossiers_dossiersummary.receiving_unit_id = d.u AND COALESCE(dossiers_dossiersummary.agency_id, 0) = d.a
             AND dossiers_dossiersummary.month = d.month AND dossiers_dossiersummary.channel = d.c
             AND dossiers_dossiersummary.procedure_level = d.l"""
    increments = ", ".join(
        f"{column} = dossiers_dossiersummary.{column} + d.{flow}" for column, flow in SUMMARY_FLOWS.items()
    )
    cursor.execute(
        f"""UPDATE dossiers_dossiersummary SET {increments}
            FROM dossier_delta d WHERE {key}"""
    )
    cursor.execute(
        f"""INSERT INTO dossiers_dossiersummary ({SUMMARY_COLUMNS})
            SELECT u, p, NULLIF(a, 0), month, c, l, {", ".join(SUMMARY_FLOWS.values())}
            FROM dossier_delta d WHERE NOT EXISTS (SELECT 1 FROM dossiers_dossiersummary WHERE {key})"""
    )
    # A key whose every flow is back to 0 (its dossiers moved elsewhere) is not kept.
    cursor.execute(
        f"""DELETE FROM dossiers_dossiersummary
            WHERE {" AND ".join(f"{column} = 0" for column in SUMMARY_FLOWS)}
              AND EXISTS (SELECT 1 FROM dossier_delta d WHERE {key})"""
    )
    return touched


# --- handling time ----------------------------------------------------------------------

# Decision 766's average handling time per procedure: finished dossiers by their month of
# receipt, from receipt to the end of processing (the first of processed and result
# returned), in elapsed minutes, in working days (Saturdays, Sundays and
# `dossiers.Holiday` do not count; the day of receipt is not counted: lib.workdays) and in
# working minutes (the minutes inside the office windows of working days,
# settings.CCHC_OFFICE_HOURS: a limit in hours counts working hours).
# All three are stored on the dossier when it is written, computed by the import's parsers as
# they read the row (lib.workdays.WorkingClock: no per-row SQL in the write), so the deltas and
# the recompute only sum them; a change of the holidays (or of the office hours) refreshes the
# stored facts with the same closed form in SQL (`handling_facts_sql`, `refresh_handling_days`,
# run by the full recompute that a holiday's save enqueues).
HANDLING_FACTS = ["handling_minutes", "handling_working_days", "handling_working_minutes"]
HANDLING_FLOWS = ["finished", *HANDLING_FACTS]
HANDLING_KEY = ["procedure_id", "receiving_unit_id", "agency_id", "month"]
_FINISHED_OUTCOMES = "('early', 'on_time', 'late')"

# Days are counted from 0001-01-01, a Monday, so day n is a Saturday or Sunday when n % 7 is 5 or 6
# and the weekdays up to day n are 5 * (n / 7) + min(n % 7 + 1, 5), for every date PostgreSQL and
# SQLite store. Vietnam is UTC+7 all year (no DST): the local day is the UTC instant moved on 7 hours.
_DAYS_TO_UNIX_EPOCH = 719_162  # 0001-01-01 .. 1970-01-01
_JULIAN_DAY_ONE = 1_721_425.5  # julianday('0001-01-01')


def _end_of_processing(x: str) -> str:
    return (
        f"CASE WHEN {x}.returned_at IS NOT NULL AND {x}.returned_at < {x}.finished_at "
        f"THEN {x}.returned_at ELSE {x}.finished_at END"
    )


def _weekdays_up_to(day: str) -> str:
    """The weekdays from day 0 (0001-01-01, a Monday) to day number `day`, inclusive.

    Five a week, plus min(n mod 7 + 1, 5) of the last week; n mod 7 as n - 7 * (n / 7): no `%`,
    which the drivers read as a placeholder when the statement has parameters.
    """
    least = "LEAST" if backend() == "postgresql" else "min"
    return f"(5 * ({day} / 7) + {least}({day} - 7 * ({day} / 7) + 1, 5))"


def _local_day_number(timestamp: str) -> str:
    """The number of the local (UTC+7) day of `timestamp`, counted from 0001-01-01."""
    if backend() == "postgresql":
        return f"(floor((date_part('epoch', {timestamp}) + 25200) / 86400)::int + {_DAYS_TO_UNIX_EPOCH})"
    return f"CAST(julianday({timestamp}, '+7 hours') - {_JULIAN_DAY_ONE} AS INTEGER)"


def _local_minute_of_day(timestamp: str) -> str:
    """The minute of the local (UTC+7) day of `timestamp`, 0..1439 (seconds dropped).

    SQLite: from whole seconds since 1970 (julianday, rounded to the second; no strftime, whose
    `%` the drivers read as a placeholder) by integer division, exact for instants after 1970.
    """
    if backend() == "postgresql":
        local = f"(date_part('epoch', {timestamp}) + 25200)"
        return f"(floor({local} / 60)::int - 1440 * floor({local} / 86400)::int)"
    local = f"(CAST(floor((julianday({timestamp}) - 2440587.5) * 86400 + 0.5) AS INTEGER) + 25200)"
    return f"({local} / 60 - 1440 * ({local} / 86400))"


def _holidays_up_to(timestamp: str, days_before: int = 0) -> str:
    """The holidays on a weekday up to the local day of `timestamp` (PostgreSQL: a binary search in
    the sorted array of their local midnights, read once per statement; SQLite: a count).

    `days_before` 1: up to the day before (the difference of the two tells whether that day is a holiday).
    """
    if backend() == "postgresql":
        holidays = (
            "(SELECT array_agg(CAST(date AS timestamp) AT TIME ZONE 'Asia/Ho_Chi_Minh' ORDER BY date)"
            " FROM dossiers_holiday WHERE extract(isodow FROM date) < 6)"
        )
        if days_before:
            timestamp = f"{timestamp} - interval '{days_before} day'"
        return f"COALESCE(width_bucket({timestamp}, {holidays}), 0)"
    holiday = f"CAST(julianday(h.date) - {_JULIAN_DAY_ONE} AS INTEGER)"
    shift = f", '-{days_before} days'" if days_before else ""
    return (
        f"(SELECT count(*) FROM dossiers_holiday h WHERE h.date <= date({timestamp}, '+7 hours'{shift})"
        f" AND {holiday} - 7 * ({holiday} / 7) < 5)"
    )


def office_windows() -> tuple[tuple[int, int], ...]:
    """settings.CCHC_OFFICE_HOURS as (start, end) minutes of the day."""
    return parse_office_hours(settings.CCHC_OFFICE_HOURS)


def _office_minutes_so_far(minute: str, windows) -> str:
    """The office minutes of a working day before its minute `minute`: sum of min(max(m - start, 0), length)."""
    least, greatest = ("LEAST", "GREATEST") if backend() == "postgresql" else ("min", "max")
    return "(" + " + ".join(f"{least}({greatest}({minute} - {a}, 0), {b - a})" for a, b in windows) + ")"


def _working_minutes_to(day: str, minute: str, holidays: str, holidays_before: str, windows) -> str:
    """W(t): the office minutes of working days from day 0 up to the instant t (local day number `day`,
    minute of the day `minute`, `holidays` up to its day and `holidays_before` up to the day before).

    The working days before t's day times the minutes of a whole day, plus, when t's day is a working
    day, its office minutes up to t. Closed form, no calendar join; the difference of two gives the
    working minutes between them.
    """
    per_day = sum(b - a for a, b in windows)
    weekday = f"(CASE WHEN {day} - 7 * ({day} / 7) < 5 THEN 1 ELSE 0 END)"  # day 0 is a Monday
    # The working days before t's day: the weekdays up to it, less itself if a weekday, less the holidays before it.
    before = f"({_weekdays_up_to(day)} - {weekday} - {holidays_before})"
    # 1 when t's day is a weekday and not a holiday (no holiday up to it that was not up to the day before), else 0.
    today = f"({weekday} - ({holidays} - {holidays_before}))"
    return f"({per_day} * {before} + {today} * {_office_minutes_so_far(minute, windows)})"


def _facts(x: str, end: str, parts: dict[str, str]) -> dict[str, str]:
    """The facts from `parts`: the local day numbers (received_day, end_day), minutes of the day
    (received_minute, end_minute) and holidays up to those days and the days before them
    (received_holidays, end_holidays, received_holidays_before, end_holidays_before)."""
    if backend() == "postgresql":
        minutes = f"floor((date_part('epoch', {end}) - date_part('epoch', {x}.received_at)) / 60 + 0.5)::bigint"
    else:
        minutes = f"CAST(floor((julianday({end}) - julianday({x}.received_at)) * 1440 + 0.5) AS INTEGER)"
    # Working days in (day of receipt, end day]: the difference of their working-day ordinals, each the
    # weekdays since day 0 in closed form minus the holidays on a weekday up to it. Arithmetic on the day
    # numbers, not a join with a calendar.
    days = (
        f"{_weekdays_up_to(parts['end_day'])} - {parts['end_holidays']}"
        f" - {_weekdays_up_to(parts['received_day'])} + {parts['received_holidays']}"
    )
    # Working minutes: W(end) - W(receipt), W as `_working_minutes_to` (office windows from the settings).
    windows = office_windows()
    working_minutes = " - ".join(
        _working_minutes_to(
            parts[f"{at}_day"], parts[f"{at}_minute"], parts[f"{at}_holidays"], parts[f"{at}_holidays_before"], windows
        )
        for at in ("end", "received")
    )
    finished = f"{x}.outcome IN {_FINISHED_OUTCOMES}"
    return {
        "handling_minutes": f"CASE WHEN {finished} THEN {minutes} END",
        "handling_working_days": f"CASE WHEN {finished} THEN {days} END",
        "handling_working_minutes": f"CASE WHEN {finished} THEN {working_minutes} END",
    }


def _parts_sql(received: str, end: str) -> dict[str, str]:
    """`_facts`' parts of the instants `received` and `end` as SQL expressions."""
    parts = {}
    for at, timestamp in (("received", received), ("end", end)):
        parts[f"{at}_day"] = _local_day_number(timestamp)
        parts[f"{at}_minute"] = _local_minute_of_day(timestamp)
        parts[f"{at}_holidays"] = _holidays_up_to(timestamp)
        parts[f"{at}_holidays_before"] = _holidays_up_to(timestamp, days_before=1)
    return parts


def handling_facts_sql(x: str) -> dict[str, str]:
    """The stored handling facts of the dossier row `x` (its outcome and three timestamps) as SQL.

    Minutes from receipt to the end of processing (half a minute rounds up), the working
    days between their local days and the working minutes between them (lib.workdays.
    working_minutes_between); NULL when the dossier is not finished (early, on time, late).
    """
    end = _end_of_processing(x)
    return _facts(x, end, _parts_sql(f"{x}.received_at", end))


# The columns of a dossier row `handling_grouped_sql` reads.
HANDLING_GROUP_COLUMNS = ["procedure_id", "receiving_unit_id", "province_id", "agency_id", "received_month", "outcome",
                          *HANDLING_FACTS]  # fmt: skip


def handling_grouped_sql(source: str, sign: int = 1, flows: list[str] = HANDLING_FLOWS) -> str:
    """Finished dossiers of `source` per handling key: count and the sums of their stored facts (× sign)."""
    sums = "".join(f", {sign} * COALESCE(sum(x.{fact}), 0) AS {fact}" for fact in flows if fact != "finished")
    return f"""
        SELECT x.procedure_id, x.receiving_unit_id, max(x.province_id) AS province_id,
               COALESCE(x.agency_id, 0) AS agency_id, x.received_month AS month,
               {sign} * count(*) AS finished{sums}
        FROM {source} x WHERE x.outcome IN {_FINISHED_OUTCOMES}
        GROUP BY x.procedure_id, x.receiving_unit_id, COALESCE(x.agency_id, 0), x.received_month"""


# The two handling-time tables: name → (key columns, its rows from a per-unit table `src`).
_UNIT_KEY = ["procedure_id", "receiving_unit_id", "agency_id", "month"]
_PROVINCE_KEY = ["province_id", "month", "procedure_id"]


def _flow_sums(flows: list[str]) -> str:
    return ", ".join(f"sum({flow}) AS {flow}" for flow in flows)


_FLOW_SUMS = _flow_sums(HANDLING_FLOWS)


def _handling_tables(flows: list[str]) -> dict[str, tuple[list[str], str]]:
    """The two handling-time tables: name → (key columns, its rows of `flows` from a per-unit table `src`)."""
    return {
        "dossiers_handlingtimesummary": (
            _UNIT_KEY,
            "SELECT procedure_id, receiving_unit_id, province_id, NULLIF(agency_id, 0) AS agency_id, month, "
            + ", ".join(flows)
            + " FROM {src}",
        ),
        "dossiers_provincehandlingtimesummary": (
            _PROVINCE_KEY,
            f"SELECT province_id, month, procedure_id, {_flow_sums(flows)} FROM {{src}}"
            " GROUP BY province_id, month, procedure_id",
        ),
    }


HANDLING_TABLES = _handling_tables(HANDLING_FLOWS)


def _key_match(key: list[str], left: str, right: str) -> str:
    return " AND ".join(
        f"COALESCE({left}.{c}, 0) = COALESCE({right}.{c}, 0)" if c == "agency_id" else f"{left}.{c} = {right}.{c}"
        for c in key
    )


def _conflict_target(key: list[str]) -> str:
    """The unique key's columns as ON CONFLICT names them (the per-unit key indexes COALESCE(agency_id, 0))."""
    return ", ".join("(COALESCE(agency_id, 0))" if c == "agency_id" else c for c in key)


def _columns(key: list[str], flows: list[str] = HANDLING_FLOWS) -> str:
    extra = ["province_id"] if "receiving_unit_id" in key else []
    return ", ".join([*key, *extra, *flows])


def apply_handling_delta(cursor, *, new: str, old: str, new_grouped: str | None = None) -> int:
    """The handling-time summaries' share of `apply_flow_delta`: add `new`'s finished dossiers, take `old`'s.

    Sums the handling facts the rows carry (stored on the dossier when it was written): no
    calendar, no date arithmetic here. `new_grouped`: a table already holding `new`'s rows
    grouped by `handling_grouped_sql` (the import's write fills one as it writes), read instead.
    """
    added = f"SELECT * FROM {new_grouped}" if new_grouped else handling_grouped_sql(new)
    cursor.execute("DROP TABLE IF EXISTS handling_delta")
    cursor.execute(
        f"""CREATE TEMP TABLE handling_delta AS
            SELECT procedure_id, receiving_unit_id, max(province_id) AS province_id, agency_id, month, {_FLOW_SUMS}
            FROM ({added} UNION ALL {handling_grouped_sql(old, sign=-1)}) f
            GROUP BY procedure_id, receiving_unit_id, agency_id, month
            HAVING {" OR ".join(f"sum({flow}) <> 0" for flow in HANDLING_FLOWS)}"""
    )
    cursor.execute("SELECT count(*) FROM handling_delta")
    touched = cursor.fetchone()[0]
    if touched:
        for table, (key, rows) in HANDLING_TABLES.items():
            cursor.execute("DROP TABLE IF EXISTS handling_delta_rows")
            cursor.execute(f"CREATE TEMP TABLE handling_delta_rows AS {rows.format(src='handling_delta')}")
            match = _key_match(key, table, "d")
            if backend() == "postgresql":
                cursor.execute("ANALYZE handling_delta_rows")
            # Rows taking dossiers away (a negative count: their key exists) by an UPDATE, the rest by
            # one upsert: each delta row probes the unique key once, where an UPDATE ... FROM and an
            # INSERT ... WHERE NOT EXISTS joined the delta with the whole table twice (a month's import
            # touches ~1 row in 12 of a table with about one row per two dossiers). A negative count
            # cannot go through the upsert: its proposed row fails the table's CHECK (finished >= 0).
            increments = ", ".join(f"{flow} = {table}.{flow} + d.{flow}" for flow in HANDLING_FLOWS)
            cursor.execute(
                f"""UPDATE {table} SET {increments}
                    FROM (SELECT * FROM handling_delta_rows WHERE finished < 0) d WHERE {match}"""
            )
            increments = ", ".join(f"{flow} = {table}.{flow} + excluded.{flow}" for flow in HANDLING_FLOWS)
            cursor.execute(
                f"""INSERT INTO {table} ({_columns(key)})
                    SELECT {_columns(key)} FROM handling_delta_rows d WHERE d.finished >= 0
                    ON CONFLICT ({_conflict_target(key)}) DO UPDATE SET {increments}"""
            )
            cursor.execute(
                f"DELETE FROM {table} WHERE finished = 0 AND EXISTS (SELECT 1 FROM handling_delta_rows d WHERE {match})"
            )
    for temp in ("handling_delta_rows", "handling_delta"):
        cursor.execute(f"DROP TABLE IF EXISTS {temp}")
    return touched


def _recompute_handling(cursor, flows: list[str] = HANDLING_FLOWS) -> None:
    """The full recompute of the handling-time summaries, swapped in like the dossier summary's.

    `flows`: the summary columns to rebuild (a migration passes those its schema has).
    """
    cursor.execute("DROP TABLE IF EXISTS handling_grouped")
    cursor.execute(f"CREATE TEMP TABLE handling_grouped AS {handling_grouped_sql('dossiers_dossier', flows=flows)}")
    for table, (key, rows) in _handling_tables(flows).items():
        cursor.execute("DROP TABLE IF EXISTS handling_new")
        cursor.execute(f"CREATE TEMP TABLE handling_new AS {rows.format(src='handling_grouped')}")
        if backend() == "postgresql":
            cursor.execute("ANALYZE handling_new")
        same = " AND ".join(f"s.{flow} = n.{flow}" for flow in flows)
        match = _key_match(key, "s", "n")
        cursor.execute(
            f"DELETE FROM {table} AS s WHERE NOT EXISTS (SELECT 1 FROM handling_new n WHERE {match} AND {same})"
        )
        cursor.execute(
            f"""INSERT INTO {table} ({_columns(key, flows)}) SELECT {_columns(key, flows)} FROM handling_new n
                WHERE NOT EXISTS (SELECT 1 FROM {table} s WHERE {match})"""
        )
    for temp in ("handling_new", "handling_grouped"):
        cursor.execute(f"DROP TABLE {temp}")


def refresh_handling_days(cursor, facts: list[str] = HANDLING_FACTS) -> int:
    """Bring the stored handling facts in line with the holidays as they are now; returns the dossiers changed.

    The working days and working minutes depend on `dossiers.Holiday`, editable data: a holiday
    added, moved or removed changes the facts of the dossiers handled across it (and the working
    minutes on settings.CCHC_OFFICE_HOURS, refreshed here after a change of the office hours). Only
    the rows that differ are written (none when nothing changed). Needs `lock_dossier_writes`; the
    handling summaries are then rebuilt by `_recompute_handling`. `facts`: the stored facts to
    refresh (a migration passes those its schema has).
    """
    facts = {column: sql for column, sql in handling_facts_sql("dossiers_dossier").items() if column in facts}
    assignments = ", ".join(f"{column} = {expression}" for column, expression in facts.items())
    differs = " OR ".join(
        f"dossiers_dossier.{column} IS DISTINCT FROM {expression}" for column, expression in facts.items()
    )
    cursor.execute(f"UPDATE dossiers_dossier SET {assignments} WHERE {differs}")
    return cursor.rowcount


def recompute_all_summaries(*, refresh_facts: bool = False) -> int:
    """Rebuild the whole summary table from the dossiers; returns its number of rows.

    The stored handling facts are refreshed first when the calendar they were computed with
    changed (`_refresh_facts_if_stale`), or always with `refresh_facts=True` (the repair option
    of `manage.py recompute_dossier_summaries --refresh-facts`).

    The repair path (`manage.py recompute_dossier_summaries`, nightly): imports and the
    overdue job keep the summaries up to date by deltas. No reader waits: the new
    summaries are built beside the live table (a temporary table), then swapped in by
    deleting the live rows that differ and inserting the missing ones. DELETE and INSERT
    take no lock a reader waits for (unlike TRUNCATE's ACCESS EXCLUSIVE), so dashboards
    answer from the old figures until the commit, and a nightly run that finds the
    summaries right rewrites nothing (no dead rows, no bloat).
    """
    with transaction.atomic(), connection.cursor() as cursor:
        lock_dossier_writes(cursor)
        if backend() == "postgresql":
            cursor.execute("SET LOCAL work_mem = '128MB'")
            # The summaries can always be rebuilt: no need to wait for the WAL flush.
            cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute("DROP TABLE IF EXISTS dossier_summary_new")
        cursor.execute(
            f"CREATE TEMP TABLE dossier_summary_new AS SELECT {SUMMARY_COLUMNS} FROM dossiers_dossiersummary WHERE 1 = 0"
        )
        cursor.execute(f"INSERT INTO dossier_summary_new ({SUMMARY_COLUMNS}) {_summary_select_sql()}")
        rows = cursor.rowcount
        cursor.execute(
            "CREATE INDEX dossier_summary_new_key ON dossier_summary_new"
            " (receiving_unit_id, month, channel, procedure_level, (COALESCE(agency_id, 0)))"
        )
        if backend() == "postgresql":
            cursor.execute("ANALYZE dossier_summary_new")
        key = """s.receiving_unit_id = n.receiving_unit_id AND COALESCE(s.agency_id, 0) = COALESCE(n.agency_id, 0)
                 AND s.month = n.month AND s.channel = n.channel AND s.procedure_level = n.procedure_level"""
        same = " AND ".join(f"s.{column} = n.{column}" for column in SUMMARY_FLOWS)
        # The swap: what is left of the live table after the DELETE equals a new row, so the
        # INSERT adds exactly the new rows whose key is missing.
        cursor.execute(
            f"""DELETE FROM dossiers_dossiersummary AS s
                WHERE NOT EXISTS (SELECT 1 FROM dossier_summary_new n WHERE {key} AND {same})"""
        )
        cursor.execute(
            f"""INSERT INTO dossiers_dossiersummary ({SUMMARY_COLUMNS})
                SELECT {SUMMARY_COLUMNS} FROM dossier_summary_new n
                WHERE NOT EXISTS (SELECT 1 FROM dossiers_dossiersummary s WHERE {key})"""
        )
        cursor.execute("DROP TABLE dossier_summary_new")
        _refresh_facts_if_stale(cursor, force=refresh_facts)
        _recompute_handling(cursor)
    analyze("dossiers_dossiersummary", *HANDLING_TABLES)
    return rows


# Part of the calendar fingerprint: raise it when `handling_facts_sql` computes a fact differently, so
# the first full recompute after the change refreshes every stored fact.
HANDLING_FACTS_VERSION = 1


def calendar_fingerprint() -> str:
    """What the stored handling facts depend on besides each dossier's own row: the facts and their
    formula's version, the holidays and the office hours."""
    import hashlib
    import json

    from django.conf import settings

    from ..models import Holiday

    basis = {
        "version": HANDLING_FACTS_VERSION,
        "facts": HANDLING_FACTS,
        "holidays": sorted(day.isoformat() for day in Holiday.dates()),
        "office_hours": [list(window) for window in settings.CCHC_OFFICE_HOURS],
    }
    return hashlib.sha256(json.dumps(basis, sort_keys=True).encode()).hexdigest()


def _refresh_facts_if_stale(cursor, *, force: bool = False) -> int | None:
    """Refresh the stored handling facts unless they were refreshed with the current calendar.

    Returns the dossiers changed, or None when skipped. Every import computes the facts with
    the calendar of its day, so facts can only be stale after a change of the calendar, which
    changes the fingerprint (a holiday's save also clears the stored one).
    """
    from django.utils import timezone

    from ..models import HandlingFactsBasis

    current = calendar_fingerprint()
    basis = HandlingFactsBasis.objects.select_for_update().filter(pk=1).first()
    if not force and basis is not None and basis.fingerprint == current:
        return None
    changed = refresh_handling_days(cursor)
    HandlingFactsBasis.objects.update_or_create(pk=1, defaults={"fingerprint": current, "refreshed_at": timezone.now()})
    return changed


def analyze(*tables: str) -> None:
    """Refresh the planner's statistics of tables a writer just changed (PostgreSQL only).

    Autovacuum may be off or behind: without this the planner guessed 8 communes instead
    of 13,372 after an import and the stats page took 1.8 s instead of 64 ms (issue 13).
    Call it after the commit, so the sample sees the new rows.
    """
    if backend() != "postgresql":
        return
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


def refresh_overdue(today: dt.date | None = None) -> int:
    """Daily: unfinished dossiers whose due day has passed become overdue; their flows move."""
    from ..models import local_today

    today = today or local_today()
    next_month = (
        "CAST(date_trunc('month', due_date + 1) AS date)"
        if backend() == "postgresql"
        else "date(due_date, '+1 day', 'start of month')"
    )
    unchanged = [col for col in FLOW_COLUMNS if col not in ("overdue_month", "outcome")]
    with transaction.atomic(), connection.cursor() as cursor:
        lock_dossier_writes(cursor)
        cursor.execute("DROP TABLE IF EXISTS dossier_stored")
        cursor.execute(
            f"""CREATE TEMP TABLE dossier_stored AS
                SELECT id, receiving_unit_id, province_id, due_date, {", ".join(FLOW_COLUMNS)}
                FROM dossiers_dossier WHERE outcome = 'pending' AND due_date < %s""",
            [today],
        )
        becoming = f"""(SELECT receiving_unit_id, province_id, {", ".join(unchanged)},
                        {next_month} AS overdue_month, 'overdue' AS outcome FROM dossier_stored)"""
        apply_flow_delta(cursor, new=becoming, old="dossier_stored")
        cursor.execute(
            f"""UPDATE dossiers_dossier SET outcome = 'overdue', overdue_month = {next_month}
                WHERE id IN (SELECT id FROM dossier_stored)"""
        )
        changed = cursor.rowcount
        for table in ("dossier_stored", "dossier_delta"):
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
    if changed:
        analyze("dossiers_dossier", "dossiers_dossiersummary", *HANDLING_TABLES)
    return changed
