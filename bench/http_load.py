#!/usr/bin/env python3
"""HTTP load bench for portal pages: cold and warm cache, beside a trivial view.

Starts gunicorn (sync workers) on 127.0.0.1 against the current settings
(DATABASE_URL, REDIS_URL, ...), logs in as a user, then for each URL path:

- cold: the latency seen by 16 clients that arrive together right after the
  Django cache was emptied (`cache.clear()`), repeated for --cold-rounds
  rounds; plus the latency of single requests each made alone right after a
  clear ("miss", the cost of computing the page with nothing cached);
- warm: `wrk -t2 -c16 -d<duration>s --latency` with the session cookie;

and the same warm run against a trivial view (`/bench/trivial`, routed only when
CCHC_BENCH_VIEWS=1, which this script sets for its gunicorn) as the ceiling.
See bench/README.md for how to read the table.

Usage (from the repository root, with the project's virtualenv):

  DATABASE_URL=postgres://... REDIS_URL=redis://127.0.0.1:6379/12 \\
      python bench/http_load.py --user leader --password cchc-demo-2025 / /units/

Only 127.0.0.1 is contacted; every phase has a bounded duration.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.cookiejar
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
TRIVIAL_PATH = "/bench/trivial"
LOGIN_PATH = "/accounts/login/"
WRK_THREADS = 2
WRK_CONNECTIONS = 16
MAX_DURATION = 120  # seconds, per wrk run
MAX_ROUNDS = 50

# Issue 6 goals (printed beside the figures; the bench never fails on them).
GOAL_WARM_P95_MS = 50
GOAL_COLD_P95_MS = 200
GOAL_RATIO = 0.5

WRK_LUA = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"p50_us":%d,"p95_us":%d,"p99_us":%d,"max_us":%d,"requests":%d,"duration_us":%d,' ..
    '"status_errors":%d,"socket_errors":%d}\\n',
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max,
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout))
end
"""


@dataclass
class Result:
    path: str
    cold_p50_ms: float | None = None
    cold_p95_ms: float | None = None
    miss_p50_ms: float | None = None
    miss_p95_ms: float | None = None
    burst_p50_ms: float | None = None
    burst_p95_ms: float | None = None
    warm_p50_ms: float | None = None
    warm_p95_ms: float | None = None
    warm_p99_ms: float | None = None
    warm_rps: float | None = None
    warm_requests: int = 0
    ratio_to_trivial: float | None = None
    # --after-import: bursts right after the dossier generation bump an import makes, without and
    # with the warming job (cchc_portal.warming) having run; its duration per round.
    import_cold_p50_ms: float | None = None
    import_cold_p95_ms: float | None = None
    import_warmed_p50_ms: float | None = None
    import_warmed_p95_ms: float | None = None
    warming_job_ms: float | None = None
    errors: dict[str, int] = field(default_factory=dict)


class BenchError(SystemExit):
    pass


# --- environment -------------------------------------------------------------------------


def bench_environment() -> dict[str, str]:
    """The environment for gunicorn and for this process's own cache clearing."""
    env = dict(os.environ)
    env["CCHC_BENCH_VIEWS"] = "1"
    env["HTTPS"] = "0"  # plain HTTP on 127.0.0.1: no SSL redirect, no secure-only cookies
    hosts = [h for h in env.get("ALLOWED_HOSTS", "").split(",") if h.strip()]
    env["ALLOWED_HOSTS"] = ",".join(hosts + [HOST]) if HOST not in hosts else ",".join(hosts)
    env.setdefault("SECRET_KEY", "bench-only-not-a-secret-" + "x" * 32)
    env.setdefault("PLAIN_STATIC_STORAGE", "1")  # no collectstatic manifest needed
    env.setdefault("LOG_LEVEL", "WARNING")
    env.setdefault("DJANGO_SETTINGS_MODULE", "cchc_portal.settings")
    return env


