"""Bench: figures job, plan page and annex import preview on a large plan.

Run against a scratch database (it creates and deletes its own data):
    DJANGO_DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/<scratch> \
        /work/main/.venv/bin/python bench/tasks_figures.py --tasks 2000 --plans 20
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cchc_portal.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")
os.environ.setdefault("HTTPS", "0")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402
from django.test import Client  # noqa: E402

from accounts.models import User  # noqa: E402
from provinces.models import AdministrativeUnit, Agency  # noqa: E402
from tasks import importing  # noqa: E402
from tasks.figures import plan_figures_compute  # noqa: E402
from tasks.models import Plan, Task, TaskStatus  # noqa: E402

STATUSES = [TaskStatus.COMPLETED, TaskStatus.IN_PROGRESS, TaskStatus.ONGOING, TaskStatus.NOT_STARTED]


def timed(fn, repeat: int = 5) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=2000, help="tasks in the big plan")
    parser.add_argument("--plans", type=int, default=20, help="plans for the nightly recompute")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    with transaction.atomic():
        province, _ = AdministrativeUnit.objects.get_or_create(
            level="province", code="99", defaults={"name": "Tỉnh Bench", "type": "tinh"}
        )
        agencies = [Agency.objects.get_or_create(province=province, name=f"Sở Bench {i}")[0] for i in range(20)]
        Plan.objects.filter(province=province).delete()
        plans = []
        for i in range(args.plans):
            plan = Plan.objects.create(unit=province, year=2000 + i, title=f"Bench {i}")
            plan.ensure_default_areas()
            plans.append(plan)
        big = plans[0]
        areas = list(big.areas.all())
        for plan in plans:
            plan_areas = list(plan.areas.all())
            count = args.tasks if plan is big else 100
            Task.objects.bulk_create(
                Task(plan=plan, area=plan_areas[n % 8], number=str(n), order=n, title=f"Nhiệm vụ {n}",
                     lead_agency=agencies[n % 20], status=STATUSES[n % 4], deadline=dt.date(2026, 1 + n % 12, 1),
                     completion_date=dt.date(2026, 1 + n % 12, 2) if n % 4 == 0 else None)
                for n in range(count)
            )  # fmt: skip
    t, _ = timed(lambda: plan_figures_compute(big.pk))
    print(f"figures job, one plan of {args.tasks} tasks: {t * 1000:.1f} ms")
    t, _ = timed(lambda: [plan_figures_compute(p.pk) for p in plans], repeat=3)
    print(f"nightly recompute of {args.plans} plans: {t * 1000:.1f} ms")

    user, _ = User.objects.get_or_create(username="bench_admin", defaults={"role": "province_admin"})
    user.units.set([province])
    client = Client()
    client.force_login(user)
    t, response = timed(lambda: client.get(big.get_absolute_url()))
    assert response.status_code == 200
    print(f"plan page with {args.tasks} tasks: {t * 1000:.1f} ms, {len(response.content) // 1024} KiB")
    t, _ = timed(lambda: client.get(big.get_absolute_url(), {"status": "overdue"}))
    print(f"plan page filtered to overdue: {t * 1000:.1f} ms")

    rows = [["STT", "Nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian hoàn thành", "Sản phẩm"]]
    for area in areas:
        rows.append([area.code, area.name.upper(), None, None, None, None])
        for n in range(args.tasks // 8):
            rows.append([n + 1, f"Nhiệm vụ nhập {n}", f"sở bench {n % 20}", f"Sở Bench {(n + 1) % 20}; các sở liên quan",
                         f"{1 + n % 28:02d}/{1 + n % 12:02d}/2026", "Báo cáo"])  # fmt: skip
    t, preview = timed(lambda: importing.plan_import_preview(big, rows), repeat=3)
    print(f"import preview of {len(rows) - 1} rows: {t * 1000:.1f} ms ({preview.summary})")
    Plan.objects.filter(province=province).delete()


if __name__ == "__main__":
    main()
