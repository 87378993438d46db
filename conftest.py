"""Shared fixtures: named users by role, a small province, and the real services.

Markers (see pyproject.toml): `postgres`, `celery_worker`, `browser`, `slow`.
A test that needs something this machine lacks is skipped with a one-line reason;
CI (.ci/run) provides PostgreSQL, Redis, a Celery worker process and Chromium.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parent
PASSWORD = "correct-horse-battery-staple"
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"


def pytest_configure(config):
    from django.conf import settings

    # Hashing is not what these tests are about; PBKDF2 would cost ~0.2 s per user.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_collection_modifyitems(config, items):
    from django.conf import settings

    on_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    has_broker = bool(os.environ.get("CELERY_BROKER_URL"))
    has_chromium = os.path.exists(CHROMIUM)
    try:
        import playwright  # noqa: F401
    except ImportError:
        has_chromium = False
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL); CI runs it"))
        if "celery_worker" in item.keywords and not (has_broker and on_postgres):
            item.add_marker(
                pytest.mark.skip(reason="needs a Celery worker on Redis and PostgreSQL (CELERY_BROKER_URL); CI runs it")
            )
        if "browser" in item.keywords and not has_chromium:
            item.add_marker(pytest.mark.skip(reason=f"needs Chromium at {CHROMIUM} (apt-get install chromium)"))


@pytest.fixture(autouse=True)
def _celery_mode(request, settings):
    """Jobs run in-process unless a test goes through the real worker."""
    from cchc_portal.celery import app

    eager = "celery_worker" not in request.keywords
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = eager
    settings.CELERY_TASK_ALWAYS_EAGER = eager
    settings.JOBS_IN_BACKGROUND_THREAD = False  # jobs run eagerly, inside the test
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the site's language: a request in English (the test client runs in this thread,
    and LocaleMiddleware leaves its language active) must not make the next test's messages English."""
    from django.conf import settings
    from django.utils import translation

    yield
    translation.activate(settings.LANGUAGE_CODE)


# --- units, agencies and users ------------------------------------------------


@pytest.fixture
def make_province(db):
    from provinces.models import REORGANISATION_DATE, AdministrativeUnit

    def make(code: str, name: str, **extra) -> AdministrativeUnit:
        extra.setdefault("valid_from", REORGANISATION_DATE)
        return AdministrativeUnit.objects.create(code=code, name=name, level="province", type="tinh", **extra)

    return make


@pytest.fixture
def make_commune(db):
    from provinces.models import REORGANISATION_DATE, AdministrativeUnit

    def make(province, code: str, name: str, **extra) -> AdministrativeUnit:
        extra.setdefault("valid_from", REORGANISATION_DATE)
        extra.setdefault("type", "xa")
        return AdministrativeUnit.objects.create(
            code=code, name=name, level="commune", parent=province, province=province, **extra
        )

    return make


@pytest.fixture
def make_agency(db):
    from provinces.models import Agency

    def make(province, name: str, **extra) -> Agency:
        return Agency.objects.create(province=province, name=name, **extra)

    return make


@pytest.fixture
def make_user(db):
    from accounts.models import User

    def make(username: str, role: str, *, units=(), agencies=(), **extra) -> User:
        user = User.objects.create_user(username=username, password=PASSWORD, role=role, **extra)
        user.units.set(units)
        user.agencies.set(agencies)
        return user

    return make


@pytest.fixture
def province(make_province):
    return make_province("52", "Tỉnh Gia Lai")


@pytest.fixture
def other_province(make_province):
    return make_province("56", "Tỉnh Khánh Hòa")


@pytest.fixture
def commune(province, make_commune):
    return make_commune(province, "21550", "Phường Quy Nhơn")


@pytest.fixture
def agency(province, make_agency):
    return make_agency(province, "Sở Tư pháp", short_name="STP")


@pytest.fixture
def home_affairs(province, make_agency):
    return make_agency(province, "Sở Nội vụ", short_name="SNV")


@pytest.fixture
def other_agency(other_province, make_agency):
    return make_agency(other_province, "Sở Tư pháp", short_name="STP")


@pytest.fixture
def national_admin(make_user):
    return make_user("national_admin", "national_admin", is_staff=True)


@pytest.fixture
def province_admin(make_user, province):
    return make_user("province_admin", "province_admin", units=[province], is_staff=True)


