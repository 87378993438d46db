"""The handling-time delta of this checkout against main's, alternating in one run (H6's measurement).

    BENCH_DATABASE_URL=... python bench/service_index_delta_ab.py [--ref 4952640]

On a database loaded by `bench/service_index.py --province-dossiers N`; the ref's code is
exported (git archive) to a temporary directory; bench_new_250 and bench_new_12 are created
from the dossier table for the run and dropped after it.

Each tree in a fresh process: the flow delta alone (the handling part a no-op) and the handling
delta alone, of the rows of bench_new_250 (a day's import) and bench_new_12 (a month's), best of
3, VACUUM ANALYZE of the summary tables before each (rolled back) run.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import os, sys, time, json
sys.path.insert(0, os.getcwd())
os.environ["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cchc_portal.settings"); os.environ.setdefault("DJANGO_DEBUG", "1")
import django; django.setup()
from django.db import connection, transaction
from dossiers.importing import summaries as S
empty = "(SELECT * FROM dossiers_dossier WHERE 1 = 0)"
out = {}
for table in ("bench_new_250", "bench_new_12"):
    for name, fn in (("flow only", None), ("handling", S.apply_handling_delta)):
        best = 1e9
        for _ in range(3):
            with connection.cursor() as c:
                for t in ("dossiers_dossiersummary", "dossiers_handlingtimesummary", "dossiers_provincehandlingtimesummary"):
                    c.execute(f"VACUUM ANALYZE {t}")
            with transaction.atomic(), connection.cursor() as cursor:
                S.lock_dossier_writes(cursor)
                cursor.execute("SET LOCAL work_mem = '256MB'")
                t0 = time.monotonic()
                if fn is None:
                    # the flow delta alone: the handling part made a no-op
                    orig = S.apply_handling_delta
                    S.apply_handling_delta = lambda cursor, new, old: 0
                    try:
                        S.apply_flow_delta(cursor, new=table, old=empty)
                    finally:
                        S.apply_handling_delta = orig
                else:
                    fn(cursor, new=table, old=empty)
                best = min(best, time.monotonic() - t0)
                transaction.set_rollback(True)
        out[f"{table} {name}"] = best
print(json.dumps(out))
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ref", default="main")
    args = parser.parse_args()
    import psycopg2

    conn = psycopg2.connect(os.environ["BENCH_DATABASE_URL"])
    conn.autocommit = True
    with conn.cursor() as cursor:
        for modulo in (250, 12):
            cursor.execute(f"DROP TABLE IF EXISTS bench_new_{modulo}")
            cursor.execute(f"CREATE TABLE bench_new_{modulo} AS SELECT * FROM dossiers_dossier WHERE id % {modulo} = 0")
            cursor.execute(f"ANALYZE bench_new_{modulo}")
    python = str(ROOT / ".venv" / "bin" / "python")
    try:
        with tempfile.TemporaryDirectory() as before_dir:
            archive = subprocess.run(["git", "archive", args.ref], cwd=ROOT, check=True, capture_output=True).stdout
            subprocess.run(["tar", "-x", "-C", before_dir], input=archive, check=True)
            trees = {args.ref: before_dir, "HEAD": str(ROOT)}
            res: dict[str, dict[str, float]] = {name: {} for name in trees}
            for round_no in range(2):
                for name in list(trees) if round_no % 2 == 0 else list(reversed(trees)):
                    out = subprocess.run([python, "-c", CHILD], cwd=trees[name], capture_output=True, text=True)
                    if out.returncode:
                        sys.exit(out.stderr[-2000:])
                    for key, value in json.loads(out.stdout.strip().splitlines()[-1]).items():
                        res[name][key] = min(res[name].get(key, 1e9), value)
    finally:
        with conn.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_new_250, bench_new_12")
    for key in res["HEAD"]:
        print(f"  {key:<28} {args.ref} {res[args.ref][key]:6.2f} s   HEAD {res['HEAD'][key]:6.2f} s")


if __name__ == "__main__":
    main()
