"""The timed part of bench/dossiers_scale.py (run it through that script, never alone)."""

from __future__ import annotations

import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from django.core.cache import cache
from django.db import connection, connections, transaction

ROOT = Path(__file__).resolve().parent.parent


def out(text: str = "") -> None:
    print(text, flush=True)


def percentile(values: list[float], q: float) -> float:
    """Nearest rank: with 9 repeats the p95 is the slowest run."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered) + 0.5) - 1))]


class Capture:
    """The SQL a call runs (Django's execute wrapper), to EXPLAIN it afterwards."""

    def __init__(self):
        self.queries: list[tuple[str, tuple]] = []

    def __call__(self, execute, sql, params, many, context):
        self.queries.append((sql, params))
        return execute(sql, params, many, context)


def explain(sql: str, params) -> dict:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    root = plan[0]
    nodes = []

    def walk(node):
        kind = node["Node Type"]
        if "Scan" in kind:
            target = node.get("Relation Name", "")
            index = node.get("Index Name")
            nodes.append(
                f"{kind}{' using ' + index if index else ''} on {target} "
                f"(rows {node.get('Actual Rows', 0) * node.get('Actual Loops', 1):,}"
                f"{', heap fetches ' + format(node['Heap Fetches'], ',') if 'Heap Fetches' in node else ''})"
            )
        for child in node.get("Plans", []):
            walk(child)

    walk(root["Plan"])
    top = root["Plan"]
    return {
        "execution_ms": round(root["Execution Time"], 2),
        "planning_ms": round(root["Planning Time"], 2),
        "shared_hit": top.get("Shared Hit Blocks", 0),
        "shared_read": top.get("Shared Read Blocks", 0),
        "temp_written": top.get("Temp Written Blocks", 0),
        "top": top["Node Type"],
        "scans": nodes,
    }


def timed(fn, repeats: int, *, setup=None) -> dict:
    times = []
    result = None
    for _ in range(repeats):
        if setup:
            setup()
        started = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - started) * 1000)
    return {
        "p50_ms": round(statistics.median(times), 2),
        "p95_ms": round(percentile(times, 0.95), 2),
        "min_ms": round(min(times), 2),
        "n": repeats,
        "result": result,
    }


def report(figures: dict, key: str, label: str, fn, repeats: int, *, setup=None, plans: bool = True) -> dict:
    """Time `fn` over repeats, then EXPLAIN (ANALYZE, BUFFERS) each dossier query it ran once more."""
    figure = timed(fn, repeats, setup=setup)
    result = figure.pop("result")
    note = f"  -> {result}" if result is not None and not isinstance(result, dict | list) else ""
    out(f"  {label:<62} p50 {figure['p50_ms']:>10,.1f} ms  p95 {figure['p95_ms']:>10,.1f} ms  (n={repeats}){note}")
    if plans:
        capture = Capture()
        if setup:
            setup()
        with connection.execute_wrapper(capture):
            fn()
        figure["plans"] = []
        for sql, params in capture.queries:
            if "dossiers_dossier" not in sql or not sql.lstrip().upper().startswith(("SELECT", "WITH")):
                continue
            plan = explain(sql, params)
            figure["plans"].append(plan)
            out(
                f"      plan: {plan['top']}, {plan['execution_ms']:,.1f} ms exec + {plan['planning_ms']:.1f} planning,"
                f" buffers hit {plan['shared_hit']:,} read {plan['shared_read']:,}"
                f"{', temp written ' + format(plan['temp_written'], ',') if plan['temp_written'] else ''}"
            )
            for scan in plan["scans"][:4]:
                out(f"        {scan}")
    figure["result"] = result if not isinstance(result, dict | list) else None
    figures[key] = figure
    return figure


# ------------------------------------------------------------------------------------------


