#!/usr/bin/env python3
"""Bench: the leader's dashboard and the national view under load (issue 6), beside the trivial view.

Two steps, against a PostgreSQL database of its own (default `cchc_bench_dash`):

  # 1. seed (idempotent; about a minute): demo data, 10 years × 3 indices for every province,
  #    a 120-task plan for the demo province, dossier summaries equivalent to 10M dossiers
  /work/main/.venv/bin/python bench/dashboards_load.py seed

  # 2. measure with bench/http_load.py (gunicorn + wrk, cold/miss/hot/warm, /bench/trivial ceiling)
  /work/main/.venv/bin/python bench/dashboards_load.py run [--duration 10] [--json out.json]

Dossiers: the dashboard reads only the monthly summary table (`dossiers.DossierSummary`), so the
seed writes summary rows directly (COPY), at the volume 10M dossiers produce: every current
commune and every provincial agency × 36 months × 4 channels, whose `received` add up to
10,000,000. The dossier table itself stays empty (the dashboard never reads it).
"""

from __future__ import annotations

import argparse
import io
import os
import random
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB = "cchc_bench_dash"
DEFAULT_DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DB}"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/10"
YEARS = range(2016, 2026)  # 10 editions per index
DOSSIERS = 10_000_000
MONTHS = 36
EXTRA_TASKS = 80
NULL = "\\N"  # COPY text format
PATHS = ["/dashboard/", "/dashboard/national/?index=PAPI&year=2024"]