@pytest.fixture
def agency_officer(make_user, province, agency):
    return make_user("officer", "agency_officer", units=[province], agencies=[agency])


@pytest.fixture
def leader(make_user, province):
    return make_user("leader", "leader", units=[province])


@pytest.fixture
def viewer(make_user, province):
    return make_user("viewer", "viewer", units=[province])


@pytest.fixture
def outsider(make_user, other_province, other_agency):
    """A province administrator of another province."""
    return make_user("outsider", "province_admin", units=[other_province], is_staff=True)


@pytest.fixture
def users_by_role(national_admin, province_admin, agency_officer, leader, viewer):
    return {
        "national_admin": national_admin,
        "province_admin": province_admin,
        "agency_officer": agency_officer,
        "leader": leader,
        "viewer": viewer,
    }


@pytest.fixture
def reference_units(db):
    """The full reference data: 63 + 34 provinces, 696 districts, 13,372 communes, lineage."""
    from provinces.reference import load_reference_units

    return load_reference_units()


def reset_broker_connections() -> None:
    """Drop the Celery app's pooled broker connections, so the next send connects afresh."""
    from cchc_portal.celery import app

    app._pool = None
    if "amqp" in app.__dict__:
        app.amqp._producer_pool = None


@pytest.fixture
def unreachable_broker():
    """Redis down: the Celery app points at a port where nothing listens; yields the saved settings."""
    from cchc_portal.celery import app

    # broker_write_url: the CELERY_BROKER_URL environment variable overrides conf.broker_url itself.
    saved = (app.conf.get("broker_write_url"), app.conf.task_always_eager)
    reset_broker_connections()
    app.conf.broker_write_url = "redis://127.0.0.1:1/0"
    app.conf.task_always_eager = False
    yield saved
    app.conf.broker_write_url, app.conf.task_always_eager = saved
    reset_broker_connections()


# --- real services ----------------------------------------------------------------


def _database_url() -> str:
    from django.conf import settings

    db = settings.DATABASES["default"]
    return f"postgres://{db['USER']}:{db.get('PASSWORD') or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def start_celery_worker(*extra_args: str, log_name: str = ".celery-test-worker.log", **env: str):
    """Start a real `celery worker` process on the test database and the Redis broker; returns it once
    it answers a ping. Its own process group, so a test can stop it as `docker stop` does."""
    broker = os.environ["CELERY_BROKER_URL"]
    env = {**os.environ, "DATABASE_URL": _database_url(), "CELERY_BROKER_URL": broker, "DJANGO_DEBUG": "0", **env}
    log = open(ROOT / log_name, "w")  # noqa: SIM115
    name = f"{log_name.strip('.').split('.')[0]}-{os.getpid()}@%h"
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "cchc_portal", "worker", "--loglevel=INFO",
         "--without-gossip", "--without-mingle", "--without-heartbeat", "-n", name, *extra_args],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    proc.log = log
    from cchc_portal.celery import app

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"celery worker exited early; see {log.name}")
        replies = app.control.ping(timeout=1.0)
        if any(name.split("@")[0] in host for reply in replies for host in reply):
            break
    else:
        proc.terminate()
        raise RuntimeError("celery worker did not answer a ping within 60 s")
    return proc


def stop_celery_worker(proc, grace: float = 20) -> None:
    """SIGTERM to the main process, then SIGKILL to the whole group after `grace` seconds (docker stop)."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    proc.log.close()


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker):
    """A real `celery worker` process on the test database and the Redis broker."""
    proc = start_celery_worker("--pool=solo")
    yield proc
    stop_celery_worker(proc)


def wait_for(predicate, timeout: float = 60.0, interval: float = 0.2):
    """Poll `predicate` until it returns a truthy value (used with the real worker)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture
def browser_login(live_server):
    """Log a user in through the real login form; returns the page."""

    def login(page, user, password: str = PASSWORD):
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", password)
        page.click("button[type=submit].primary")
        page.wait_for_load_state("networkidle")
        return page

    return login


@pytest.fixture
def artifacts_dir() -> Path:
    """Screenshots written by browser tests (ignored by git)."""
    path = ROOT / "test-artifacts"
    path.mkdir(exist_ok=True)
    return path
