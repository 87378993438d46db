"""The running version: the VERSION file written at image build, else `git describe`, else "unknown"."""

from __future__ import annotations

import subprocess
from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=1)
def get_version() -> str:
    path = settings.BASE_DIR / "VERSION"
    try:
        text = path.read_text(encoding="utf-8").strip()
    except OSError:
        text = ""
    if text and text != "unknown":
        return text[:64]
    try:
        result = subprocess.run(
            ["git", "describe", "--tags", "--always", "--dirty"],
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            timeout=5,
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return result.stdout.strip()[:64] if result.returncode == 0 and result.stdout.strip() else "unknown"


def version(request) -> dict:
    """Template context processor: the version for the footer."""
    return {"portal_version": get_version()}
