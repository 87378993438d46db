"""The late list's .xlsx export as a background job: scoped, streamed, correct, expiring, alive."""

from __future__ import annotations

import datetime as dt
import io
import tracemalloc

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from dossiers.exporting import write_late_xlsx
from dossiers.jobs import expire_late_exports, run_late_export
from dossiers.models import (
    Channel,
    Dossier,
    ExportStatus,
    LateExportJob,
    Outcome,
    Procedure,
    ProcedureLevel,
    Status,
)

pytestmark = pytest.mark.django_db

QUERY = "?from=2025-01&to=2025-12"


def make_late_dossiers(unit, count: int, *, province=None, prefix: str = "HS", agency=None, start: int = 0) -> None:
    """`count` late dossiers received in 2025 (one every few hours), written in bulk."""
    procedure, _created = Procedure.objects.get_or_create(
        code="1.001193", defaults={"name": "Đăng ký khai sinh", "level": ProcedureLevel.COMMUNE}
    )
    province = province or unit.parent or unit
    base = dt.datetime(2025, 1, 2, 8, 0, tzinfo=dt.UTC)
    rows = []
    for i in range(start, start + count):
        received = base + dt.timedelta(hours=(i % 8000))
        rows.append(
            Dossier(
                receipt_number=f"{prefix}-{i:07d}",
                procedure=procedure,
                procedure_level=ProcedureLevel.COMMUNE,
                receiving_unit=unit,
                province=province,
                agency=agency,
                channel=Channel.IN_PERSON,
                status=Status.FINISHED,
                received_at=received,
                due_at=received + dt.timedelta(days=2),
                due_date=(received + dt.timedelta(days=2)).date(),
                finished_at=received + dt.timedelta(days=5),
                closed_date=(received + dt.timedelta(days=5)).date(),
                outcome=Outcome.LATE,
                received_month=received.date().replace(day=1),
                closed_month=(received + dt.timedelta(days=5)).date().replace(day=1),
            )
        )
        if len(rows) == 5000:
            Dossier.objects.bulk_create(rows)
            rows = []
    Dossier.objects.bulk_create(rows)


def export(client, capture, query: str = QUERY):
    with capture(execute=True):
        response = client.post(reverse("dossiers:late_export_create") + query)
    assert response.status_code == 302, response.content
    return LateExportJob.objects.get(pk=int(response.url.rstrip("/").rsplit("/", 1)[1]))


def workbook_of(client, job):
    response = client.get(reverse("dossiers:late_export_download", args=[job.pk]))
    assert response.status_code == 200
    return load_workbook(io.BytesIO(b"".join(response.streaming_content))).active


# --- scope ---------------------------------------------------------------------------


def test_another_provinces_user_gets_404_on_the_job_its_progress_and_its_file(
    client, leader, outsider, commune, django_capture_on_commit_callbacks
):
    make_late_dossiers(commune, 3)
    client.force_login(leader)
    job = export(client, django_capture_on_commit_callbacks)
    assert job.status == ExportStatus.SUCCEEDED
    client.force_login(outsider)
    for name in ("late_export", "late_export_progress", "late_export_download"):
        assert client.get(reverse(f"dossiers:{name}", args=[job.pk])).status_code == 404
    assert client.post(reverse("dossiers:late_export_run_again", args=[job.pk])).status_code == 404


def test_a_user_of_the_same_province_may_download_but_a_commune_user_may_not(
    client, leader, viewer, make_user, commune, django_capture_on_commit_callbacks
):
    make_late_dossiers(commune, 3)
    client.force_login(leader)
    job = export(client, django_capture_on_commit_callbacks)
    client.force_login(viewer)
    assert client.get(reverse("dossiers:late_export_download", args=[job.pk])).status_code == 200
    commune_user = make_user("commune_user", "viewer", units=[commune])
    client.force_login(commune_user)
    assert client.get(reverse("dossiers:late_export", args=[job.pk])).status_code == 404


def test_asking_for_another_province_creates_no_job(client, leader, other_province, django_capture_on_commit_callbacks):
    client.force_login(leader)
    response = client.post(reverse("dossiers:late_export_create") + f"{QUERY}&province={other_province.code}")
    assert response.status_code == 404
    assert not LateExportJob.objects.exists()


