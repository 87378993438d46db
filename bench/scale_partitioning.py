"""Partitioning measurements of bench/dossiers_scale.py --partitioning (run through that script).

Copies of the dossier table in the bench database: by receipt month (RANGE), by province (LIST, one
partition per province) and by province (HASH, 8 partitions), each with the project's partial
indexes and its unique key (which must contain the partition key). Timed against the unpartitioned
table: the copy itself, an upsert of one province's month (half new, half changed; rolled back),
the duplicate a receipt-date correction makes under a month key, the main queries, and retention.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time

from django.db import connection, transaction

from bench.scale_measure import out

HASH_PARTITIONS = 8
COLUMNS = None


class Rollback(Exception):
    pass


def _columns(cursor) -> str:
    cursor.execute(
        "SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) FROM pg_attribute"
        " WHERE attrelid = 'dossiers_dossier'::regclass AND attnum > 0 AND NOT attisdropped"
    )
    return cursor.fetchone()[0]


LAYOUTS = {
    # name: (PARTITION BY clause, unique key)
    "month": ("RANGE (received_month)", "receiving_unit_id, receipt_number, received_month"),
    "list": ("LIST (province_id)", "receiving_unit_id, receipt_number, province_id"),
    "hash": ("HASH (province_id)", "receiving_unit_id, receipt_number, province_id"),
}
PARTIAL_INDEXES = [
    "(outcome, due_date) WHERE outcome IN ('pending', 'late', 'overdue')",
    "(province_id, received_month) WHERE outcome IN ('late', 'overdue')",
    "(province_id, due_date, id) INCLUDE (received_month) WHERE outcome IN ('late', 'overdue')",
]


def build(cursor, layout: str, rows: int) -> float | None:
    table = f"part_{layout}"
    cursor.execute("SELECT to_regclass(%s)", [table])
    if cursor.fetchone()[0]:
        cursor.execute(f"SELECT count(*) FROM {table}")
        if cursor.fetchone()[0] == rows:
            return None
        cursor.execute(f"DROP TABLE {table}")
    by, key = LAYOUTS[layout]
    cursor.execute(f"CREATE TABLE {table} (LIKE dossiers_dossier INCLUDING DEFAULTS) PARTITION BY {by}")
    if layout == "month":
        cursor.execute("SELECT min(received_month), max(received_month) FROM dossiers_dossier")
        low, high = cursor.fetchone()
        month = low
        while month <= high:
            following = (month + dt.timedelta(days=32)).replace(day=1)
            cursor.execute(
                f"CREATE TABLE {table}_{month:%Y%m} PARTITION OF {table} FOR VALUES FROM (%s) TO (%s)",
                [month, following],
            )
            month = following
    elif layout == "list":
        cursor.execute("SELECT DISTINCT province_id FROM dossiers_dossier ORDER BY 1")
        for (province_id,) in cursor.fetchall():
            cursor.execute(f"CREATE TABLE {table}_{province_id} PARTITION OF {table} FOR VALUES IN ({province_id})")
    else:
        for remainder in range(HASH_PARTITIONS):
            cursor.execute(
                f"CREATE TABLE {table}_{remainder} PARTITION OF {table}"
                f" FOR VALUES WITH (MODULUS {HASH_PARTITIONS}, REMAINDER {remainder})"
            )
    cursor.execute(
        f"CREATE TABLE IF NOT EXISTS {table}_default PARTITION OF {table} DEFAULT"
    ) if layout != "hash" else None
    started = time.perf_counter()
    cursor.execute("SET maintenance_work_mem = '512MB'")
    cursor.execute(f"INSERT INTO {table} SELECT * FROM dossiers_dossier")
    out(f"  part_{layout}: rows copied (no index yet) {time.perf_counter() - started:8.1f} s")
    cursor.execute(f"ALTER TABLE {table} ADD PRIMARY KEY (id, {by.split('(')[1].rstrip(')')})")
    cursor.execute(f"ALTER TABLE {table} ADD UNIQUE ({key})")
    for number, definition in enumerate(PARTIAL_INDEXES):
        cursor.execute(f"CREATE INDEX {table}_i{number} ON {table} {definition}")
    cursor.execute(f"VACUUM ANALYZE {table}")
    return time.perf_counter() - started


def p50(fn, repeats: int = 5) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 1)


def run(args) -> dict:
    figures: dict = {"build_s": {}, "queries": {}, "sizes_mb": {}}
    out("## partitioning (copies of the dossier table)")
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
        cursor.execute("SET work_mem = '64MB'")
        global COLUMNS
        COLUMNS = _columns(cursor)
        cursor.execute("SELECT count(*) FROM dossiers_dossier")
        rows = cursor.fetchone()[0]
        for layout in LAYOUTS:
            seconds = build(cursor, layout, rows)
            if seconds is None:
                out(f"  part_{layout}: reusing the copy")
            else:
                figures["build_s"][layout] = round(seconds, 1)
                out(f"  part_{layout}: copy + keys + indexes {seconds:8.1f} s  ({rows / seconds:,.0f} rows/s)")
        tables = {"none": "dossiers_dossier", **{layout: f"part_{layout}" for layout in LAYOUTS}}
        for layout, table in tables.items():
            cursor.execute(
                "SELECT pg_total_relation_size(%s::regclass)", [table]
            ) if layout == "none" else cursor.execute(
                "SELECT sum(pg_total_relation_size(inhrelid)) FROM pg_inherits WHERE inhparent = %s::regclass", [table]
            )
            figures["sizes_mb"][layout] = round(float(cursor.fetchone()[0]) / 1e6)
        out("  total size (table + indexes) MB: " + ", ".join(f"{k} {v:,}" for k, v in figures["sizes_mb"].items()))

        # The province and month the queries read.
        cursor.execute("SELECT province_id FROM dossiers_dossier GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")
        province = cursor.fetchone()[0]
        cursor.execute("SELECT max(received_month) FROM dossiers_dossier")
        last = cursor.fetchone()[0]
        full_month = (last - dt.timedelta(days=1)).replace(day=1)
        first = (last - dt.timedelta(days=330)).replace(day=1)
        today = dt.date.today()

        # A province's month to upsert: half its stored dossiers changed, as many new ones.
        cursor.execute("DROP TABLE IF EXISTS part_stage, part_pairs, part_corrected")
        cursor.execute(
            """CREATE TEMP TABLE part_stage AS
                SELECT * FROM dossiers_dossier WHERE province_id = %s AND received_month = %s""",
            [province, full_month],
        )
        cursor.execute("SELECT count(*), max(id) FROM part_stage")
        month_rows, _max = cursor.fetchone()
        cursor.execute("SELECT max(id) FROM dossiers_dossier")
        top = cursor.fetchone()[0]
        cursor.execute("DELETE FROM part_stage WHERE id % 2 = 0")
        cursor.execute("UPDATE part_stage SET status = 'finished', updated_at = now(), paused_days = paused_days + 1")
        renamed = ", ".join(
            "id + %s" if name == "id" else "receipt_number || 'N'" if name == "receipt_number" else name
            for name in COLUMNS.split(", ")
        )
        cursor.execute(f"INSERT INTO part_stage ({COLUMNS}) SELECT {renamed} FROM part_stage", [top])
        cursor.execute("SELECT count(*) FROM part_stage")
        staged = cursor.fetchone()[0]
        cursor.execute("ANALYZE part_stage")
        # 1,000 (unit, receipt) pairs to look up without their month (what an import's compare does).
        cursor.execute(
            """CREATE TEMP TABLE part_pairs AS SELECT receiving_unit_id, receipt_number
               FROM dossiers_dossier WHERE province_id = %s AND id %% 997 = 0 LIMIT 1000""",
            [province],
        )
        cursor.execute("ANALYZE part_pairs")

    updates = "status = EXCLUDED.status, paused_days = EXCLUDED.paused_days, updated_at = EXCLUDED.updated_at"
    queries = {
        f"upsert one province-month ({staged:,} rows: half new), rolled back": lambda t, key: _rolled_back(
            f"INSERT INTO {t} ({COLUMNS}) SELECT {COLUMNS} FROM part_stage ON CONFLICT ({key}) DO UPDATE SET {updates}"
        ),
        "late list first page (province, 12 months)": lambda t, key: _fetch(
            f"""SELECT id FROM {t} WHERE province_id = {province} AND received_month BETWEEN '{first}' AND '{last}'
                AND due_date >= '{first}' AND outcome IN ('late', 'overdue') ORDER BY due_date, id LIMIT 50"""
        ),
        "late count (province, 12 months)": lambda t, key: _fetch(
            f"""SELECT count(*) FROM {t} WHERE province_id = {province} AND received_month BETWEEN '{first}' AND '{last}'
                AND outcome IN ('late', 'overdue')"""
        ),
        "overdue job's selection (pending, due passed)": lambda t, key: _fetch(
            f"SELECT count(*) FROM {t} WHERE outcome = 'pending' AND due_date < '{today + dt.timedelta(days=1)}'"
        ),
        "GROUP BY, whole table": lambda t, key: _fetch(
            f"SELECT receiving_unit_id, agency_id, channel, procedure_level, received_month, count(*) FROM {t}"
            " GROUP BY 1, 2, 3, 4, 5"
        ),
        "GROUP BY, one province": lambda t, key: _fetch(
            f"SELECT receiving_unit_id, agency_id, channel, procedure_level, received_month, count(*) FROM {t}"
            f" WHERE province_id = {province} GROUP BY 1, 2, 3, 4, 5"
        ),
        "GROUP BY, one month": lambda t, key: _fetch(
            f"SELECT receiving_unit_id, agency_id, channel, procedure_level, count(*) FROM {t}"
            f" WHERE received_month = '{full_month}' GROUP BY 1, 2, 3, 4"
        ),
        "1,000 lookups by (unit, receipt), no month": lambda t, key: _fetch(
            f"SELECT count(*) FROM {t} d JOIN part_pairs p USING (receiving_unit_id, receipt_number)"
        ),
        "1,000 lookups by (unit, receipt), province known": lambda t, key: _fetch(
            f"""SELECT count(*) FROM {t} d JOIN part_pairs p USING (receiving_unit_id, receipt_number)
                WHERE d.province_id = {province}"""
        ),
        "retention: remove the oldest month, rolled back": lambda t, key: _retention(t),
    }
    keys = {
        "none": "receiving_unit_id, receipt_number",
        **{layout: LAYOUTS[layout][1] for layout in LAYOUTS},
    }
    out(f"  {'(p50 of 5, ms)':<58} " + " ".join(f"{name:>10}" for name in tables))
    for label, make in queries.items():
        row = {}
        for layout, table in tables.items():
            row[layout] = p50(
                lambda make=make, table=table, layout=layout: make(table, keys[layout]),
                2 if "whole table" in label else 3 if "GROUP" in label or "upsert" in label else 5,
            )
        figures["queries"][label] = row
        out(f"  {label:<58} " + " ".join(f"{row[name]:>10,.1f}" for name in tables))

    figures["correction"] = correction(tables, keys)
    figures["month_rows"] = month_rows
    return figures


def _fetch(sql: str):
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


def _rolled_back(sql: str):
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
            raise Rollback
    except Rollback:
        pass


def _retention(table: str):
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(received_month) FROM dossiers_dossier")
        oldest = cursor.fetchone()[0]
    if table == "part_month":
        return _rolled_back(f"ALTER TABLE part_month DETACH PARTITION part_month_{oldest:%Y%m}")
    return _rolled_back(f"DELETE FROM {table} WHERE received_month = '{oldest}'")


def correction(tables: dict, keys: dict) -> dict:
    """A source corrects the receipt date of 1,000 dossiers across a month boundary; the import upserts them."""
    out("  receipt-date correction across a month boundary (1,000 dossiers re-imported, rolled back):")
    results = {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"""CREATE TEMP TABLE part_corrected AS
                SELECT {COLUMNS} FROM dossiers_dossier
                WHERE received_at::date = (date_trunc('month', received_at) + interval '1 month - 1 day')::date
                LIMIT 1000"""
        )
        cursor.execute(
            "UPDATE part_corrected SET received_at = received_at + interval '1 day',"
            " received_month = (received_month + interval '1 month')::date"
        )
    for layout, table in tables.items():
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    f"""INSERT INTO {table} ({COLUMNS}) SELECT {COLUMNS} FROM part_corrected
                        ON CONFLICT ({keys[layout]}) DO UPDATE SET received_at = EXCLUDED.received_at,
                        received_month = EXCLUDED.received_month"""
                )
                cursor.execute(
                    f"""SELECT count(*) FROM (SELECT 1 FROM {table} d JOIN part_corrected c
                        USING (receiving_unit_id, receipt_number)
                        GROUP BY receiving_unit_id, receipt_number HAVING count(*) > 1) x"""
                )
                results[layout] = cursor.fetchone()[0]
                raise Rollback
        except Rollback:
            pass
        out(f"    {table:<20} dossiers stored twice after the upsert: {results[layout]:,}")
    # The key without the month cannot be declared on the month-partitioned table.
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("ALTER TABLE part_month ADD UNIQUE (receiving_unit_id, receipt_number)")
    except Exception as error:  # the error PostgreSQL gives is the point
        message = str(error).strip().splitlines()[0]
        results["unique_without_month"] = message
        out(f"    ALTER TABLE part_month ADD UNIQUE (receiving_unit_id, receipt_number): {message}")
    return results
