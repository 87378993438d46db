"""Every Vietnamese catalogue is complete: no untranslated and no fuzzy entry (a fuzzy one is not used)."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SKIP = {".venv", "staticfiles", "node_modules", ".git"}


def catalogues() -> list[Path]:
    return sorted(p for p in ROOT.glob("**/locale/vi/LC_MESSAGES/django.po") if not SKIP & set(p.parts))


def _text(lines: list[str], keyword: str) -> str | None:
    """The concatenated string of `keyword` ("msgid", "msgstr", "msgstr[0]") in one entry."""
    parts, inside = [], False
    for line in lines:
        if line.startswith(keyword + " "):
            inside = True
            parts.append(ast.literal_eval(line[len(keyword) + 1 :]))
        elif inside and line.startswith('"'):
            parts.append(ast.literal_eval(line))
        else:
            inside = False
    return "".join(parts) if parts else None


def incomplete_entries(path: Path) -> list[str]:
    problems = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.splitlines() if not line.startswith("#~")]
        msgid = _text(lines, "msgid")
        if not msgid:  # the header, or an obsolete entry
            continue
        if any(line.startswith("#,") and "fuzzy" in line for line in lines):
            problems.append(f"fuzzy: {msgid}")
        translations = [_text(lines, k) for k in ("msgstr", "msgstr[0]", "msgstr[1]")]
        if not any(translations):
            problems.append(f"untranslated: {msgid}")
    return problems


def test_there_are_catalogues_to_check():
    assert len(catalogues()) >= 5


def test_no_catalogue_has_an_untranslated_or_fuzzy_entry():
    found = {str(p.relative_to(ROOT)): incomplete_entries(p) for p in catalogues()}
    assert {k: v for k, v in found.items() if v} == {}


def test_every_catalogue_compiles_with_format_checks():
    """`manage.py compilemessages` runs msgfmt --check-format: a translation whose placeholders differ
    from its msgid (or a "100% done" flagged python-format) makes the command fail for the user."""
    import shutil
    import subprocess

    import pytest

    if not shutil.which("msgfmt"):
        pytest.skip("gettext's msgfmt is not installed")
    failures = {}
    for path in catalogues():
        run = subprocess.run(["msgfmt", "--check-format", "-o", "/dev/null", str(path)], capture_output=True, text=True)
        if run.returncode:
            failures[str(path.relative_to(ROOT))] = run.stderr.strip()
    assert failures == {}
