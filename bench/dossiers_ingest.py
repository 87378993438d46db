"""Dossier ingest benchmark on this machine's PostgreSQL.

    python bench/dossiers_ingest.py --rows 1000000 [--skip-import-export] [--ratio-only | --766-only]

Uses its own database (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/cchc_bench_dossiers),
migrated and loaded with the demo province. Prints:
  1. generation of the synthetic export;
  2. raw COPY of the same file into an unindexed all-text table (the physical limit);
  3. end-to-end import (`manage.py import_dossiers` in a child process: read, validate, stage, upsert,
     refresh summaries) with its peak memory (ru_maxrss of that process): the row parser alone, the
     column path (CSV, the default) with and without the Decision 766 columns, each with its ratio to
     the floor; then `--initial` (first load, secondary indexes built after it) and its ratio to raw COPY;
  4. re-import of the same file (must change nothing);
  5. django-import-export's default ModelResource on a 20k-row slice;
  6. full summary recompute vs one hand-written GROUP BY over the same table;
  7. a one-day delta import (incremental refresh) vs the full recompute.

`--766-only` (issue 15): the export with the 766 columns and the handling time (A) against the same rows
without the 766 columns and without the handling time (B), alternated B A B A, 1M rows, column path; the
summary step for new rows and for a re-import that changes nothing; the full recompute vs one GROUP BY.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import itertools
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cchc_bench_dossiers")
os.environ["DATABASE_URL"] = DB_URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cchc_portal.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")
os.environ.pop("CELERY_BROKER_URL", None)


def sh(*args: str, env=None) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=ROOT, env=env or os.environ, check=True, capture_output=True, text=True)


def ensure_database() -> None:
    from _db import create_database_if_missing

    create_database_if_missing(DB_URL)
    sh(sys.executable, "manage.py", "migrate", "-v0")
    sh(sys.executable, "manage.py", "load_demo")


def timed(label: str, fn):
    started = time.monotonic()
    result = fn()
    elapsed = time.monotonic() - started
    return elapsed, result


def line(label: str, seconds: float, rows: int | None = None, extra: str = "") -> None:
    rate = f"{rows / seconds:>12,.0f} rows/s" if rows and seconds else " " * 19
    print(f"  {label:<58} {seconds:>9.2f} s {rate} {extra}", flush=True)


def run_import(path: str, engine: str = "columns", *extra: str, handling: bool = True) -> tuple[float, int, str]:
    """`manage.py import_dossiers` in a child process; `handling=False`: without the handling time (issue 15's
    baseline: the write stores no handling facts and the delta leaves the handling summaries out)."""
    started = time.monotonic()
    command = ["manage.py"] if handling else [__file__, "--child-without-handling"]
    proc = subprocess.Popen(
        [sys.executable, *command, "import_dossiers", path, "--errors", f"{path}.errors.csv", *extra],
        cwd=ROOT,
        # A 10M-row export with the 766 columns is 2.6 GB, over the upload limit of 2 GB.
        env={**os.environ, "DOSSIER_IMPORT_ENGINE": engine, "DOSSIER_IMPORT_MAX_BYTES": str(1 << 40)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.monotonic() - started
    if status != 0:
        raise SystemExit(output)
    lines = output.strip().splitlines() or [""]
    return elapsed, usage.ru_maxrss, "\n    ".join(lines[-2:] if extra else lines[-1:])


def child_without_handling(argv: list[str]) -> None:
    """The child of `run_import(handling=False)`: the import command with `apply_stage(handling=False)`."""
    import functools

    import django

    django.setup()
    from django.core.management import call_command

    import dossiers.importing as importing
    from dossiers.importing import staging

    importing.apply_stage = functools.partial(staging.apply_stage, handling=False)
    call_command(*argv)


def main() -> None:
    if sys.argv[1:2] == ["--child-without-handling"]:
        child_without_handling(sys.argv[2:])
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--dir", default="/tmp/dossier-bench")
    parser.add_argument("--skip-import-export", action="store_true")
    # Only raw COPY, the floor and the column path end to end (the ratio of issue 13), in ~1/3 of the time.
    parser.add_argument("--ratio-only", action="store_true")
    # Only the column path without and with the Decision 766 columns (issue 15), alternated, twice each.
    parser.add_argument("--766-only", dest="only_766", action="store_true")
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    path = os.path.join(args.dir, f"export-{args.rows}.csv")

    print(
        f"# dossier ingest bench, {args.rows:,} rows, {dt.datetime.now():%Y-%m-%d %H:%M}, db {DB_URL.rsplit('/', 1)[1]}"
    )
    ensure_database()
    import django

    django.setup()
    from django.db import connection, transaction

    from dossiers.importing import recompute_all_summaries

    end = dt.date.today() - dt.timedelta(days=2)
    if not os.path.exists(path):
        seconds = time.monotonic()
        sh(
            sys.executable,
            "manage.py",
            "generate_dossiers",
            "--rows",
            str(args.rows),
            "--out",
            path,
            "--end",
            end.isoformat(),
        )
        line(
            "generate_dossiers (CSV written)",
            time.monotonic() - seconds,
            args.rows,
            f"{os.path.getsize(path) / 1e6:,.0f} MB",
        )

    if args.only_766:
        compare_766(path, plain_export(path, args), args.rows)
        return

    with open(path, encoding="utf-8") as handle:
        width = len(next(csv.reader(handle)))
    columns = ", ".join(f"c{i} text" for i in range(width))

    def raw_copy():
        with connection.cursor() as cursor, open(path, encoding="utf-8") as handle:
            cursor.copy_expert("COPY bench_raw_copy FROM STDIN WITH (FORMAT csv, HEADER true)", handle)

    # The baseline: an unindexed (ordinary, so WAL-logged) table. An UNLOGGED one
    # skips the WAL and is shown too, as the absolute limit of this machine.
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_raw_copy")
        cursor.execute(f"CREATE UNLOGGED TABLE bench_raw_copy ({columns})")
        cursor.execute("CHECKPOINT")
    unlogged, _ = timed("raw", raw_copy)
    line("raw COPY of the same file, unindexed UNLOGGED table", unlogged, args.rows)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_raw_copy")
        cursor.execute(f"CREATE TABLE bench_raw_copy ({columns})")
        cursor.execute("CHECKPOINT")
    seconds, _ = timed("raw", raw_copy)
    raw_rate = args.rows / seconds  # `seconds` is kept for the floor below
    raw_seconds = seconds
    line("raw COPY of the same file, unindexed table (the baseline)", seconds, args.rows)

    # The floor of any import into this schema: the same COPY plus one INSERT … SELECT of the
    # copied rows into dossiers (key order, its indexes), with casts only: no validation, no
    # classification, no summaries. Rolled back.
    def floor_insert():
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = '256MB'")
            cursor.execute("SET LOCAL synchronous_commit = off")
            cursor.execute(
                """INSERT INTO dossiers_dossier (receipt_number, receiving_unit_id, procedure_id, procedure_level,
                       province_id, channel, status, received_at, due_at, paused_days, finished_at, returned_at,
                       due_date, closed_date, outcome, received_month, updated_at, online_766, supplement_count,
                       e_result, fee_bearing, paid_online, digitised, reused, vneid, complaint)
                   SELECT r.c1, u.id, p.id, p.level, COALESCE(u.province_id, u.id), 'in_person', 'finished',
                          to_timestamp(r.c8, 'DD/MM/YYYY HH24:MI'), to_timestamp(r.c9, 'DD/MM/YYYY HH24:MI'),
                          COALESCE(NULLIF(r.c10, '')::int, 0), to_timestamp(NULLIF(r.c11, ''), 'DD/MM/YYYY HH24:MI'),
                          to_timestamp(NULLIF(r.c12, ''), 'DD/MM/YYYY HH24:MI'), to_date(r.c9, 'DD/MM/YYYY'),
                          to_date(NULLIF(r.c11, ''), 'DD/MM/YYYY'), 'on_time',
                          date_trunc('month', to_date(r.c8, 'DD/MM/YYYY'))::date, now(), false,
                          NULLIF(r.c14, '')::smallint, r.c17 = 'Có', r.c18 <> '', r.c19 <> '', r.c20 = 'Có',
                          r.c21 = 'Có', r.c22 = 'Có', r.c23 = 'Có'
                   FROM bench_raw_copy r
                   JOIN provinces_administrativeunit u ON u.code = r.c5 AND u.valid_to IS NULL
                   JOIN dossiers_procedure p ON p.code = r.c2
                   ORDER BY u.id, r.c1"""
            )
            transaction.set_rollback(True)

    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {SUMMARY_TABLES}")
        cursor.execute("CHECKPOINT")
    insert_seconds, _ = timed("floor", floor_insert)
    floor = seconds + insert_seconds
    line("floor: that COPY + one INSERT…SELECT into dossiers (casts only)", floor, args.rows)
    print(
        f"    the floor's rate is {seconds / floor:.0%} of the raw COPY rate ({unlogged / floor:.0%} of the UNLOGGED one)"
    )
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_raw_copy")
        cursor.execute(f"TRUNCATE {SUMMARY_TABLES}")
        cursor.execute("CHECKPOINT")

    def empty_tables() -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {SUMMARY_TABLES}")
            cursor.execute("CHECKPOINT")

    if args.ratio_only:
        seconds, maxrss, output = run_import(path)
        line(
            "import_dossiers end to end, column path (empty table)",
            seconds,
            args.rows,
            f"peak RSS {maxrss / 1024:,.0f} MB",
        )
        print(f"    {output}")
        print(f"    ratio import / floor: {floor / seconds:.2f} (goal >= 0.8)")
        print(f"  end-to-end ingest / raw COPY: {raw_seconds / seconds:.1%}")
        empty_tables()
        return

    # The row parser alone (what .xlsx files and the fallback cases get), for comparison.
    seconds, maxrss, output = run_import(path, "rows")
    line("import_dossiers, row parser only (empty table)", seconds, args.rows, f"peak RSS {maxrss / 1024:,.0f} MB")
    print(f"    {output}")
    print(f"    ratio import / floor: {floor / seconds:.2f} (goal >= 0.8)")
    rows_seconds = seconds
    empty_tables()

    # The same export without the Decision 766 columns (issue 15: within 10% of it).
    plain = plain_export(path, args)
    seconds, maxrss, output = run_import(plain)
    line(
        "import_dossiers, column path, without the 766 columns", seconds, args.rows, f"peak RSS {maxrss / 1024:,.0f} MB"
    )
    print(f"    {output}")
    plain_seconds = seconds
    empty_tables()

    seconds, maxrss, output = run_import(path)
    ingest_rate = args.rows / seconds
    line(
        "import_dossiers end to end, column path (empty table)", seconds, args.rows, f"peak RSS {maxrss / 1024:,.0f} MB"
    )
    print(f"    {output}")
    print(
        f"    ratio import / floor: {floor / seconds:.2f} (goal >= 0.8); row parser / column path: {rows_seconds / seconds:.2f}x"
    )
    print(f"    with / without the 766 columns: {seconds / plain_seconds:.2f}x (goal <= 1.10)")
    seconds, maxrss2, output = run_import(path)
    line("re-import of the same file (changes nothing)", seconds, args.rows, f"peak RSS {maxrss2 / 1024:,.0f} MB")
    print(f"    {output}")

    # A first load (`--initial`): into the empty table, secondary indexes built after the load.
    empty_tables()
    seconds, maxrss3, output = run_import(path, "columns", "--initial", "--province", "52")
    line("import_dossiers --initial (empty table)", seconds, args.rows, f"peak RSS {maxrss3 / 1024:,.0f} MB")
    print(f"    {output}")
    print(f"    --initial rate / raw COPY rate: {raw_seconds / seconds:.1%}; ratio to the floor: {floor / seconds:.2f}")

    # Summaries: full recompute vs one hand-written GROUP BY over the same table.
    recompute_all_summaries()  # warm the cache the same way for both
    full = min(timed("full", recompute_all_summaries)[0] for _ in range(3))
    line("full summary recompute (recompute_dossier_summaries), best of 3", full)

    def group_by():
        return _hand_written_group_by()

    runs = [timed("hand", group_by) for _ in range(3)]
    hand, groups = min(runs)
    line("one hand-written GROUP BY (unit, agency, channel, level, month), best of 3", hand, extra=f"{groups:,} groups")
    print(f"    ratio recompute / GROUP BY: {full / hand:.2f}x (goal <= 1.5x)")

    # Deltas: one day's and one week's new receipts, imported into the full table. The
    # summary work must follow the delta's size, not the table's.
    from dossiers.generate import HEADERS, generate_rows
    from dossiers.importing import Scope, import_rows, map_headers
    from provinces.models import AdministrativeUnit

    province = AdministrativeUnit.objects.provinces().current().get(code="52")
    day_rows = max(args.rows // 250, 100)  # ~one working day of a year's volume
    day = end
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    first_number = args.rows + 1
    for label, days, size in (("one-day", 0, day_rows), ("one-week", 6, 5 * day_rows)):
        rows = list(
            generate_rows(
                province=province,
                rows=size,
                end=day,
                first_day=day - dt.timedelta(days=days),
                seed=7 + days,
                first_number=first_number,
            )
        )
        first_number += size
        started = time.monotonic()
        report = import_rows(
            ((i, row) for i, row in enumerate(rows, start=2)),
            columns=map_headers(HEADERS),
            headers=HEADERS,
            scope=Scope(),
        )
        delta = time.monotonic() - started
        line(f"{label} delta import ({size:,} rows) end to end", delta, size, f"{report.touched_keys} keys")
        summaries = report.steps.get("summaries", 0)
        print(f"    of which summaries {summaries:.3f} s = {summaries / full:.1%} of a full recompute ({full:.2f} s)")

    if not args.skip_import_export:
        bench_import_export(path)

    print("  ---")
    print(f"  end-to-end ingest / raw COPY: {ingest_rate / raw_rate:.1%} (the floor's own rate is below 50%)")
    print(f"  end-to-end ingest / raw COPY into an UNLOGGED table: {ingest_rate / (args.rows / unlogged):.1%}")


def plain_export(path: str, args) -> str:
    """The same export without the Decision 766 columns (written once, next to it)."""
    plain = os.path.join(args.dir, f"export-{args.rows}-no766.csv")
    if not os.path.exists(plain):
        import polars as pl

        from dossiers.generate import HEADERS as BASE_HEADERS

        pl.scan_csv(path, infer_schema=False).select(BASE_HEADERS).sink_csv(plain)
    return plain


SUMMARY_TABLES = (
    "dossiers_dossier, dossiers_dossiersummary, dossiers_handlingtimesummary, dossiers_provincehandlingtimesummary"
)


def _steps(output: str) -> dict:
    """The import's step timings ({'write': …, 'summaries': …}) from its last output line."""
    import ast

    return ast.literal_eval(output[output.rindex("{") : output.rindex("}") + 1])


