"""Decision 766 service index bench on this machine's PostgreSQL (short runs).

    python bench/service_index.py --rows 200000 [--rounds 2]
    python bench/service_index.py --province-dossiers 1000000 [--procedures 1500]

Uses its own database (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/cchc_bench_766),
migrated and loaded with the demo province. Prints:
  1. import throughput of the same synthetic export without and with the 766 columns
     (same rows, same seed; the dossiers are emptied before each import; rounds alternate);
  2. the 766 page of the province and its drill-down to late dossiers, the API with
     group_by=commune and the dashboard block: cold (cache cleared: scores computed from the
     summary rows) and warm (median of 10; the page and block are cached until the next
     import) times and the query counts, in-process through Django's test client.

With --province-dossiers N the import-throughput part is skipped: the demo province is
loaded once with N dossiers over the last 12 months (the generator's export through the
real import, so the summaries come from the import's deltas), their procedures spread over
--procedures procedures of a realistic catalogue by SQL (then the full recompute), and the
766 page and every drill-down are timed, each query checked by its text: only the list of
dossiers behind a rate may read the dossier table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cchc_bench_766")
os.environ["DATABASE_URL"] = DB_URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cchc_portal.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")
os.environ.pop("CELERY_BROKER_URL", None)


def ensure_database() -> None:
    from _db import create_database_if_missing

    create_database_if_missing(DB_URL)
    for command in (["migrate", "-v0"], ["load_demo"]):
        subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, check=True, capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--dir", default="/tmp/service-index-bench")
    parser.add_argument("--pages-only", action="store_true", help="skip the imports (the database is loaded)")
    parser.add_argument("--province-dossiers", type=int, help="a province of this many dossiers a year: pages only")
    parser.add_argument("--procedures", type=int, default=1500, help="with --province-dossiers: procedures in use")
    args = parser.parse_args()
    if args.province_dossiers:
        args.rows, args.pages_only = args.province_dossiers, True
    os.makedirs(args.dir, exist_ok=True)
    print(
        f"# service index bench, {args.rows:,} rows, {dt.datetime.now():%Y-%m-%d %H:%M}, db {DB_URL.rsplit('/', 1)[1]}"
    )
    ensure_database()
    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import cache
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from accounts.models import Role, User
    from dossiers.generate import write_export
    from dossiers.importing import Scope, import_file
    from dossiers.models import local_today
    from provinces.demo import DEMO_PROVINCE_CODE
    from provinces.models import AdministrativeUnit, Agency

    settings.ALLOWED_HOSTS = ["*"]
    province = AdministrativeUnit.objects.provinces().current().get(code=DEMO_PROVINCE_CODE)
    end = local_today() - dt.timedelta(days=1)
    if args.province_dossiers:
        load_province(province, args.province_dossiers, args.procedures, args.dir, end)
        delta_costs()
        _vacuum(connection)
    paths = {}
    for service in (False, True) if not args.pages_only else ():
        paths[service] = os.path.join(args.dir, f"export-{args.rows}-{'766' if service else 'base'}.csv")
        if not os.path.exists(paths[service]):
            write_export(paths[service], province=province, rows=args.rows, end=end, seed=766, service=service,
                         first_number=50_000_000)  # fmt: skip

    def empty() -> None:
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE dossiers_dossier, dossiers_dossiersummary")

    print("\n## import throughput (rows/s; dossiers emptied before each import)")
    results: dict[bool, list[float]] = {False: [], True: []}
    for round_no in range(0 if args.pages_only else args.rounds):
        for service in (False, True) if round_no % 2 == 0 else (True, False):
            empty()
            started = time.monotonic()
            _, report = import_file(paths[service], scope=Scope([province.pk]))
            seconds = time.monotonic() - started
            results[service].append(args.rows / seconds)
            label = "with the 766 columns" if service else "without (today's columns)"
            print(f"  round {round_no + 1} {label:<28} {seconds:7.2f} s {args.rows / seconds:>10,.0f} rows/s "
                  f"(errors {report.error_rows}; stage {report.stage_seconds:.1f} s, apply {report.apply_seconds:.1f} s "
                  f"{report.steps})", flush=True)  # fmt: skip
    if not args.pages_only:
        base, with_766 = statistics.median(results[False]), statistics.median(results[True])
        print(f"  median: without {base:,.0f} rows/s, with {with_766:,.0f} rows/s: {100 * (with_766 / base - 1):+.1f}%")

    user, _ = User.objects.get_or_create(username="bench766", defaults={"role": Role.LEADER})
    user.role = Role.LEADER
    user.save()
    user.units.set([province])
    client = Client()
    client.force_login(user)
    month = local_today().strftime("%Y-%m")
    commune = AdministrativeUnit.objects.current().filter(province=province, level="commune").order_by("code").first()
    department = Agency.objects.current().filter(province=province, commune__isnull=True).order_by("pk").first()
    page, handling = reverse("service_index:page"), reverse("service_index:handling_times")
    year = local_today().year
    urls = {
        "766 page, month": f"{page}?period={month}",
        "766 page, year": f"{page}?period={year}",
        "late dossiers of a commune": f"{reverse('service_index:dossiers')}?period={month}&kind=late&unit={commune.pk}",
        "API group_by=commune": f"/api/v1/service-index/?unit={province.code}&period={month}&group_by=commune",
        "dashboard block": f"{reverse('service_index:dashboard_block')}?province={province.code}",
    }
    if args.province_dossiers:
        urls = {
            "766 page, month": urls["766 page, month"],
            "766 page, year": urls["766 page, year"],
            "departments (API group_by=agency, year)": f"/api/v1/service-index/?unit={province.code}&period={year}"
            "&group_by=agency",
            "communes (API group_by=commune, year)": f"/api/v1/service-index/?unit={province.code}&period={year}"
            "&group_by=commune",
            "late dossiers of a commune, month": urls["late dossiers of a commune"],
            "late dossiers of a commune, year": f"{reverse('service_index:dossiers')}?period={year}&kind=late"
            f"&unit={commune.pk}",
            "handling time, all procedures, year": f"{handling}?period={year}",
            "handling time of a commune, year": f"{handling}?period={year}&unit={commune.pk}",
            "handling time of a department, year": f"{handling}?period={year}&agency={department.pk}",
            "dashboard block": urls["dashboard block"],
        }
    dossier_lists = {label for label in urls if label.startswith("late dossiers")}
    print(f"\n## pages ({Dossier_count(connection):,} dossiers in the database; in-process, ms)")
    print("  cold = the app cache cleared (scores computed from the summary rows; PostgreSQL's buffers warm)")
    client.get(urls["766 page, month"])  # templates compiled, connection open
    for label, url in urls.items():
        cache.clear()  # cold: the scores are computed from the summary rows
        reset_queries()
        with CaptureQueriesContext(connection) as queries:
            started = time.monotonic()
            response = client.get(url)
            cold = (time.monotonic() - started) * 1000
        assert response.status_code == 200, (url, response.status_code)
        reads = [
            q for q in queries.captured_queries if '"dossiers_dossier"' in q["sql"] or " dossiers_dossier " in q["sql"]
        ]
        if reads and label not in dossier_lists:
            raise SystemExit(f"{label} read the dossier table: {reads[0]['sql'][:300]}")
        slowest = max(queries.captured_queries, key=lambda q: float(q["time"]))
        sql_ms = 1000 * sum(float(q["time"]) for q in queries.captured_queries)
        warm = []
        for _ in range(10):
            started = time.monotonic()
            client.get(url)
            warm.append((time.monotonic() - started) * 1000)
        with CaptureQueriesContext(connection) as warm_queries:
            client.get(url)
        print(f"  {label:<42} cold {cold:7.1f} ({len(queries)} queries)   warm p50 {statistics.median(warm):7.1f} "
              f"({len(warm_queries)} queries)   dossier table read: {'yes' if reads else 'no'}; "
              f"SQL {sql_ms:.0f}, slowest query {1000 * float(slowest['time']):.0f}")  # fmt: skip


def load_province(province, dossiers: int, procedures: int, directory: str, end: dt.date) -> None:
    """The province with `dossiers` dossiers over 12 months and `procedures` procedures, unless already there."""
    from django.db import connection

    from dossiers.generate import write_export
    from dossiers.importing import Scope, import_file, recompute_all_summaries
    from dossiers.models import Procedure, ProcedureLevel

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM dossiers_dossier WHERE province_id = %s", [province.pk])
        have = cursor.fetchone()[0]
        cursor.execute("SELECT count(DISTINCT procedure_id) FROM dossiers_dossier")
        in_use = cursor.fetchone()[0]
    if have == dossiers and in_use >= min(procedures, dossiers):
        print(f"\n## the province already has {have:,} dossiers of {in_use:,} procedures: not reloaded")
        _time_limits()
        return
    if have != dossiers:
        path = os.path.join(directory, f"province-{dossiers}.csv")
        started = time.monotonic()
        if not os.path.exists(path):
            write_export(path, province=province, rows=dossiers, end=end, seed=766, service=True,
                         first_number=70_000_000)  # fmt: skip
        print(f"\n## loading {dossiers:,} dossiers (export written in {time.monotonic() - started:.1f} s)")
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE dossiers_dossier, dossiers_dossiersummary, dossiers_handlingtimesummary")
        started = time.monotonic()
        _, report = import_file(path, scope=Scope([province.pk]))
        print(f"  import {time.monotonic() - started:.1f} s: {report.inserted:,} new, {report.error_rows} errors, "
              f"steps {report.steps}")  # fmt: skip
    # A real province runs ~1,500-2,000 procedures; the generator's catalogue has 18. Spread the
    # dossiers over `procedures` of the same level by SQL (a third of them stated in days or hours).
    started = time.monotonic()
    with connection.cursor() as cursor:  # back to the generator's procedures, then spread again
        cursor.execute("""UPDATE dossiers_dossier d SET procedure_id = g.id FROM dossiers_procedure p, dossiers_procedure g
                          WHERE p.id = d.procedure_id AND p.code LIKE 'B766.%' AND g.code = '1.001193'""")
    Procedure.objects.filter(code__startswith="B766.").delete()
    Procedure.objects.bulk_create(
        Procedure(code=f"B766.{n:05d}", name=f"Thủ tục thử số {n}", level=level, allowance_days=1 + n % 20)
        for n in range(procedures)
        for level in [ProcedureLevel.COMMUNE if n % 3 else ProcedureLevel.PROVINCE]
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(
            """CREATE TEMP TABLE spread AS SELECT id, level, row_number() OVER (PARTITION BY level ORDER BY id) - 1 AS k,
                                                 count(*) OVER (PARTITION BY level) AS n
               FROM dossiers_procedure WHERE code LIKE 'B766.%'"""
        )
        cursor.execute("ANALYZE spread")  # planned as 1,500 rows, not 2: a hash join on (level, k)
        cursor.execute(
            """UPDATE dossiers_dossier d SET procedure_id = s.id
               FROM spread s, (SELECT DISTINCT level, n FROM spread) l
               WHERE l.level = d.procedure_level AND s.level = d.procedure_level
                 AND s.k = (hashtext(d.receipt_number) & 2147483647) % l.n"""
        )
        cursor.execute("DROP TABLE spread")
        cursor.execute("ANALYZE dossiers_dossier")
    spread = time.monotonic() - started
    _time_limits()
    started = time.monotonic()
    recompute_all_summaries()
    print(
        f"  procedures spread over {procedures:,} in {spread:.1f} s; full recompute {time.monotonic() - started:.1f} s"
    )
    with connection.cursor() as cursor:
        for table in ("dossiers_dossiersummary", "dossiers_handlingtimesummary"):
            cursor.execute(f"SELECT count(*) FROM {table}")
            print(f"  {table}: {cursor.fetchone()[0]:,} rows")


def delta_costs() -> None:
    """The summaries' delta and its handling-time part, as an import of some of the stored dossiers
    would run it onto the loaded summaries (rolled back)."""
    from django.db import connection, transaction

    from dossiers.importing.summaries import apply_flow_delta, apply_handling_delta, lock_dossier_writes

    print("\n## the summaries' delta of an import (rolled back; s, best of 3; the three alternate)")
    empty = "(SELECT * FROM dossiers_dossier WHERE 1 = 0)"
    variants = {
        "without handling time": lambda cursor, new: apply_flow_delta(cursor, new=new, old=empty, handling=False),
        "whole delta": lambda cursor, new: apply_flow_delta(cursor, new=new, old=empty),
        "handling time alone": lambda cursor, new: apply_handling_delta(cursor, new=new, old=empty),
    }
    for label, modulo in (("1 in 250 (a day's import)", 250), ("1 in 12 (a month's import)", 12)):
        # The import's rows as a table of their own, as the staged rows are (not a scan of the
        # whole dossier table inside each timed delta).
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_new_rows")
            cursor.execute(f"CREATE TABLE bench_new_rows AS SELECT * FROM dossiers_dossier WHERE id % {modulo} = 0")
            cursor.execute("ANALYZE bench_new_rows")
        new = "bench_new_rows"
        timings = {name: [] for name in variants}
        for _ in range(3):
            for name, function in variants.items():
                _vacuum(connection)  # the rolled-back rows of the previous run are gone, as autovacuum would
                with transaction.atomic(), connection.cursor() as cursor:
                    lock_dossier_writes(cursor)
                    cursor.execute("SET LOCAL work_mem = '256MB'")  # as apply_stage
                    started = time.monotonic()
                    function(cursor, new)
                    timings[name].append(time.monotonic() - started)
                    transaction.set_rollback(True)
        base, whole, handling = (min(timings[name]) for name in variants)
        print(f"  {label:<28} without handling time {base:6.2f}   whole delta {whole:6.2f} ({100 * (whole / base - 1):+.0f}%)"
              f"   handling time alone {handling:6.2f}")  # fmt: skip
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE bench_new_rows")


SUMMARY_TABLES = ["dossiers_dossiersummary", "dossiers_handlingtimesummary", "dossiers_provincehandlingtimesummary"]


def _vacuum(connection) -> None:
    """VACUUM ANALYZE the summary tables: this machine's PostgreSQL runs with autovacuum off, so the
    dead rows of the rolled-back deltas would pile up (one month's delta left 60k-100k of them and
    the pages read them all: H1's 1M figures were measured on such tables)."""
    with connection.cursor() as cursor:
        for table in SUMMARY_TABLES:
            cursor.execute(f"VACUUM ANALYZE {table}")


def _time_limits() -> None:
    """The spread procedures' legal limits: half in working days, a quarter in days, a quarter in hours."""
    from dossiers.models import Procedure, TimeUnit

    units = [TimeUnit.WORKING_DAYS, TimeUnit.WORKING_DAYS, TimeUnit.DAYS, TimeUnit.HOURS]
    spread = list(Procedure.objects.filter(code__startswith="B766."))
    for procedure in spread:
        n = int(procedure.code[5:])
        procedure.time_limit_unit = units[n % 4]
        procedure.time_limit = None if n % 4 < 2 else (1 + n % 10) * (8 if n % 4 == 3 else 1)
    Procedure.objects.bulk_update(spread, ["time_limit", "time_limit_unit"], batch_size=500)


def Dossier_count(connection) -> int:  # noqa: N802 - reads as the figure it prints
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM dossiers_dossier")
        return cursor.fetchone()[0]


if __name__ == "__main__":
    main()
