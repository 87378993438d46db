#!/usr/bin/env python3
"""Deployment smoke test: do what the image does, without Docker, and fail on anything wrong.

Reads the Dockerfile and docker-compose.yml for the commands (both call deploy/entrypoint.sh):
copies the build context minus .dockerignore, makes a fresh venv from requirements.txt only,
runs the Dockerfile's build step as root, then compose's migrate, web, worker and beat as an
unprivileged user with production settings (DEBUG off, HTTPS, behind a proxy). It fetches
/healthz, /readyz, the login page and every static file the pages reference, signs in as a
province administrator created with `create_province_admin` (through the invitation link),
imports a generated file through the worker, and fails on any non-200 or error in the logs.

    SMOKE_DATABASE_URL=postgres://postgres@127.0.0.1:5432/cchc_smoke SMOKE_REDIS_DB=10 \
        python3 scripts/smoke_deploy.py

Needs PostgreSQL, Redis and, for the unprivileged user, root (CI runs as root).
"""

from __future__ import annotations

import fnmatch
import http.client
import json
import os
import pwd
import re
import secrets
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from http.cookies import SimpleCookie
from pathlib import Path

import yaml  # PyYAML: in requirements.txt (drf-spectacular)

ROOT = Path(__file__).resolve().parent.parent
HOST = "cchc.example.gov.vn"
# A system Python the unprivileged user can run (a pyenv under /root is not), like the image's.
PYTHON = os.environ.get("SMOKE_PYTHON") or next(
    (p for p in ("/usr/local/bin/python3.11", "/usr/bin/python3.11") if os.access(p, os.X_OK)), sys.executable
)
started = time.monotonic()


def step(message: str) -> None:
    print(f"==> smoke: {message} ({time.monotonic() - started:.0f}s)", flush=True)


def fail(message: str) -> None:
    print(f"SMOKE TEST FAILED: {message}", file=sys.stderr, flush=True)
    raise SystemExit(1)


# --- what the image is made of -------------------------------------------------------


def dockerfile_plan() -> tuple[list[str], str, list[str]]:
    """The Dockerfile's build steps through the entrypoint, its USER, and its ENTRYPOINT."""
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    build_steps = [
        line[4:].strip() for line in text.splitlines() if line.startswith("RUN ") and "entrypoint.sh" in line
    ]
    user = next((line.split()[1] for line in text.splitlines() if line.startswith("USER ")), "root")
    entry = next(json.loads(line[len("ENTRYPOINT ") :]) for line in text.splitlines() if line.startswith("ENTRYPOINT "))
    if not build_steps or user == "root":
        fail("the Dockerfile must build through deploy/entrypoint.sh and run as a non-root USER")
    if not re.search(r"RUN pip install [^\n]*-r requirements\.txt", text):
        fail("the Dockerfile no longer installs requirements.txt as this test assumes")
    return build_steps, user, entry


def compose_commands() -> dict[str, list[str]]:
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    commands = {name: spec["command"] for name, spec in services.items() if "build" in spec}
    for name in ("migrate", "web", "worker", "beat"):
        if name not in commands:
            fail(f"docker-compose.yml has no {name} service built from the image")
    return commands


def dockerignore_patterns() -> list[str]:
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    return [line.strip().rstrip("/") for line in lines if line.strip() and not line.startswith("#")]


def ignored(relative: str, patterns: list[str]) -> bool:
    for pattern in patterns:
        plain = pattern.removeprefix("**/")
        if fnmatch.fnmatch(relative, pattern) or fnmatch.fnmatch(relative, plain):
            return True
        if pattern.startswith("**/") and fnmatch.fnmatch(Path(relative).name, plain):
            return True
    return False


def copy_context(dest: Path) -> None:
    """COPY . . — the build context minus .dockerignore."""
    patterns = dockerignore_patterns()
    for dirpath, dirnames, filenames in os.walk(ROOT):
        rel_dir = os.path.relpath(dirpath, ROOT)
        rel_dir = "" if rel_dir == "." else rel_dir
        dirnames[:] = [d for d in dirnames if not ignored(os.path.join(rel_dir, d), patterns)]
        for name in filenames:
            relative = os.path.join(rel_dir, name)
            if ignored(relative, patterns):
                continue
            target = dest / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(os.path.join(dirpath, name), target, follow_symlinks=True)
    if (dest / ".env").exists():
        fail(".env reached the image context")


