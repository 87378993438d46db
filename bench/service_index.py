"""Decision 766 service index bench on this machine's PostgreSQL (short runs).

    python bench/service_index.py --rows 200000 [--rounds 2]

Uses its own database (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/cchc_bench_766),
migrated and loaded with the demo province. Prints:
  1. import throughput of the same synthetic export without and with the 766 columns
     (same rows, same seed; the dossiers are emptied before each import; rounds alternate);
  2. the 766 page of the province and its drill-down to late dossiers, the API with
     group_by=commune and the dashboard block: cold (cache cleared: scores computed from the
     summary rows) and warm (median of 10; the page and block are cached until the next
     import) times and the query counts, in-process through Django's test client.
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
    import psycopg2

    name, base = DB_URL.rsplit("/", 1)[1], DB_URL.rsplit("/", 1)[0]
    conn = psycopg2.connect(f"{base}/postgres")
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not cursor.fetchone():
            cursor.execute(f'CREATE DATABASE "{name}"')
    conn.close()
    for command in (["migrate", "-v0"], ["load_demo"]):
        subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, check=True, capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--dir", default="/tmp/service-index-bench")
    parser.add_argument("--pages-only", action="store_true", help="skip the imports (the database is loaded)")
    args = parser.parse_args()
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
    from provinces.models import AdministrativeUnit

    settings.ALLOWED_HOSTS = ["*"]
    province = AdministrativeUnit.objects.provinces().current().get(code=DEMO_PROVINCE_CODE)
    end = local_today() - dt.timedelta(days=1)
    paths = {}
    for service in (False, True):
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
    urls = {
        "766 page, month": f"{reverse('service_index:page')}?period={month}",
        "766 page, year": f"{reverse('service_index:page')}?period={local_today().year}",
        "late dossiers of a commune": f"{reverse('service_index:dossiers')}?period={month}&kind=late&unit={commune.pk}",
        "API group_by=commune": f"/api/v1/service-index/?unit={province.code}&period={month}&group_by=commune",
        "dashboard block": f"{reverse('service_index:dashboard_block')}?province={province.pk}",
    }
    print(f"\n## pages ({Dossier_count(connection):,} dossiers in the database; in-process, ms)")
    client.get(urls["late dossiers of a commune"])  # templates compiled, connection open
    for label, url in urls.items():
        cache.clear()  # cold: the scores are computed from the summary rows
        reset_queries()
        with CaptureQueriesContext(connection) as queries:
            started = time.monotonic()
            response = client.get(url)
            cold = (time.monotonic() - started) * 1000
        assert response.status_code == 200, (url, response.status_code)
        warm = []
        for _ in range(10):
            started = time.monotonic()
            client.get(url)
            warm.append((time.monotonic() - started) * 1000)
        with CaptureQueriesContext(connection) as warm_queries:
            client.get(url)
        print(f"  {label:<30} cold {cold:7.1f} ({len(queries)} queries)   warm p50 {statistics.median(warm):7.1f} "
              f"({len(warm_queries)} queries)")  # fmt: skip


def Dossier_count(connection) -> int:  # noqa: N802 - reads as the figure it prints
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM dossiers_dossier")
        return cursor.fetchone()[0]


if __name__ == "__main__":
    main()
