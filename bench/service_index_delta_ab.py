"""The handling-time delta of this checkout against main's, alternating in one run (H6's measurement).

    psql ... -c "CREATE TABLE bench_new_250 AS SELECT * FROM dossiers_dossier WHERE id % 250 = 0" (and _12, ANALYZE)
    BENCH_DATABASE_URL=... python bench/service_index_delta_ab.py   (main's tree exported to /tmp/h6/ref)

Each tree in a fresh process: the flow delta alone (the handling part a no-op) and the handling
delta alone, of the rows of bench_new_250 (a day's import) and bench_new_12 (a month's), best of
3, VACUUM ANALYZE of the summary tables before each (rolled back) run.
"""

import json
import os
import subprocess
import sys

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
env = dict(os.environ)
trees = {"main 4952640": "/tmp/h6/ref", "HEAD": "/work/wt/h6-766-cold"}
py = "/work/wt/h6-766-cold/.venv/bin/python"
res = {k: {} for k in trees}
for r in range(2):
    for name in list(trees) if r % 2 == 0 else list(reversed(trees)):
        o = subprocess.run([py, "-c", CHILD], cwd=trees[name], capture_output=True, text=True, env=env)
        if o.returncode:
            print(o.stderr[-2000:])
            sys.exit(1)
        for k, v in json.loads(o.stdout.strip().splitlines()[-1]).items():
            res[name][k] = min(res[name].get(k, 1e9), v)
for k in res["HEAD"]:
    print(f"  {k:<28} main {res['main 4952640'][k]:6.2f} s   HEAD {res['HEAD'][k]:6.2f} s")