def run(args, today: dt.date) -> dict:
    from django.test import Client

    from accounts.models import User
    from dashboards import dossier_block
    from dossiers.importing import recompute_all_summaries
    from dossiers.importing.summaries import _summary_select_sql, refresh_overdue
    from dossiers.models import Dossier, DossierSummary, default_period
    from provinces.models import AdministrativeUnit

    repeats = args.repeats
    heavy = 3 if args.rows < 5_000_000 else 2  # the full-table jobs
    figures: dict = {}
    sizes = table_sizes()
    figures["sizes"] = sizes
    out("## sizes")
    for name, row in sizes.items():
        out(
            f"  {name:<28} {row['rows']:>12,} rows  table {row['table_mb']:>8,.0f} MB  indexes {row['index_mb']:>7,.0f} MB"
        )

    with connection.cursor() as cursor:
        cursor.execute("SELECT province_id, count(*) FROM dossiers_dossier GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1")
        province_id, province_rows = cursor.fetchone()
    province = AdministrativeUnit.objects.get(pk=province_id)
    first, last = default_period(today)
    out(
        f"## reads (largest province {province.code} {province.name}: {province_rows:,} dossiers; period {first:%m/%Y}–{last:%m/%Y})"
    )
    admin = User.objects.get(username="admin")
    client = Client(HTTP_HOST="localhost")
    client.force_login(admin)
    query = f"province={province.code}&from={first:%Y-%m}&to={last:%Y-%m}"

    def page(url):
        def get():
            response = client.get(url)
            if response.status_code != 200:
                raise SystemExit(f"{url}: HTTP {response.status_code}")
            return None

        return get

    measures: dict = {}
    figures["measures"] = measures
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT last_analyze IS NULL AND last_autoanalyze IS NULL FROM pg_stat_user_tables"
            " WHERE relname = 'provinces_administrativeunit'"
        )
        never_analysed = cursor.fetchone()[0]
    if never_analysed:
        # load_units writes the 14,000 units and nothing analyses them when autovacuum is off.
        report(
            figures,
            "stats_page_units_never_analysed",
            "stats page, units table never analysed (HTTP)",
            page(f"/dossiers/?{query}"),
            3,
            setup=cache.clear,
        )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        out("  (ANALYZE of the whole database; the figures below are after it)")
    report(
        measures,
        "stats_page",
        "stats page (HTTP, cache cleared)",
        page(f"/dossiers/?{query}"),
        repeats,
        setup=cache.clear,
    )
    report(
        measures,
        "dashboard_block",
        "leader dashboard dossier block (_compute, uncached)",
        lambda: dossier_block._compute({"id": province.pk}, today) and None,
        repeats,
    )
    summaries = DossierSummary.objects.filter(province=province)
    count = summaries.late_count(first, last)
    report(
        measures,
        "late_count_summaries",
        "late list count from the summaries",
        lambda: summaries.late_count(first, last),
        repeats,
    )
    late = Dossier.objects.filter(
        province=province, received_month__gte=first, received_month__lte=last
    ).late_or_overdue()
    report(measures, "late_count_dossiers", "late list count(*) over the dossier table", lambda: late.count(), repeats)
    report(
        measures,
        "late_first_page",
        "late list first page (HTTP)",
        page(f"/dossiers/late/?{query}"),
        repeats,
        setup=cache.clear,
    )
    deep = max(1, count // 50 // 2)
    report(
        measures,
        "late_deep_page",
        f"late list page {deep:,} of {max(1, -(-count // 50)):,} (HTTP)",
        page(f"/dossiers/late/?{query}&page={deep}"),
        repeats,
        setup=cache.clear,
    )
    # The same page reached by the Next links: after the previous page's last row (its key read here, untimed).
    before_deep = Dossier.objects.late_list(province.pk, first, last, {})[(deep - 1) * 50 - 1 : (deep - 1) * 50]
    key = next(iter(before_deep), None)
    if key is not None:
        report(
            measures,
            "late_deep_page_keyset",
            f"late list page {deep:,} by its key (HTTP, after=)",
            page(f"/dossiers/late/?{query}&page={deep}&after={key.due_date.isoformat()}.{key.pk}"),
            repeats,
            setup=cache.clear,
        )
    figures["late_rows"] = count
    if args.reads_only:
        return figures

    out("## late-list export")
    try:
        from dossiers.exporting import write_late_xlsx
    except ImportError:
        write_late_xlsx = None
        out("  dossiers.exporting.write_late_xlsx: not available on this branch; timing the in-request export instead")
    with tempfile.TemporaryDirectory() as folder:
        if write_late_xlsx is not None:
            path = os.path.join(folder, "late.xlsx")
            filters = {"province": province.pk, "from": f"{first:%Y-%m}", "to": f"{last:%Y-%m}"}
            report(
                measures,
                "export",
                f"write_late_xlsx ({count:,} rows)",
                lambda: write_late_xlsx(admin, filters, path),
                3,
                plans=False,
            )
        else:
            report(
                measures,
                "export",
                f"in-request .xlsx export ({min(count, 200_000):,} rows, HTTP)",
                page(f"/dossiers/late/?{query}&export=xlsx"),
                3,
                plans=False,
            )

    out("## jobs")

    class Rollback(Exception):
        pass

    def overdue(days):
        def run_job():
            try:
                with transaction.atomic():
                    changed = refresh_overdue(today + dt.timedelta(days=days))
                    raise Rollback(changed)
            except Rollback as rolled:
                return rolled.args[0]

        return run_job

    report(measures, "overdue_job_day", "nightly overdue job, next day (rolled back)", overdue(1), 3, plans=False)
    report(
        measures, "overdue_job_week", "overdue job after a week without it (rolled back)", overdue(7), 3, plans=False
    )
    report(
        measures,
        "recompute_nochange",
        "full recompute, summaries already right",
        recompute_all_summaries,
        heavy,
        plans=False,
    )

    def spoil():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE dossiers_dossiersummary SET received = received + 1")

    report(
        measures,
        "recompute_rewrite",
        "full recompute, every summary row wrong (rewrites all)",
        recompute_all_summaries,
        2,
        setup=spoil,
        plans=False,
    )
    group_by = """SELECT receiving_unit_id, agency_id, channel, procedure_level, received_month, count(*)
                  FROM dossiers_dossier GROUP BY 1, 2, 3, 4, 5"""

    def plain():
        with connection.cursor() as cursor:
            cursor.execute(group_by)
            return len(cursor.fetchall())

    def select_only():
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM ({_summary_select_sql()}) s")
            return cursor.fetchone()[0]

    report(measures, "group_by", "plain GROUP BY (unit, agency, channel, level, month)", plain, heavy)
    report(measures, "recompute_select", "the recompute's SELECT alone (every flow)", select_only, heavy, plans=False)
    measures["ratio_recompute_group_by"] = round(
        measures["recompute_nochange"]["p50_ms"] / measures["group_by"]["p50_ms"], 2
    )
    out(
        f"    recompute / GROUP BY: {measures['ratio_recompute_group_by']}x (no change); "
        f"{measures['recompute_rewrite']['p50_ms'] / measures['group_by']['p50_ms']:.2f}x (full rewrite)"
    )

    out("## a dashboard query from a second connection, during a recompute vs without")
    figures["readers"] = readers_during_recompute(province.pk, today, spoil)

    out("## import of one province's month")
    figures["import"] = import_month(args.rows, today)
    return figures


def table_sizes() -> dict:
    sizes = {}
    with connection.cursor() as cursor:
        for table in ("dossiers_dossier", "dossiers_dossiersummary"):
            cursor.execute(
                "SELECT reltuples::bigint, pg_table_size(%s::regclass), pg_indexes_size(%s::regclass)"
                " FROM pg_class WHERE oid = %s::regclass",
                [table, table, table],
            )
            rows, table_bytes, index_bytes = cursor.fetchone()
            sizes[table] = {"rows": rows, "table_mb": table_bytes / 1e6, "index_mb": index_bytes / 1e6}
    return sizes


def readers_during_recompute(province_id: int, today: dt.date, spoil) -> dict:
    """The leader dashboard's grouped query, from its own connection, while another runs a recompute."""
    from dossiers import stats
    from dossiers.importing import recompute_all_summaries
    from dossiers.importing.summaries import SUMMARY_COLUMNS, _summary_select_sql

    capture = Capture()
    start = today.replace(day=1, month=1) - dt.timedelta(days=400)
    with connection.execute_wrapper(capture):
        stats.ProvinceFlows(province_id, start.replace(day=1), today.replace(day=1))
    sql, params = capture.queries[-1]
    reader = connections.create_connection("default")  # a second, independent session
    reader.ensure_connection()

    def read_once() -> float:
        started = time.perf_counter()
        with reader.cursor() as cursor:
            cursor.execute(sql, params)
            cursor.fetchall()
        return (time.perf_counter() - started) * 1000

    def during(writer) -> dict:
        done = threading.Event()
        error = []

        def write():
            try:
                writer()
            except Exception as exc:  # reported below
                error.append(exc)
            finally:
                connections.close_all()
                done.set()

        thread = threading.Thread(target=write)
        started = time.perf_counter()
        thread.start()
        latencies = []
        while not done.is_set():
            latencies.append(read_once())
            time.sleep(0.02)
        thread.join()
        if error:
            raise error[0]
        return _latency(latencies, (time.perf_counter() - started) * 1000)

    def truncate_rebuild():
        # The recompute before issue 13: TRUNCATE + INSERT in one transaction (ACCESS EXCLUSIVE until commit).
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("TRUNCATE dossiers_dossiersummary")
            cursor.execute(f"INSERT INTO dossiers_dossiersummary ({SUMMARY_COLUMNS}) {_summary_select_sql()}")

    alone = _latency([read_once() for _ in range(50)], None)
    results = {"alone": alone}
    out(f"  {'alone (50 reads)':<62} {_line(alone)}")
    results["swap_nochange"] = during(recompute_all_summaries)
    out(f"  {'during a recompute that finds the summaries right':<62} {_line(results['swap_nochange'])}")
    spoil()
    results["swap_rewrite"] = during(recompute_all_summaries)
    out(f"  {'during a recompute that rewrites every row (swap)':<62} {_line(results['swap_rewrite'])}")
    results["truncate"] = during(truncate_rebuild)
    out(f"  {'during the old TRUNCATE + INSERT rebuild':<62} {_line(results['truncate'])}")
    recompute_all_summaries()  # back to the project's own rows (and ANALYZE)
    reader.close()
    return results


def _latency(values: list[float], writer_ms) -> dict:
    return {
        "reads": len(values),
        "p50_ms": round(statistics.median(values), 2),
        "p95_ms": round(percentile(values, 0.95), 2),
        "max_ms": round(max(values), 2),
        "writer_ms": round(writer_ms, 1) if writer_ms else None,
    }


def _line(row: dict) -> str:
    writer = f"  (writer {row['writer_ms'] / 1000:.1f} s)" if row["writer_ms"] else ""
    return f"p50 {row['p50_ms']:>8,.1f} ms  p95 {row['p95_ms']:>8,.1f} ms  max {row['max_ms']:>8,.1f} ms  {row['reads']} reads{writer}"


def import_month(rows: int, today: dt.date) -> dict:
    """One province's month at this size (rows / provinces / months), generated by dossiers/generate.py,
    imported end to end and again (unchanged), then removed so the run can be repeated."""
    from bench.dossiers_scale import MONTHS, PROVINCES
    from dossiers.generate import write_export
    from dossiers.importing import recompute_all_summaries
    from dossiers.models import Dossier
    from provinces.demo import DEMO_PROVINCE_CODE
    from provinces.models import AdministrativeUnit

    province = AdministrativeUnit.objects.provinces().current().get(code=DEMO_PROVINCE_CODE)
    size = rows // PROVINCES // MONTHS
    end = today - dt.timedelta(days=2)
    results = {"rows": size}
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "month.csv")
        started = time.perf_counter()
        write_export(path, province=province, rows=size, end=end, first_day=end.replace(day=1), seed=13)
        out(f"  generated {size:,} rows of {province.name} for {end:%m/%Y} in {time.perf_counter() - started:.1f} s")
        for key, label in (("first", "import (new dossiers)"), ("again", "same file again (changes nothing)")):
            started = time.perf_counter()
            proc = subprocess.Popen(
                [
                    sys.executable,
                    "manage.py",
                    "import_dossiers",
                    path,
                    "--province",
                    province.code,
                    "--errors",
                    f"{path}.errors.csv",
                ],  # fmt: skip
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            output = proc.stdout.read()
            _, status, usage = os.wait4(proc.pid, 0)
            seconds = time.perf_counter() - started
            if status:
                raise SystemExit(output)
            last = output.strip().splitlines()[-1] if output.strip() else ""
            results[key] = {
                "seconds": round(seconds, 2),
                "rows_per_s": round(size / seconds),
                "rss_mb": usage.ru_maxrss // 1024,
            }
            out(
                f"  {label:<62} {seconds:>8.2f} s  {size / seconds:>9,.0f} rows/s  peak RSS {usage.ru_maxrss // 1024} MB"
            )
            out(f"      {last}")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM dossiers_dossier WHERE import_job_id IS NOT NULL")
        removed = cursor.rowcount
    recompute_all_summaries()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE dossiers_dossier")
    out(f"  (removed the {removed:,} imported dossiers again and recomputed the summaries)")
    assert not Dossier.objects.filter(import_job__isnull=False).exists()
    return results


# ------------------------------------------------------------------------------------------


def print_growth(figures: dict, results: Path) -> None:
    others = []
    for path in sorted(results.glob("dossiers_scale_*.json")):
        other = json.loads(path.read_text())
        if other.get("rows") and other["rows"] < figures["rows"] and other.get("measures"):
            others.append(other)
    for other in others:
        small, big = other["rows"], figures["rows"]
        out(f"## growth {small:,} -> {big:,} dossiers ({big / small:.0f}x the rows)")
        out(f"  {'figure':<40} {'p50 small':>12} {'p50 big':>12} {'ratio':>8}")
        for key, row in figures["measures"].items():
            before = other["measures"].get(key)
            if not isinstance(row, dict) or not isinstance(before, dict):
                continue
            ratio = row["p50_ms"] / before["p50_ms"] if before["p50_ms"] else float("nan")
            out(f"  {key:<40} {before['p50_ms']:>10,.1f}ms {row['p50_ms']:>10,.1f}ms {ratio:>7.2f}x")
        for key in ("alone", "swap_nochange", "swap_rewrite", "truncate"):
            a, b = other.get("readers", {}).get(key), figures.get("readers", {}).get(key)
            if a and b:
                out(
                    f"  {'dashboard read p95, ' + key:<40} {a['p95_ms']:>10,.1f}ms {b['p95_ms']:>10,.1f}ms {b['p95_ms'] / a['p95_ms']:>7.2f}x"
                )
        a, b = other.get("import", {}).get("first"), figures.get("import", {}).get("first")
        if a and b:
            out(
                f"  {'province-month import (s)':<40} {a['seconds']:>11,.2f}s {b['seconds']:>11,.2f}s {b['seconds'] / a['seconds']:>7.2f}x"
                f"  ({other['import']['rows']:,} -> {figures['import']['rows']:,} rows)"
            )
        for table in ("dossiers_dossier", "dossiers_dossiersummary"):
            a, b = other["sizes"][table], figures["sizes"][table]
            out(f"  {table + ' rows':<40} {a['rows']:>12,} {b['rows']:>12,} {b['rows'] / max(1, a['rows']):>7.2f}x")