def test_filters_cannot_widen_a_commune_users_scope(client, make_user, province, communes, tmp_path):
    quy_nhon, ia_grai = communes
    make_late_dossiers(quy_nhon, 4, prefix="QN")
    make_late_dossiers(ia_grai, 6, prefix="IG")
    commune_user = make_user("commune_user", "viewer", units=[quy_nhon])
    # Even asked for the other commune, the writer only sees the user's own rows.
    path = tmp_path / "out.xlsx"
    filters = {"province": province.pk, "from": "2025-01", "to": "2025-12"}
    assert write_late_xlsx(commune_user, {**filters, "unit": str(ia_grai.pk)}, str(path)) == 0
    assert write_late_xlsx(commune_user, filters, str(path)) == 4
    receipts = [row[0] for row in load_workbook(path).active.iter_rows(min_row=5, values_only=True)]
    assert receipts == [f"QN-{i:07d}" for i in range(4)]


# --- content -------------------------------------------------------------------------


def test_the_file_has_a_title_the_as_of_time_and_real_date_cells(
    client, leader, commune, agency, django_capture_on_commit_callbacks
):
    make_late_dossiers(commune, 2, agency=agency)
    Dossier.objects.filter(receipt_number="HS-0000001").update(receipt_number="=1+1", outcome=Outcome.OVERDUE)
    client.force_login(leader)
    job = export(client, django_capture_on_commit_callbacks, QUERY + "&q=")
    assert (job.status, job.total_rows, job.written_rows) == (ExportStatus.SUCCEEDED, 2, 2)
    sheet = workbook_of(client, job)
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Hồ sơ trễ hạn và quá hạn: Tỉnh Gia Lai, tiếp nhận 01/2025–12/2025"
    assert rows[1][0].startswith("Số liệu tính đến ")
    assert rows[3][:3] == ("Mã hồ sơ", "Mã thủ tục", "Thủ tục")
    first, second = rows[4], rows[5]
    # 02/01/2025 08:00 UTC is 15:00 in Asia/Ho_Chi_Minh; the due day is a date cell.
    assert first[0] == "HS-0000000" and first[5] == dt.datetime(2025, 1, 2, 15, 0)
    assert first[6] == dt.datetime(2025, 1, 4) and first[4] == agency.name
    assert sheet.cell(5, 6).number_format == "DD/MM/YYYY HH:MM" and sheet.cell(5, 7).number_format == "DD/MM/YYYY"
    assert (first[8], second[8]) == ("Trễ hạn", "Quá hạn")
    assert second[0] == "'=1+1"  # neutralised formula


def test_the_export_keeps_the_lists_filters(client, leader, communes, django_capture_on_commit_callbacks):
    quy_nhon, ia_grai = communes
    make_late_dossiers(quy_nhon, 3, prefix="QN")
    make_late_dossiers(ia_grai, 2, prefix="IG")
    client.force_login(leader)
    job = export(client, django_capture_on_commit_callbacks, f"{QUERY}&unit={ia_grai.pk}")
    assert job.filters["unit"] == str(ia_grai.pk)
    receipts = [row[0] for row in workbook_of(client, job).iter_rows(min_row=5, values_only=True)]
    assert receipts == ["IG-0000000", "IG-0000001"]
    job_page = client.get(job.get_absolute_url())
    assert f"unit={ia_grai.pk}" in job_page.content.decode()


def test_the_job_page_shows_the_download_link_in_vietnamese(
    client, leader, commune, django_capture_on_commit_callbacks
):
    make_late_dossiers(commune, 1)
    client.force_login(leader)
    job = export(client, django_capture_on_commit_callbacks)
    html = client.get(job.get_absolute_url()).content.decode()
    assert "Tải tệp Excel" in html and 'data-testid="export-download"' in html
    assert "tiếp nhận 01/2025–12/2025" in html
    assert "Download" not in html


# --- streaming -------------------------------------------------------------------------


def _peak_bytes(user, province, tmp_path, name: str) -> int:
    filters = {"province": province.pk, "from": "2025-01", "to": "2025-12"}
    tracemalloc.start()
    try:
        written = write_late_xlsx(user, filters, str(tmp_path / name))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return written, peak