def _django(database_url: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cchc_portal.settings")
    os.environ.setdefault("DJANGO_DEBUG", "1")
    import django

    django.setup()


def _createdb(database_url: str) -> None:
    from _db import create_database_if_missing

    create_database_if_missing(database_url)


def _ten_years_of_indices() -> int:
    """Editions 2016–2017 copied from 2018's methodology, totals for every old province, all ranked."""
    from decimal import Decimal

    from indices.models import Edition, Score, edition_copy_forward
    from indices.rankings import rankings_compute_all
    from provinces.models import AdministrativeUnit

    created = 0
    for edition in Edition.objects.filter(index__owner_province__isnull=True, year=2018).select_related("index"):
        for year in YEARS:
            target = Edition.objects.filter(index=edition.index, year=year).first()
            if target is None:
                target = edition_copy_forward(edition, year)
            if target.scores.exists():
                continue
            rng = random.Random(f"{edition.index.code}-{year}")
            top = float(target.maximum)
            units = AdministrativeUnit.objects.provinces().valid_on(target.reference_date)
            Score.objects.bulk_create(
                Score(edition=target, unit=u, value=Decimal(str(round(top * rng.uniform(0.45, 0.92), 4))))
                for u in units
            )
            created += 1
    if created:
        rankings_compute_all()
    return created


def _big_plan() -> int:
    import datetime as dt

    from django.utils import timezone

    from provinces.models import Agency
    from tasks.figures import plan_figures_compute
    from tasks.models import Plan, Task, TaskCriterion, TaskStatus

    plan = Plan.objects.filter(unit__code="52", unit__valid_to__isnull=True, year=timezone.localdate().year).first()
    if plan is None:
        raise SystemExit("no demo plan for this year: run load_demo first")
    agencies = list(Agency.objects.filter(province=plan.province, valid_to__isnull=True, commune__isnull=True)[:12])
    areas = list(plan.areas.all())
    statuses = [TaskStatus.COMPLETED, TaskStatus.IN_PROGRESS, TaskStatus.ONGOING, TaskStatus.NOT_STARTED]
    today = timezone.localdate()
    if plan.tasks.filter(number__startswith="B").exists():
        return plan.tasks.count()
    tasks = []
    for n in range(EXTRA_TASKS):
        status = statuses[n % 4]
        deadline = today + dt.timedelta(days=(n % 9) * 20 - 90)
        tasks.append(
            Task(
                plan=plan,
                area=areas[n % len(areas)],
                number=f"B{n + 1}",
                order=1000 + n,
                title=f"Nhiệm vụ bổ sung số {n + 1} của kế hoạch",
                lead_agency=agencies[n % len(agencies)],
                status=status,
                deadline=deadline,
                completion_date=deadline if status == TaskStatus.COMPLETED else None,
            )
        )
    created = Task.objects.bulk_create(tasks)
    TaskCriterion.objects.bulk_create(
        TaskCriterion(task=t, index_code=["PAPI", "PAR", "SIPAS"][i % 3], component_code=["D5", "L3", "A2"][i % 3])
        for i, t in enumerate(created[::4])
    )
    plan_figures_compute(plan.pk)
    return plan.tasks.count()


def _dossier_summaries() -> int:
    """Summary rows equivalent to 10M dossiers over the last 36 months (COPY)."""
    from django.db import connection
    from django.utils import timezone

    try:
        from dossiers.models import DossierSummary
    except ImportError:
        print("dossiers app not merged: no dossier summaries")
        return 0
    from django.db.models import Sum

    from provinces.models import AdministrativeUnit, Agency, UnitLevel

    if (DossierSummary.objects.aggregate(n=Sum("received"))["n"] or 0) >= DOSSIERS * 0.9:
        return DossierSummary.objects.count()
    DossierSummary.objects.all().delete()  # the demo's few thousand rows: replaced at bench volume
    communes = list(
        AdministrativeUnit.objects.filter(level=UnitLevel.COMMUNE, valid_to__isnull=True).values_list(
            "pk", "province_id"
        )
    )
    agencies = list(Agency.objects.filter(valid_to__isnull=True, commune__isnull=True).values_list("pk", "province_id"))
    commune_agency = dict(Agency.objects.filter(commune__isnull=False).values_list("commune_id", "pk"))
    first = timezone.localdate().replace(day=1)
    months = []
    year, month = first.year, first.month
    for _ in range(MONTHS):
        months.append(f"{year}-{month:02d}-01")
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    channels = ["in_person", "post", "online_full", "online_partial"]
    keys = [(c, p, commune_agency.get(c), "commune") for c, p in communes]
    keys += [(p, p, a, "province") for a, p in agencies]  # province-level procedures, received by the province
    cells = len(keys) * MONTHS * len(channels)
    per_cell = DOSSIERS / cells
    rng = random.Random(6)
    columns = (
        "receiving_unit_id, province_id, agency_id, month, channel, procedure_level, received,"
        " closed, finished_early, finished_on_time, finished_late, overdue_opened, overdue_closed"
    )
    # Columns added since (the service-index counts): their model default (0), or NULL.
    listed = {name.strip() for name in columns.split(",")}
    extra = [f for f in DossierSummary._meta.concrete_fields if not f.primary_key and f.column not in listed]
    columns += "".join(f", {f.column}" for f in extra)
    tail = "".join(f"\t{f.default}" if isinstance(f.default, int) else f"\t{NULL}" for f in extra)
    out = io.StringIO()
    total = 0
    for unit, province, agency, level in keys:
        skill = rng.uniform(0.85, 0.995)
        for m in months:
            for channel in channels:
                received = max(0, int(rng.gauss(per_cell, per_cell / 3)))
                closed = int(received * rng.uniform(0.93, 1.0))
                finished = int(closed * 0.97)
                late = int(finished * (1 - skill))
                early = int((finished - late) * 0.6)
                on_time = finished - late - early
                overdue_opened = max(0, int((received - closed) * 0.3))
                overdue_closed = int(overdue_opened * 0.8)
                agency_text = agency if agency else NULL
                out.write(
                    f"{unit}\t{province}\t{agency_text}\t{m}\t{channel}\t{level}\t{received}\t{closed}\t"
                    f"{early}\t{on_time}\t{late}\t{overdue_opened}\t{overdue_closed}{tail}\n"
                )
                total += received
    out.seek(0)
    table = DossierSummary._meta.db_table
    with connection.cursor() as cursor:
        cursor.copy_expert(
            f"COPY {table} ({columns}) FROM STDIN",
            out,
        )
        cursor.execute(f"ANALYZE {table}")
    print(f"dossier summary rows: {cells:,} (received add up to {total:,} dossiers)")
    return cells


def seed(database_url: str) -> None:
    _createdb(database_url)
    _django(database_url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_demo")
    print("index editions given results:", _ten_years_of_indices())
    print("tasks in the demo province's plan:", _big_plan())
    print("dossier summary rows:", _dossier_summaries())
    # Fresh planner statistics, as autovacuum would give a live database: without them PostgreSQL
    # guessed 8 communes (not 13,372) and nested-looped the dossier block's commune query (~70 ms).
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def run(database_url: str, redis_url: str, extra: list[str]) -> int:
    env = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": redis_url}
    env.pop("DJANGO_DEBUG", None)
    command = [
        sys.executable, str(ROOT / "bench" / "http_load.py"), "--user", "leader", "--after-import", *extra, *PATHS,
    ]  # fmt: skip
    print("$", " ".join(command), flush=True)
    return subprocess.call(command, env=env, cwd=ROOT)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("step", choices=["seed", "run"])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL))
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL))
    args, extra = parser.parse_known_args()
    if args.step == "seed":
        seed(args.database_url)
    else:
        raise SystemExit(run(args.database_url, args.redis_url, extra))


if __name__ == "__main__":
    main()