def compare_766(path: str, plain: str, rows: int) -> None:
    """What issue 15 costs an import: the export with the 766 columns and the handling time (A) vs the
    same rows without the 766 columns and without the handling time (B, today's import before issue 15),
    alternated B A B A into an empty table, column path; then the summary step of a re-import of A's
    file that changes nothing, and the full recompute against one hand-written GROUP BY."""
    from django.db import connection

    from dossiers.importing import recompute_all_summaries

    times = {"B": [], "A": []}
    summaries = {"B": [], "A": []}
    labels = {
        "B": "B: without the 766 columns, without the handling time",
        "A": "A: with the 766 columns and the handling time",
    }
    for _round in range(2):
        for label, source, handling in (("B", plain, False), ("A", path, True)):
            with connection.cursor() as cursor:
                cursor.execute(f"TRUNCATE {SUMMARY_TABLES}")
                cursor.execute("CHECKPOINT")
            seconds, maxrss, output = run_import(source, handling=handling)
            times[label].append(seconds)
            summaries[label].append(_steps(output)["summaries"])
            line(labels[label], seconds, rows, f"peak RSS {maxrss / 1024:,.0f} MB")
            print(f"    {output}")
    best = min(times["A"]) / min(times["B"])
    mean = sum(times["A"]) / sum(times["B"])
    print(f"    A / B (what issue 15 costs the import): best {best:.2f}x, mean {mean:.2f}x (goal <= 1.10)")
    print(
        "    summary step, new rows: A "
        + ", ".join(f"{s:.2f}" for s in summaries["A"])
        + " s; B "
        + ", ".join(f"{s:.2f}" for s in summaries["B"])
        + " s"
    )
    # The table now holds A's import: the same file again changes nothing.
    seconds, maxrss, output = run_import(path)
    line("re-import of A's file (changes nothing)", seconds, rows, f"peak RSS {maxrss / 1024:,.0f} MB")
    print(f"    {output}")
    print(f"    summary step of the unchanged re-import: {_steps(output)['summaries']:.3f} s")

    recompute_all_summaries()  # warm the cache the same way for both
    full = min(timed("full", recompute_all_summaries)[0] for _ in range(3))
    line("full summary recompute (recompute_dossier_summaries), best of 3", full)
    hand = min(timed("hand", _hand_written_group_by)[0] for _ in range(3))
    line("one hand-written GROUP BY (unit, agency, channel, level, month), best of 3", hand)
    print(f"    ratio recompute / GROUP BY: {full / hand:.2f}x")
    # A's import is left in the tables (the next run empties them first): another checkout's recompute can be
    # timed on the same rows.