@pytest.mark.slow
def test_memory_stays_flat_from_2k_to_20k_rows(leader, province, commune, tmp_path):
    make_late_dossiers(commune, 2_000)
    small, small_peak = _peak_bytes(leader, province, tmp_path, "small.xlsx")
    make_late_dossiers(commune, 18_000, start=2_000)
    large, large_peak = _peak_bytes(leader, province, tmp_path, "large.xlsx")
    assert (small, large) == (2_000, 20_000)
    # Ten times the rows: a list held in memory would be ~10×; the stream holds one cursor chunk
    # (1,000 rows) and one row of cells whatever the size (measured: 1.32 MB at both sizes).
    assert large_peak < 1.3 * small_peak, (small_peak, large_peak)


# --- expiry and liveness ---------------------------------------------------------------


def test_files_expire_after_seven_days_and_the_export_can_be_run_again(
    client, leader, commune, django_capture_on_commit_callbacks
):
    make_late_dossiers(commune, 2)
    client.force_login(leader)
    job = export(client, django_capture_on_commit_callbacks)
    path = job.result.path
    assert expire_late_exports(now=timezone.now() + dt.timedelta(days=6)) == 0
    assert expire_late_exports(now=timezone.now() + dt.timedelta(days=8)) == 1
    job.refresh_from_db()
    assert job.status == ExportStatus.EXPIRED and not job.result
    import os

    assert not os.path.exists(path)
    assert client.get(reverse("dossiers:late_export_download", args=[job.pk])).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("dossiers:late_export_run_again", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ExportStatus.SUCCEEDED and job.written_rows == 2
    assert client.get(reverse("dossiers:late_export_download", args=[job.pk])).status_code == 200


def test_a_stale_export_is_marked_failed_with_run_again(client, leader, province, commune):
    from cchc_portal.liveness import check_jobs

    make_late_dossiers(commune, 2)
    long_ago = timezone.now() - dt.timedelta(hours=1)
    job = LateExportJob.objects.create(
        province=province,
        filters={"from": "2025-01", "to": "2025-12"},
        created_by=leader,
        status=ExportStatus.RUNNING,
        started_at=long_ago,
        heartbeat_at=long_ago,
        sent_at=long_ago,
        created_at=long_ago,
    )
    assert check_jobs()["gave_up"] == 1
    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED
    client.force_login(leader)
    html = client.get(job.get_absolute_url()).content.decode()
    assert "Chạy lại" in html and "tạo lại tệp" in html
    assert run_late_export(job.pk) is None  # a failed job is not run until it is queued again
    assert job.run_again() and run_late_export(job.pk) == 2


# --- through the real worker and in a browser ---------------------------------------------


@pytest.mark.postgres
@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_an_export_runs_in_the_real_worker(celery_worker_process, client, leader, commune):
    from conftest import wait_for

    make_late_dossiers(commune, 12_000)
    client.force_login(leader)
    response = client.post(reverse("dossiers:late_export_create") + QUERY)
    job_id = int(response.url.rstrip("/").rsplit("/", 1)[1])
    job = wait_for(lambda: LateExportJob.objects.filter(pk=job_id, status=ExportStatus.SUCCEEDED).first(), timeout=120)
    assert job.written_rows == 12_000 and job.worker
    sheet = workbook_of(client, job)
    assert sheet.max_row == 4 + 12_000


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_leader_clicks_export_and_downloads_the_file(
    live_server, page, browser_login, leader, commune, tmp_path, artifacts_dir
):
    make_late_dossiers(commune, 30)
    browser_login(page, leader)
    page.goto(f"{live_server.url}{reverse('dossiers:late_list')}{QUERY}")
    page.click("[data-testid=late-export]")
    link = page.wait_for_selector("[data-testid=export-download]")
    assert "Sẵn sàng tải về" in page.inner_text("[data-testid=export-status]")
    for width, height in ((1366, 800), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(artifacts_dir / f"late-export-{width}.png"), full_page=True)
    with page.expect_download() as info:
        link.click()
    saved = tmp_path / info.value.suggested_filename
    info.value.save_as(saved)
    assert saved.name.startswith("ho-so-tre-han-52-") and saved.suffix == ".xlsx"
    assert load_workbook(saved).active.max_row == 4 + 30
