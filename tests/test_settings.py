"""Start-up configuration: one env-driven settings module."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "DJANGO_DEBUG", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    # A developer's .env (make run) must not change what these tests see.
    env = {"ENV_FILE": "", **env}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=120
    )


def test_without_debug_a_missing_secret_key_stops_start_up_with_a_clear_message():
    result = run_manage("check")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_make_run_writes_a_local_env_that_every_manage_command_reads(tmp_path):
    subprocess.run(["make", "--no-print-directory", "-f", str(ROOT / "Makefile"), ".env"], cwd=tmp_path, check=True,
                   capture_output=True)  # fmt: skip
    written = (tmp_path / ".env").read_text()
    assert "DJANGO_DEBUG=1" in written and "SECRET_KEY=" in written
    result = run_manage("import_dossiers", "--help", ENV_FILE=str(tmp_path / ".env"))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr


def test_the_environment_wins_over_the_local_env_file(tmp_path):
    (tmp_path / ".env").write_text("DJANGO_DEBUG=1\nSECRET_KEY=from-the-file\n")
    result = run_manage("shell", "-c", "from django.conf import settings; print(settings.SECRET_KEY)",
                        ENV_FILE=str(tmp_path / ".env"), SECRET_KEY="from-the-environment")  # fmt: skip
    assert result.stdout.strip().splitlines()[-1] == "from-the-environment", result.stderr


def test_deploy_check_passes_with_production_settings():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY="x" * 20 + "production-secret-key-for-the-check-0123456789",
        ALLOWED_HOSTS="cchc.example.gov.vn",
        HTTPS="1",
    )
    assert result.returncode == 0, result.stdout + result.stderr
