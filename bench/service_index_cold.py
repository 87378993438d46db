"""The 766 page and its API cold, this checkout against a git ref, alternating in one run.

    BENCH_DATABASE_URL=... REDIS_URL=... python bench/service_index_cold.py [--ref main] [--rounds 4]

Needs a database loaded by `bench/service_index.py --province-dossiers N` (its user
bench766). The ref's code is exported (git archive) to a temporary directory; each round
runs both trees in fresh processes, the order alternating, so both see the same machine
load. Cold = the app cache cleared before each request (PostgreSQL's buffers warm); per
tree and page: the best and the median of 5 cold requests per round over all rounds,
the query count, and the ratio of the medians (after / before).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import json, os, sys, time
sys.path.insert(0, os.getcwd())
os.environ["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cchc_portal.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")
os.environ.pop("CELERY_BROKER_URL", None)
import logging
import django
django.setup()
logging.disable(logging.INFO)
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from accounts.models import User
from dossiers.models import local_today
from provinces.demo import DEMO_PROVINCE_CODE
settings.ALLOWED_HOSTS = ["*"]
client = Client()
client.force_login(User.objects.get(username="bench766"))
year, month = local_today().year, local_today().strftime("%Y-%m")
page, api = reverse("service_index:page"), "/api/v1/service-index/"
urls = {
    "766 page, month": f"{page}?period={month}",
    "766 page, year": f"{page}?period={year}",
    "departments (API, year)": f"{api}?unit={DEMO_PROVINCE_CODE}&period={year}&group_by=agency",
    "communes (API, year)": f"{api}?unit={DEMO_PROVINCE_CODE}&period={year}&group_by=commune",
}
client.get(urls["766 page, month"])  # templates compiled, connection open
result = {}
for label, url in urls.items():
    times = []
    for _ in range(5):
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    result[label] = {"times": times, "queries": len(queries)}
print(json.dumps(result))
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ref", default="main")
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args()
    python = str(ROOT / ".venv" / "bin" / "python")
    with tempfile.TemporaryDirectory() as before_dir:
        archive = subprocess.run(["git", "archive", args.ref], cwd=ROOT, check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", before_dir], input=archive, check=True)
        commit = subprocess.run(["git", "rev-parse", "--short", args.ref], cwd=ROOT, capture_output=True, text=True)
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
        trees = {
            f"before ({args.ref} {commit.stdout.strip()})": before_dir,
            f"after (HEAD {head.stdout.strip()})": ROOT,
        }
        runs: dict[str, dict[str, dict]] = {name: {} for name in trees}
        for round_no in range(args.rounds):
            order = list(trees) if round_no % 2 == 0 else list(reversed(trees))
            for name in order:
                out = subprocess.run([python, "-c", CHILD], cwd=trees[name], check=True, capture_output=True, text=True)
                for label, found in json.loads(out.stdout.strip().splitlines()[-1]).items():
                    entry = runs[name].setdefault(label, {"times": [], "queries": found["queries"]})
                    entry["times"] += found["times"]
    print(f"# 766 cold, {args.rounds} rounds x 5 requests per page and tree; load average {os.getloadavg()[0]:.1f}")
    before, after = (runs[name] for name in trees)
    for label in before:
        b, a = before[label], after[label]
        b_med, a_med = statistics.median(b["times"]), statistics.median(a["times"])
        print(
            f"  {label:<26} before best {min(b['times']):6.1f} median {b_med:6.1f} ({b['queries']} queries)   "
            f"after best {min(a['times']):6.1f} median {a_med:6.1f} ({a['queries']} queries)   after/before {a_med / b_med:.2f}"
        )


if __name__ == "__main__":
    sys.exit(main())
