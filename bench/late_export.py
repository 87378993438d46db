#!/usr/bin/env python3
"""Bench: the late list's .xlsx export (dossiers.exporting.write_late_xlsx) at several sizes.

For each size N it (re)writes N late dossiers for one province of its own database (SQL
`generate_series`, default `cchc_bench_export`), then measures in the same run:

- read: the export's query alone, rows drained from the same server-side cursor (the floor);
- export: `write_late_xlsx` to a file (what the background job runs), rows/s and ratio to read;
- memory: the export's peak Python allocation (tracemalloc, a second pass) and the process's
  max RSS growth.

  BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/cchc_bench_h3 \\
      /work/main/.venv/bin/python bench/late_export.py [--sizes 28000,200000,1000000]

The database needs the schema and one province with communes: the script migrates and loads
the demo (`load_demo`) when there is none. It deletes and rewrites its own dossiers only
(receipt numbers starting with "BENCH-").
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/cchc_bench_export"


def _django(database_url: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cchc_portal.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret-" + "x" * 32)  # DEBUG off: no query log
    import django

    django.setup()


def _prepare(database_url: str) -> None:
    from _db import create_database_if_missing

    create_database_if_missing(database_url)


def _setup():
    """The province, its communes and a province user (the demo's leader)."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from cchc_portal.scoping import primary_province_id

    call_command("migrate", verbosity=0)
    user = get_user_model().objects.filter(username="leader").first()
    if user is None:
        call_command("load_demo")
        user = get_user_model().objects.get(username="leader")
    return user, primary_province_id(user)


def _write_dossiers(province_id: int, rows: int) -> None:
    """`rows` late or overdue dossiers in 2025, spread over the province's communes (SQL only)."""
    from django.db import connection

    from dossiers.generate import ensure_procedures

    procedure = next(iter(ensure_procedures().values()))
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM dossiers_dossier WHERE receipt_number LIKE 'BENCH-%%'")
        cursor.execute(
            "SELECT array_agg(id ORDER BY id) FROM provinces_administrativeunit WHERE province_id = %s",
            [province_id],
        )
        communes = cursor.fetchone()[0] or [province_id]
        cursor.execute(
            """
            INSERT INTO dossiers_dossier (
                receipt_number, procedure_id, procedure_level, receiving_unit_id, province_id, agency_id,
                channel, status, received_at, due_at, paused_days, finished_at, returned_at, due_date,
                closed_date, outcome, received_month, closed_month, overdue_month, online_766, updated_at)
            SELECT 'BENCH-' || lpad(g::text, 9, '0'), %(procedure)s, 'commune',
                   (%(communes)s::bigint[])[1 + g %% cardinality(%(communes)s::bigint[])], %(province)s, NULL,
                   'in_person', CASE WHEN g %% 3 = 0 THEN 'in_progress' ELSE 'finished' END,
                   r, r + interval '2 days', 0, CASE WHEN g %% 3 = 0 THEN NULL ELSE r + interval '5 days' END,
                   NULL, (r + interval '2 days')::date,
                   CASE WHEN g %% 3 = 0 THEN NULL ELSE (r + interval '5 days')::date END,
                   CASE WHEN g %% 3 = 0 THEN 'overdue' ELSE 'late' END,
                   date_trunc('month', r)::date,
                   CASE WHEN g %% 3 = 0 THEN NULL ELSE date_trunc('month', r + interval '5 days')::date END,
                   NULL, false, now()
            FROM generate_series(1, %(rows)s) AS g,
                 LATERAL (SELECT timestamptz '2025-01-02 01:00+00' + (g %% 300000) * interval '90 seconds' AS r) t
            """,
            {"procedure": procedure.pk, "communes": communes, "province": province_id, "rows": rows},
        )
        cursor.execute("ANALYZE dossiers_dossier")


def _measure(user, province_id: int, rows: int) -> dict:
    from dossiers.exporting import CHUNK_ROWS, COLUMNS, late_rows, write_late_xlsx

    filters = {"province": province_id, "from": "2025-01", "to": "2025-12"}
    # The floor reads the export's own columns (joins included) the same way, and writes nothing.
    started = time.perf_counter()
    read = sum(1 for _row in late_rows(user, filters).values_list(*COLUMNS).iterator(chunk_size=CHUNK_ROWS))
    read_s = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "late.xlsx")
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        written = write_late_xlsx(user, filters, path)
        export_s = time.perf_counter() - started
        rss_growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before
        size = os.path.getsize(path)
        tracemalloc.start()
        write_late_xlsx(user, filters, path)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    # The demo's own late dossiers of 2025 come on top of the bench's rows.
    assert read == written >= rows, (read, written, rows)
    return {
        "rows": written,
        "read_s": read_s,
        "export_s": export_s,
        "rows_per_s": written / export_s,
        "ratio": read_s / export_s,
        "mb": size / 1e6,
        "peak_mb": peak / 1e6,
        "rss_growth_mb": rss_growth / 1024,
    }


def git_commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
        ).stdout.strip()
    except OSError:
        return "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL))
    parser.add_argument("--sizes", default="28000,200000", help="comma-separated row counts (default 28000,200000)")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    _prepare(args.database_url)
    _django(args.database_url)
    user, province_id = _setup()
    print(f"# bench/late_export.py  {dt.datetime.now().isoformat(timespec='seconds')}  commit {git_commit()}")
    print(f"# database {args.database_url.rsplit('@', 1)[-1]}; {os.cpu_count()} CPUs; user {user.username}")
    print("| rows | read s | export s | rows/s | read/export | file MB | peak Python MB | max RSS growth MB |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for rows in sizes:
        _write_dossiers(province_id, rows)
        m = _measure(user, province_id, rows)
        print(
            f"| {m['rows']:,} | {m['read_s']:.2f} | {m['export_s']:.2f} | {m['rows_per_s']:,.0f} | "
            f"{m['ratio']:.2f} | {m['mb']:.1f} | {m['peak_mb']:.2f} | {m['rss_growth_mb']:.1f} |",
            flush=True,
        )
    print(
        "(read: the export's query drained from the server-side cursor, the floor; export: write_late_xlsx to a\n"
        " file, what the background job runs; peak Python MB: tracemalloc over a second export; max RSS growth:\n"
        " the process's peak resident size gained during the first export, cumulative over sizes.)"
    )


if __name__ == "__main__":
    main()
