"""Every class of hostile file against every importer: a clear message, nothing written, bounded memory.

The corpus is generated (tests/imports/hostile.py). Each importer is driven through its
public entry point (`tasks.importing.read_rows` + preview + commit, `indices.importing.
import_scores`, `dossiers.importing.import_file`), the way its page and command do.
Memory: the peak of Python allocations while one file is imported (tracemalloc, so other
processes on the machine do not matter) stays under a bound that no hostile file may
push it over; a child process reading every file through the toolkit checks the
process's real peak (RSS, C allocations of lxml and zlib included).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest

from tests.dossiers.conftest import HEADERS as DOSSIER_HEADERS

from .hostile import CORPUS

ROOT = Path(__file__).resolve().parents[2]
PLAN_HEADER = ["STT", "Nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian hoàn thành", "Sản phẩm"]
INDEX_HEADER = ["Tỉnh", "D1", "D2", "D3", "D4", "D5", "D6", "D7", "D8", "Tổng"]
AGENCY_HEADER = ["Tên cơ quan", "Tên viết tắt", "Loại", "Xã/phường", "Hiệu lực từ", "Cơ quan tiền nhiệm"]
HEADERS = {"plans": PLAN_HEADER, "index scores": INDEX_HEADER, "dossiers": DOSSIER_HEADERS, "agencies": AGENCY_HEADER}

# What the user reads for each class (Vietnamese, the default language), whatever the importer.
EXPECTED = {
    "zip bomb .xlsx": "tệp nén độc hại",
    "too many parts .xlsx": "quá nhiều thành phần",
    "macros .xlsm": "macro",
    "external entity .xlsx": "khai báo thực thể XML",
    "billion laughs .xlsx": "khai báo thực thể XML",
    "binary .csv": "NUL|nhị phân",
    "PDF named .xlsx": "tài liệu PDF",
    "empty file": "Tệp rỗng",
    "over the size limit": "lớn hơn 1 MB",  # the agency import's own check before reading: "lớn hơn 1 MB."
    "200 KB field .csv": "dài hơn 131.072 ký tự",
    "NUL bytes .csv": "ký tự NUL",
    "mixed encodings .csv": "nhiều bảng mã",
    "no header": "Không (tìm )?thấy (dòng tiêu đề|cột tên đơn vị)",
    "1M empty rows, lying dimension .xlsx": "không có dòng dữ liệu",
    "formula cells .xlsx": "Thiếu|thiếu|không phải số",
}
PYTHON_PEAK_LIMIT = 48 * 1024 * 1024


def _plans(request, data: bytes, name: str) -> tuple[list[str], bool]:
    from tasks import importing
    from tasks.models import Task

    plan = request.getfixturevalue("gia_lai_plan")
    try:
        preview = importing.plan_import_preview(plan, importing.read_rows(data, name))
    except importing.ImportFileError as refused:
        return [str(refused)], Task.objects.exists()
    if preview.ok:
        importing.plan_import_commit(preview)
    messages = preview.file_errors + [e for row in preview.error_rows for e in row.errors]
    return messages, Task.objects.exists()


def _index_scores(request, data: bytes, name: str) -> tuple[list[str], bool]:
    from indices.importing import import_scores
    from indices.models import Score
    from tests.indices.conftest import edition_of

    request.getfixturevalue("methodologies")
    plan = import_scores(edition_of("PAPI", 2023), data, name)
    return [p.message for p in plan.errors], Score.objects.exists()


def _dossiers(request, data: bytes, name: str) -> tuple[list[str], bool]:
    from dossiers.importing import RefusedFile, import_file
    from dossiers.models import Dossier, DossierSummary

    request.getfixturevalue("dossier_communes")
    path = request.getfixturevalue("tmp_path") / name
    path.write_bytes(data)
    try:
        _info, report = import_file(str(path), name=name, errors_path=str(path) + ".errors.csv")
    except RefusedFile as refused:
        return [str(refused)], Dossier.objects.exists() or DossierSummary.objects.exists()
    return [e["reason"] for e in report.errors_sample], Dossier.objects.exists() or DossierSummary.objects.exists()


def _agencies(request, data: bytes, name: str) -> tuple[list[str], bool]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from ops.agency_import import AgencyFileRefused, agency_rows_check, agency_rows_create
    from provinces.models import Agency

    province = request.getfixturevalue("province")
    before = Agency.objects.count()
    try:
        rows = agency_rows_check(SimpleUploadedFile(name, data), province)
    except AgencyFileRefused as refused:
        return [str(refused)], Agency.objects.count() != before
    if rows and all(not row.problems for row in rows):
        agency_rows_create(rows, province, actor=None)
    return [p for row in rows for p in row.problems], Agency.objects.count() != before


IMPORTERS = {"plans": _plans, "index scores": _index_scores, "dossiers": _dossiers, "agencies": _agencies}


@pytest.fixture
def small_limits(settings):
    """Every importer's size limit at 1 MB, so a file over it stays small."""
    settings.CCHC = {
        **settings.CCHC,
        "IMPORT_MAX_BYTES": 2**20,
        "INDEX_IMPORT_MAX_BYTES": 2**20,
        "AGENCY_IMPORT_MAX_BYTES": 2**20,
    }
    settings.DOSSIER_IMPORT_MAX_BYTES = 2**20


@pytest.mark.django_db
@pytest.mark.parametrize("kind", list(CORPUS))
@pytest.mark.parametrize("importer", list(IMPORTERS))
def test_a_hostile_file_gets_a_clear_message_writes_nothing_and_memory_stays_bounded(
    request, record_property, small_limits, importer, kind
):
    build, name = CORPUS[kind]
    data = build(HEADERS[importer])
    run = IMPORTERS[importer]
    tracemalloc.start()
    try:
        messages, written = run(request, data, name)
        _size, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    record_property("python_peak_mb", round(peak / 2**20, 1))
    assert messages, f"{importer} gave no message for {kind}"
    text = " ".join(messages)
    assert re.search(EXPECTED[kind], text), text
    assert "Traceback" not in text and " / " not in text  # the user's language only, no vi / en pairs
    assert not written
    assert peak < PYTHON_PEAK_LIMIT, f"{importer} × {kind}: peak {peak / 2**20:.1f} MB of Python allocations"


CHILD = """
import json, os, resource, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cchc_portal.settings")
import django
django.setup()
from django.utils import translation
from cchc_portal.lib.imports import FileRefused, Limits, read_table
translation.activate("vi")
import openpyxl  # imported before the baseline: its own size is not the file's doing
baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
results = {}
for path in sys.argv[1:]:
    try:
        rows = read_table(path, Limits(max_bytes=2**20))
        results[path] = "read %d rows" % len(rows)
    except FileRefused as refused:
        results[path] = str(refused)
growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - baseline
print(json.dumps({"growth_kb": growth, "results": results}))
"""


def test_reading_every_hostile_file_keeps_the_process_peak_memory_bounded(tmp_path, record_property):
    paths = []
    for build, name in CORPUS.values():
        path = tmp_path / f"{len(paths)}-{name}"
        path.write_bytes(build(DOSSIER_HEADERS))
        paths.append(str(path))
    env = {"DJANGO_DEBUG": "1", "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, *paths], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    record_property("rss_growth_mb", round(report["growth_kb"] / 1024, 1))
    assert report["growth_kb"] < 150 * 1024, report
    assert all("Traceback" not in result for result in report["results"].values())