# --- processes -------------------------------------------------------------------------


def ensure_user(name: str) -> pwd.struct_passwd | None:
    if os.geteuid() != 0:
        print("smoke: not root, so the services run as the current user", flush=True)
        return None
    try:
        return pwd.getpwnam(name)
    except KeyError:
        subprocess.run(["useradd", "--create-home", name], check=True)
        return pwd.getpwnam(name)


def run(cmd: list[str], *, env: dict, cwd: Path, user=None, log: Path | None = None, timeout: int = 600) -> str:
    result = subprocess.run(
        cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout,
        user=user.pw_uid if user else None, group=user.pw_gid if user else None, extra_groups=[] if user else None,
    )  # fmt: skip
    if log is not None:
        log.write_text(result.stdout + result.stderr)
    if result.returncode != 0:
        fail(f"{shlex.join(cmd)} exited {result.returncode}:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result.stdout + result.stderr


def start(cmd: list[str], *, env: dict, cwd: Path, user, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        cmd, cwd=cwd, env=env, stdout=open(log, "w"), stderr=subprocess.STDOUT, start_new_session=True,  # noqa: SIM115
        user=user.pw_uid if user else None, group=user.pw_gid if user else None, extra_groups=[] if user else None,
    )  # fmt: skip


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


# --- HTTP through a pretend proxy ------------------------------------------------------


class Client:
    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        all_headers = {
            "Host": HOST,
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": "203.0.113.7",
            "Referer": f"https://{HOST}/",
            **(headers or {}),
        }
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        conn.request(method, path, body=body, headers=all_headers)
        response = conn.getresponse()
        data = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie(header)
            for key, morsel in cookie.items():
                self.cookies[key] = morsel.value
        conn.close()
        return response.status, response.headers, data

    def get(self, path: str, expect: int = 200) -> str:
        status, headers, data = self.request("GET", path)
        if status != expect:
            fail(f"GET {path} answered {status}, expected {expect}: {data[:500]!r}")
        return data.decode("utf-8", "replace")

    def post_form(self, path: str, fields: dict, files: dict | None = None) -> tuple[int, dict]:
        fields = {**fields, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")}
        if files:
            boundary = uuid.uuid4().hex
            parts = []
            for key, value in fields.items():
                parts.append(
                    f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
                )
            for key, (name, content) in files.items():
                parts.append(
                    f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"; filename="{name}"\r\n'
                    f"Content-Type: text/csv\r\n\r\n".encode()
                    + content
                    + b"\r\n"
                )
            body = b"".join(parts) + f"--{boundary}--\r\n".encode()
            content_type = f"multipart/form-data; boundary={boundary}"
        else:
            body = urllib.parse.urlencode(fields).encode()
            content_type = "application/x-www-form-urlencoded"
        status, headers, data = self.request("POST", path, body, {"Content-Type": content_type})
        if status not in (200, 302):
            fail(f"POST {path} answered {status}: {data[:800]!r}")
        return status, headers


def static_refs(html: str) -> set[str]:
    return set(re.findall(r'(?:src|href)="(/static/[^"]+)"', html))


def check_static(client: Client, pages: list[str]) -> int:
    assets = set().union(*(static_refs(page) for page in pages))
    if not assets:
        fail("the pages reference no static files")
    for asset in sorted(assets):
        client.get(asset)
    return len(assets)


def wait_until(predicate, timeout: float, what: str, procs: dict[str, subprocess.Popen]):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for name, proc in procs.items():
            if proc.poll() is not None:
                fail(f"{name} exited with {proc.returncode} while waiting for {what}")
        result = predicate()
        if result:
            return result
        time.sleep(0.5)
    fail(f"timed out waiting for {what}")


LOG_PROBLEM = re.compile(r'"level": "(ERROR|CRITICAL)"|Traceback|^\S+ (ERROR|CRITICAL) ', re.MULTILINE)


def main() -> None:
    database_url = os.environ.get("SMOKE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cchc_smoke")
    redis_db = os.environ.get("SMOKE_REDIS_DB", "10")
    redis_url = f"redis://127.0.0.1:6379/{redis_db}"
    port = int(os.environ.get("SMOKE_PORT", "18080"))
    keep = os.environ.get("SMOKE_KEEP") == "1"

    step("reading Dockerfile and docker-compose.yml")
    build_steps, image_user, entrypoint = dockerfile_plan()
    commands = compose_commands()
    work = Path(tempfile.mkdtemp(prefix="cchc-smoke-"))
    os.chmod(work, 0o755)
    app, venv, logs = work / "app", work / "venv", work / "logs"
    logs.mkdir()

    step("copying the build context (minus .dockerignore)")
    copy_context(app)

    step("fresh venv from requirements.txt only")
    t0 = time.monotonic()
    run([PYTHON, "-m", "venv", str(venv)], env=dict(os.environ), cwd=work)
    run([str(venv / "bin/pip"), "install", "--quiet", "--disable-pip-version-check", "-r", "requirements.txt"],
        env=dict(os.environ), cwd=app, timeout=900)  # fmt: skip
    print(f"smoke: venv ready in {time.monotonic() - t0:.0f} s", flush=True)

    step(f"database and broker: {database_url.rsplit('/', 1)[-1]}, redis db {redis_db}")
    admin_url, db_name = database_url.rsplit("/", 1)
    subprocess.run(["dropdb", "--if-exists", "-h", "127.0.0.1", "-U", "postgres", db_name], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", db_name], check=True)
    subprocess.run(["redis-cli", "-n", redis_db, "flushdb"], check=True, capture_output=True)

    user = ensure_user(os.environ.get("SMOKE_USER", "cchc-smoke"))
    media, beat_dir = work / "media", work / "beat"
    for path in (media, beat_dir):
        path.mkdir()
    env = {
        "PATH": f"{venv / 'bin'}:/usr/local/bin:/usr/bin:/bin",
        "HOME": user.pw_dir if user else os.environ.get("HOME", "/tmp"),
        "LANG": "C.UTF-8",
        "PYTHONUNBUFFERED": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": HOST,
        "HTTPS": "1",
        "BEHIND_PROXY": "1",
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": redis_url,
        "REDIS_URL": redis_url,
        "CACHE_KEY_PREFIX": f"smoke{redis_db}",
        "MEDIA_ROOT": str(media),
        "BEAT_SCHEDULE": str(beat_dir / "beat-schedule"),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
        "WORKER_CONCURRENCY": "1",
        "PORTAL_URL": f"https://{HOST}",
        "CCHC_VERSION": version(),
    }

    step(f"image build steps as root: {build_steps}")
    for command in build_steps:
        run(["sh", "-c", command], env=env, cwd=app)
    if user:
        for path in (app, media, beat_dir):
            os.chown(path, user.pw_uid, user.pw_gid)
    print(f"smoke: services run as {user.pw_name if user else 'the current user'} (image: {image_user})", flush=True)

    step("migrate service")
    t0 = time.monotonic()
    run([str(app / entrypoint[0]), *commands["migrate"]], env=env, cwd=app, user=user, log=logs / "migrate.log")
    print(f"smoke: migrate + load_reference in {time.monotonic() - t0:.0f} s", flush=True)

    procs: dict[str, subprocess.Popen] = {}
    try:
        for name in ("web", "worker", "beat"):
            procs[name] = start([str(app / entrypoint[0]), *commands[name]], env=env, cwd=app, user=user,
                                log=logs / f"{name}.log")  # fmt: skip
        client = Client(port)

        def ready():
            try:
                return client.request("GET", "/readyz")[0] == 200
            except OSError:
                return False

        step("waiting for gunicorn")
        wait_until(ready, 90, "/readyz", procs)
        health = json.loads(client.get("/healthz"))
        if health["status"] != "ok" or any(check["status"] != "ok" for check in health["checks"].values()):
            fail(f"/healthz: {health}")
        print(f"smoke: /healthz {health['version']} {[(k, v['status']) for k, v in health['checks'].items()]}")
        if client.request("GET", "/healthz", headers={"X-Forwarded-Proto": "http"})[0] != 200:
            fail("/healthz over plain HTTP must not redirect (the container health check)")

        step("a province administrator through create_province_admin and the invitation link")
        out = run([str(app / entrypoint[0]), "python", "manage.py", "create_province_admin", "--province", "52",
                   "--username", "gialai.admin", "--email", "admin@gialai.example.gov.vn"],
                  env=env, cwd=app, user=user, log=logs / "create_province_admin.log")  # fmt: skip
        link = re.search(r"https://\S+/accounts/welcome/\S+", out)
        if not link:
            fail(f"no invitation link in: {out}")
        path = urllib.parse.urlparse(link.group(0)).path
        status, headers, _ = client.request("GET", path)
        if status == 302:  # Django swaps the token for a session-bound URL
            path = headers["Location"]
        set_page = client.get(path)
        password = secrets.token_urlsafe(16)
        status, headers = client.post_form(path, {"new_password1": password, "new_password2": password})
        if status != 302:
            fail("setting the first password did not redirect")
        login_page = client.get("/accounts/login/")
        client.post_form("/accounts/login/", {"username": "gialai.admin", "password": password})
        home = client.get("/")
        import_page = client.get("/dossiers/imports/")

        step("static files referenced by the pages")
        count = check_static(client, [set_page, login_page, home, import_page])
        print(f"smoke: {count} static files, all 200", flush=True)

        step("one import through the worker")
        run([str(app / entrypoint[0]), "python", "manage.py", "generate_dossiers", "--rows", "500", "--out", "smoke.csv",
             "--bad-rows", "2"], env=env, cwd=app, user=user, log=logs / "generate.log")  # fmt: skip
        province = re.search(r'<option value="(\d+)"[^>]*>[^<]*Gia Lai', import_page)
        if not province:
            fail("the import page offers no province")
        status, headers = client.post_form(
            "/dossiers/imports/",
            {"province": province.group(1)},
            {"file": ("smoke.csv", (app / "smoke.csv").read_bytes())},
        )
        job_url = headers.get("Location", "")
        if status != 302 or "/imports/" not in job_url:
            fail(f"the upload did not create a job (status {status})")

        def job_done():
            page = client.get(urllib.parse.urlparse(job_url).path)
            if 'data-testid="job-result"' in page:
                return page
            if "msg-error" in page:
                fail(f"the import failed: {re.findall(r'<p class=.msg msg-error.>(.*?)</p>', page)}")
            return None

        page = wait_until(job_done, 90, "the import to finish", procs)
        inserted = re.search(r'data-testid="job-inserted">([\d.,]+)<', page).group(1)
        print(f"smoke: import finished, {inserted} new dossiers", flush=True)
        if inserted.replace(".", "").replace(",", "") in ("", "0"):
            fail("the import inserted nothing")
    finally:
        for proc in procs.values():
            stop(proc)

    step("logs")
    problems = []
    for log in sorted(logs.iterdir()):
        text = log.read_text(errors="replace")
        for match in LOG_PROBLEM.finditer(text):
            line_start = text.rfind("\n", 0, match.start()) + 1
            problems.append(f"{log.name}: {text[line_start : text.find(chr(10), match.start())][:400]}")
    if problems:
        fail("errors in the logs:\n" + "\n".join(problems[:20]) + f"\n(logs in {logs})")
    if not keep:
        shutil.rmtree(work, ignore_errors=True)
    step("passed")


def version() -> str:
    try:
        result = subprocess.run(["git", "describe", "--tags", "--always", "--dirty"], cwd=ROOT, capture_output=True,
                                text=True, timeout=10)  # fmt: skip
        return result.stdout.strip() or "unknown"
    except OSError:
        return "unknown"


if __name__ == "__main__":
    main()