def cache_clearer(env: dict[str, str], allow_broker_flush: bool):
    """A function emptying Django's cache as the server sees it, or None when impossible."""
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import cache

    backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    if backend in {"LocMemCache", "DummyCache"}:
        return None, f"{backend}: per-process, cannot be cleared from outside (set REDIS_URL for cold figures)"
    redis_url = env.get("REDIS_URL", "")
    if backend == "RedisCache" and redis_url and redis_url == env.get("CELERY_BROKER_URL") and not allow_broker_flush:
        raise BenchError(
            "REDIS_URL is also CELERY_BROKER_URL: clearing the cache (FLUSHDB) would drop queued jobs. "
            "Use another Redis db for the cache, or pass --allow-broker-flush."
        )
    where = redis_url if backend == "RedisCache" else settings.CACHES["default"].get("LOCATION", "")
    return cache.clear, f"{backend} {where} (cache.clear(); for Redis this is FLUSHDB of that db)"


def database_label() -> str:
    from django.db import connection

    name = connection.settings_dict["NAME"]
    return f"{connection.vendor} {Path(str(name)).name if connection.vendor == 'sqlite' else name}"


# --- server --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class Gunicorn:
    def __init__(self, executable: str, workers: int, port: int, env: dict[str, str]):
        self.base = f"http://{HOST}:{port}"
        self.log = tempfile.NamedTemporaryFile(prefix="bench-gunicorn-", suffix=".log", delete=False)
        cmd = [
            executable,
            "cchc_portal.wsgi:application",
            "--bind",
            f"{HOST}:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            "sync",
            "--timeout",
            "60",
            "--graceful-timeout",
            "5",
            "--log-level",
            "warning",
        ]
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise BenchError(f"gunicorn exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=2) as resp:
                    if resp.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.3)
        raise BenchError(f"gunicorn not ready after {timeout:.0f}s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        text = Path(self.log.name).read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        os.unlink(self.log.name)


# --- HTTP client (standard library only) ---------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_NO_REDIRECT = urllib.request.build_opener(_NoRedirect)


def login(base: str, username: str, password: str) -> str:
    """Log in through the real login form; returns the Cookie header value."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(base + LOGIN_PATH, timeout=10) as resp:
        html = resp.read().decode("utf-8", "replace")
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    if not match:
        raise BenchError("no CSRF token in the login form")
    data = urllib.parse.urlencode(
        {"username": username, "password": password, "csrfmiddlewaretoken": match.group(1), "next": "/"}
    ).encode()
    request = urllib.request.Request(base + LOGIN_PATH, data=data, headers={"Referer": base + LOGIN_PATH})
    with opener.open(request, timeout=30) as resp:
        final_path = urllib.parse.urlsplit(resp.geturl()).path
    cookies = {cookie.name: cookie.value for cookie in jar}
    if final_path == LOGIN_PATH or len(cookies) < 2:
        raise BenchError(f"login as {username!r} failed (wrong password, locked out by axes, or no such user)")
    return "; ".join(f"{name}={value}" for name, value in sorted(cookies.items()))


def fetch(base: str, path: str, cookie: str) -> tuple[int, float]:
    """One GET without following redirects: (status, seconds)."""
    request = urllib.request.Request(base + path, headers={"Cookie": cookie})
    started = time.perf_counter()
    try:
        with _NO_REDIRECT.open(request, timeout=60) as resp:
            resp.read()
            status = resp.status
    except urllib.error.HTTPError as exc:
        exc.read()
        status = exc.code
    return status, time.perf_counter() - started


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (what wrk's HdrHistogram reports, give or take a bucket)."""
    ordered = sorted(values)
    rank = max(1, int(-(-pct * len(ordered) // 100)))  # ceil
    return ordered[rank - 1]


# --- measurements --------------------------------------------------------------------------


def burst(base, path, cookie, rounds, concurrency, before_each, statuses: Counter) -> list[float]:
    """`rounds` times: call before_each(), then send `concurrency` requests at the same instant."""
    seconds_list: list[float] = []
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        for _ in range(rounds):
            if before_each is not None:
                before_each()
            barrier = threading.Barrier(concurrency, timeout=30)

            def one(barrier: threading.Barrier) -> tuple[int, float]:
                barrier.wait()
                return fetch(base, path, cookie)

            for status, seconds in pool.map(one, [barrier] * concurrency):
                statuses[status] += 1
                seconds_list.append(seconds)
    return seconds_list


def measure_bursts(base, path, cookie, clear, rounds, concurrency, result: Result) -> None:
    statuses: Counter[int] = Counter()
    if clear is not None:
        cold = burst(base, path, cookie, rounds, concurrency, clear, statuses)
        result.cold_p50_ms = percentile(cold, 50) * 1000
        result.cold_p95_ms = percentile(cold, 95) * 1000
        alone = burst(base, path, cookie, rounds, 1, clear, statuses)
        result.miss_p50_ms = percentile(alone, 50) * 1000
        result.miss_p95_ms = percentile(alone, 95) * 1000
    hot = burst(base, path, cookie, rounds, concurrency, None, statuses)
    result.burst_p50_ms = percentile(hot, 50) * 1000
    result.burst_p95_ms = percentile(hot, 95) * 1000
    for status, n in statuses.items():
        if status != 200:
            result.errors[f"burst HTTP {status}"] = n


def after_import_steps(username: str):
    """(bump, bump_and_warm, timings): what a dossier import does to the caches — bump the
    "dossier-stats" generation — alone, and followed by the warming job it queues (run here, as
    the worker would, before the users arrive); `timings` collects the warming job's seconds."""
    from django.contrib.auth import get_user_model

    from cchc_portal.cache import bump_generation
    from cchc_portal.scoping import primary_province_id
    from cchc_portal.warming import warm
    from dossiers.stats import STATS_CACHE

    province_id = primary_province_id(get_user_model().objects.get(username=username))
    if province_id is None:
        raise BenchError(f"{username} has no province: --after-import needs a province user")
    timings: list[float] = []

    def bump() -> None:
        bump_generation(STATS_CACHE)

    def bump_and_warm() -> None:
        bump_generation(STATS_CACHE)
        started = time.perf_counter()
        warm(STATS_CACHE, [province_id])
        timings.append(time.perf_counter() - started)

    return bump, bump_and_warm, timings


def measure_after_import(base, path, cookie, steps, rounds, concurrency, result: Result) -> None:
    bump, bump_and_warm, timings = steps
    statuses: Counter[int] = Counter()
    # Interleaved rounds, so both see the same machine load.
    cold: list[float] = []
    warmed: list[float] = []
    for _ in range(rounds):
        cold += burst(base, path, cookie, 1, concurrency, bump, statuses)
        warmed += burst(base, path, cookie, 1, concurrency, bump_and_warm, statuses)
    result.import_cold_p50_ms = percentile(cold, 50) * 1000
    result.import_cold_p95_ms = percentile(cold, 95) * 1000
    result.import_warmed_p50_ms = percentile(warmed, 50) * 1000
    result.import_warmed_p95_ms = percentile(warmed, 95) * 1000
    result.warming_job_ms = percentile(timings[-rounds:], 50) * 1000
    for status, n in statuses.items():
        if status != 200:
            result.errors[f"after-import HTTP {status}"] = n


def run_wrk(wrk: str, url: str, cookie: str, duration: int, script: str) -> dict:
    cmd = [
        wrk,
        f"-t{WRK_THREADS}",
        f"-c{WRK_CONNECTIONS}",
        f"-d{duration}s",
        "--latency",
        "--timeout",
        "10s",
        "-s",
        script,
        "-H",
        f"Cookie: {cookie}",
        url,
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60)
    match = re.search(r"^BENCH (\{.*\})$", proc.stdout, re.M)
    if proc.returncode != 0 or not match:
        raise BenchError(f"wrk failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return json.loads(match.group(1))


def measure_warm(wrk, base, path, cookie, duration, script, result: Result) -> None:
    stats = run_wrk(wrk, base + path, cookie, duration, script)
    result.warm_p50_ms = stats["p50_us"] / 1000
    result.warm_p95_ms = stats["p95_us"] / 1000
    result.warm_p99_ms = stats["p99_us"] / 1000
    result.warm_requests = stats["requests"]
    result.warm_rps = stats["requests"] / (stats["duration_us"] / 1e6)
    if stats["status_errors"]:
        result.errors["warm HTTP 4xx/5xx"] = stats["status_errors"]
    if stats["socket_errors"]:
        result.errors["warm socket errors"] = stats["socket_errors"]


# --- output --------------------------------------------------------------------------------


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def goals(result: Result, trivial: bool) -> str:
    if trivial:
        return "(ceiling)"
    misses = []
    if result.warm_p95_ms is not None and result.warm_p95_ms >= GOAL_WARM_P95_MS:
        misses.append(f"warm p95>={GOAL_WARM_P95_MS}")
    if result.cold_p95_ms is not None and result.cold_p95_ms >= GOAL_COLD_P95_MS:
        misses.append(f"cold p95>={GOAL_COLD_P95_MS}")
    if result.ratio_to_trivial is not None and result.ratio_to_trivial < GOAL_RATIO:
        misses.append(f"ratio<{GOAL_RATIO}")
    if result.errors:
        misses.append("ERRORS " + ", ".join(f"{k}: {v}" for k, v in result.errors.items()))
    return "; ".join(misses) or "ok"


def print_import_table(results: list[Result]) -> None:
    rows = [r for r in results if r.import_cold_p95_ms is not None]
    if not rows:
        return
    print()
    print("| URL | after import p50 | after import p95 | warmed p50 | warmed p95 | warmed/not | warming job | goal |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for r in rows:
        ratio = r.import_warmed_p95_ms / r.import_cold_p95_ms if r.import_cold_p95_ms else None
        goal = "ok" if r.import_warmed_p95_ms < GOAL_COLD_P95_MS else f"warmed p95>={GOAL_COLD_P95_MS}"
        print(
            f"| {r.path} | {_ms(r.import_cold_p50_ms)} | {_ms(r.import_cold_p95_ms)} | "
            f"{_ms(r.import_warmed_p50_ms)} | {_ms(r.import_warmed_p95_ms)} | "
            f"{'-' if ratio is None else f'{ratio:.2f}'} | {_ms(r.warming_job_ms)} | {goal} |"
        )
    print(
        "(ms. after import: 16 simultaneous requests right after the dossier generation bump an import makes;\n"
        " warmed: the same after the warming job the import queues has run (its median time: warming job);\n"
        " rounds interleaved. Goal (issue 13): warmed p95 < 200 ms.)"
    )


def print_table(results: list[Result]) -> None:
    headers = [
        "URL",
        "cold p50",
        "cold p95",
        "miss p50",
        "miss p95",
        "hot p50",
        "hot p95",
        "warm p50",
        "warm p95",
        "warm rps",
        "/trivial",
        "goals",
    ]
    rows = [
        [
            r.path,
            _ms(r.cold_p50_ms),
            _ms(r.cold_p95_ms),
            _ms(r.miss_p50_ms),
            _ms(r.miss_p95_ms),
            _ms(r.burst_p50_ms),
            _ms(r.burst_p95_ms),
            _ms(r.warm_p50_ms),
            _ms(r.warm_p95_ms),
            "-" if r.warm_rps is None else f"{r.warm_rps:.0f}",
            "-" if r.ratio_to_trivial is None else f"{r.ratio_to_trivial:.2f}",
            goals(r, r.path == TRIVIAL_PATH),
        ]
        for r in results
    ]
    widths = [max(len(str(row[i])) for row in [headers, *rows]) for i in range(len(headers))]
    for n, row in enumerate([headers, *rows]):
        last = len(row) - 1
        cells = [
            str(c).ljust(w) if i in (0, last) else str(c).rjust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        print("  ".join(cells).rstrip())
        if n == 0:
            print("  ".join("-" * w for w in widths))
    print(
        "(ms. cold: 16 simultaneous requests right after a cache clear; miss: one request alone after a clear;\n"
        " hot: 16 simultaneous requests, cache filled; warm: wrk sustained load, 16 connections;\n"
        " rps: warm requests per second; /trivial: warm rps / the trivial view's warm rps)"
    )


def git_commit() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
        dirty = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True).stdout
        return out.stdout.strip() + ("+dirty" if dirty.strip() else "")
    except OSError:
        return "?"


# --- main ----------------------------------------------------------------------------------


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="+", help="URL paths to measure, e.g. / /indices/map/")
    parser.add_argument("--user", required=True, help="username to log in as (e.g. leader)")
    parser.add_argument("--password", default=os.environ.get("BENCH_PASSWORD", "cchc-demo-2025"))
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers (default 4)")
    parser.add_argument("--duration", type=int, default=10, help="seconds per warm wrk run (default 10)")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of wrk per URL before measuring (default 2)")
    parser.add_argument("--cold-rounds", type=int, default=8, help="cache clears per URL (default 8)")
    parser.add_argument(
        "--after-import",
        action="store_true",
        help="also measure bursts right after a dossier import's cache bump, without and with warming",
    )
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
    parser.add_argument("--gunicorn", default=str(Path(sys.executable).with_name("gunicorn")))
    parser.add_argument("--json", type=Path, help="also write the results as JSON to this file")
    parser.add_argument("--allow-broker-flush", action="store_true", help="clear the cache even if it is the broker")
    args = parser.parse_args(argv)
    for path in args.paths:
        if not path.startswith("/") or "://" in path or path.startswith("//"):
            parser.error(f"{path!r}: give a path on this server, starting with /")
    if not 1 <= args.duration <= MAX_DURATION or not 0 <= args.warmup <= MAX_DURATION:
        parser.error(f"durations must be at most {MAX_DURATION}s")
    if args.after_import and args.cold_rounds < 1:
        parser.error("--after-import needs --cold-rounds >= 1")
    if not 0 <= args.cold_rounds <= MAX_ROUNDS:
        parser.error(f"--cold-rounds must be between 0 and {MAX_ROUNDS}")
    return args


def main(argv=None) -> None:
    args = parse_args(argv)
    wrk = shutil.which("wrk")
    if not wrk:
        raise BenchError("wrk is not installed: `apt-get install -y wrk` (Debian package wrk), then run again.")
    if not Path(args.gunicorn).exists():
        raise BenchError(f"gunicorn not found at {args.gunicorn} (pass --gunicorn)")

    env = bench_environment()
    clear, cache_label = cache_clearer(env, args.allow_broker_flush)
    wrk_version = subprocess.run([wrk, "-v"], capture_output=True, text=True).stdout.split("\n")[0]
    print(f"# bench/http_load.py  {dt.datetime.now().isoformat(timespec='seconds')}  commit {git_commit()}")
    print(f"# database: {database_label()}; cache: {cache_label}")
    print(
        f"# gunicorn {args.workers} sync workers on {HOST}; {os.cpu_count()} CPUs (shared with the client); "
        f"debug={env.get('DJANGO_DEBUG', '0')}; user {args.user}"
    )
    print(
        f"# warm: {wrk_version.split(' [')[0]} -t{WRK_THREADS} -c{WRK_CONNECTIONS} -d{args.duration}s --latency "
        f"after {args.warmup}s warm-up; cold/hot: {args.cold_rounds} bursts of {WRK_CONNECTIONS} simultaneous "
        f"requests with/without a cache clear before each; miss: {args.cold_rounds} lone requests after a clear"
    )
    if env.get("DJANGO_DEBUG", "").lower() in {"1", "true", "yes", "on"}:
        print("# WARNING: DJANGO_DEBUG is on (queries are recorded): figures are not representative")
    sys.stdout.flush()

    server = Gunicorn(args.gunicorn, args.workers, args.port or free_port(), env)
    script = tempfile.NamedTemporaryFile("w", prefix="bench-", suffix=".lua", delete=False)
    script.write(WRK_LUA)
    script.close()
    results: list[Result] = []
    try:
        server.wait_ready()
        cookie = login(server.base, args.user, args.password)
        import_steps = after_import_steps(args.user) if args.after_import else None
        for path in [TRIVIAL_PATH, *args.paths]:
            status, _ = fetch(server.base, path, cookie)
            if status != 200:
                raise BenchError(f"GET {path} as {args.user} answered {status}, not 200: nothing to measure")
        for path in [TRIVIAL_PATH, *args.paths]:
            result = Result(path)
            if args.warmup:
                run_wrk(wrk, server.base + path, cookie, args.warmup, script.name)
            if args.cold_rounds:
                flush = clear if path != TRIVIAL_PATH else None  # the trivial view caches nothing
                measure_bursts(server.base, path, cookie, flush, args.cold_rounds, WRK_CONNECTIONS, result)
            if import_steps is not None and path != TRIVIAL_PATH and clear is not None:
                measure_after_import(server.base, path, cookie, import_steps, args.cold_rounds, WRK_CONNECTIONS, result)
            measure_warm(wrk, server.base, path, cookie, args.duration, script.name, result)
            results.append(result)
            print(f"# measured {path}", file=sys.stderr)
    finally:
        server.stop()
        os.unlink(script.name)
    trivial_rps = results[0].warm_rps
    for result in results:
        if trivial_rps and result.warm_rps is not None:
            result.ratio_to_trivial = result.warm_rps / trivial_rps
    print()
    print_table(results)
    print_import_table(results)
    if clear is None:
        print(f"# cold/miss not measured: {cache_label}")
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in results], indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