def _hand_written_group_by() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SET work_mem = '128MB'")
        cursor.execute(
            """SELECT count(*) FROM (
                 SELECT receiving_unit_id, agency_id, channel, procedure_level, received_month, count(*),
                        count(*) FILTER (WHERE outcome = 'early'), count(*) FILTER (WHERE outcome = 'on_time'),
                        count(*) FILTER (WHERE outcome = 'late'), count(*) FILTER (WHERE outcome = 'overdue')
                 FROM dossiers_dossier GROUP BY 1, 2, 3, 4, 5) x"""
        )
        return cursor.fetchone()[0]


def _typed(value):
    """Python values for the resource's widgets (datetimes and dates as objects)."""
    if value is None:
        return ""
    if isinstance(value, str) and len(value) >= 10 and value[4] == "-" and value[7] == "-":
        return dt.datetime.fromisoformat(value) if len(value) > 10 else dt.date.fromisoformat(value)
    return value


def bench_import_export(path: str, limit: int = 20_000) -> None:
    """django-import-export's default ModelResource on a 20k-row slice of the same export."""
    import tablib
    from django.db import connection
    from import_export import resources

    from dossiers.importing import Lookups, RowParser, Scope, inspect_file, iter_file_rows
    from dossiers.models import Dossier, Procedure

    info = inspect_file(path, path)
    parser = RowParser(Lookups.load(), info.columns, Scope(), "postgresql", dt.date.today())
    procedure_ids = dict(Procedure.objects.values_list("code", "pk"))
    headers = ["receipt_number", "procedure", "procedure_level", "receiving_unit", "province", "agency", "channel",
               "status", "received_at", "due_at", "paused_days", "finished_at", "returned_at", "due_date",
               "closed_date", "outcome", "received_month", "closed_month", "overdue_month"]  # fmt: skip
    dataset = tablib.Dataset(headers=headers)
    for number, cells in itertools.islice(iter_file_rows(path, info), limit):
        record = list(parser.parse(number, cells))
        record[1] = f"IE-{record[1]}"  # new receipt numbers: every row is a create
        record[2] = procedure_ids[record[2]]
        dataset.append([_typed(v) for v in record[1:]])

    class DossierResource(resources.ModelResource):
        class Meta:
            model = Dossier
            import_id_fields = ["receiving_unit", "receipt_number"]

    started = time.monotonic()
    result = DossierResource().import_data(dataset, dry_run=False)
    if result.has_errors() or result.has_validation_errors():
        first = (result.invalid_rows or [None])[0]
        print("    import-export errors:", first.error_dict if first else result.base_errors or result.rows[0].errors)
    seconds = time.monotonic() - started
    line(f"django-import-export default ModelResource, {limit:,} rows", seconds, len(dataset),
         f"{result.totals.get('new', 0)} new, errors: {result.has_errors() or result.has_validation_errors()}")  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM dossiers_dossier WHERE receipt_number LIKE 'IE-%%'")


if __name__ == "__main__":
    main()
