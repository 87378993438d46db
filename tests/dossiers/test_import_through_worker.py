"""The Done-when scenario: a large generated export through the real worker, watched in a browser.

DOSSIER_E2E_ROWS sets the size (default 200,000: ~10 s of import on the CI machine, long
enough for several progress updates; CI can set 1000000 for the full-size run, ~1 min).
"""

import datetime as dt
import os

import pytest
from django.urls import reverse

from conftest import wait_for
from dossiers.generate import write_export
from dossiers.models import ACTIVE_JOB_STATUSES, Dossier, DossierSummary, ImportJob, JobStatus

ROWS = int(os.environ.get("DOSSIER_E2E_ROWS", "200000"))


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.celery_worker
@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_generated_export_imports_through_the_worker_with_a_live_progress_bar(
    celery_worker_process, live_server, page, browser_login, province_admin, province, communes, agency,
    home_affairs, tmp_path, artifacts_dir,
):  # fmt: skip
    path = tmp_path / "export.csv"
    write_export(str(path), province=province, rows=ROWS, end=dt.date.today() - dt.timedelta(days=1), bad_rows=5)
    browser_login(page, province_admin)
    page.goto(f"{live_server.url}{reverse('dossiers:import_index')}")
    page.set_input_files("#id_file", str(path))
    page.click("[data-testid=upload-form] button[type=submit]")
    page.wait_for_selector("[data-testid=job-progress-bar]")
    seen = set()

    def finished():
        bar = page.query_selector("[data-testid=job-progress-bar]")
        if bar is not None:
            seen.add(int(bar.get_attribute("value")))
        return page.query_selector("[data-testid=job-result]")

    wait_for(finished, timeout=600, interval=0.3)
    page.screenshot(path=str(artifacts_dir / "dossier-import-finished.png"))
    assert any(0 < value < 100 for value in seen), f"no intermediate progress seen: {sorted(seen)}"
    job = ImportJob.objects.get()
    assert (job.status, job.error_rows, job.inserted) == (JobStatus.SUCCEEDED, 5, ROWS - 5)
    assert Dossier.objects.count() == ROWS - 5
    assert sum(DossierSummary.objects.values_list("received", flat=True)) == ROWS - 5
    assert page.inner_text("[data-testid=job-inserted]").replace(".", "").replace(",", "") == str(ROWS - 5)
    assert page.query_selector("[data-testid=job-errors-link]") is not None


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_cancelling_a_running_import_in_the_worker_leaves_nothing_and_a_rerun_imports_it(
    celery_worker_process, client, province_admin, province, communes, agency, home_affairs, tmp_path
):
    path = tmp_path / "export.csv"
    write_export(str(path), province=province, rows=300_000, end=dt.date.today() - dt.timedelta(days=1))
    client.force_login(province_admin)
    with open(path, "rb") as handle:
        client.post(reverse("dossiers:import_index"), {"file": handle, "province": province.pk})
    job = ImportJob.objects.get()
    wait_for(lambda: ImportJob.objects.filter(pk=job.pk, status=JobStatus.RUNNING, processed_rows__gt=0).exists())
    client.post(reverse("dossiers:import_job_cancel", args=[job.pk]))
    job = wait_for(lambda: ImportJob.objects.filter(pk=job.pk).exclude(status__in=ACTIVE_JOB_STATUSES).first())
    assert job.status == JobStatus.CANCELLED, job.message
    assert 0 < job.processed_rows < 300_000
    assert not Dossier.objects.exists() and not DossierSummary.objects.exists()

    with open(path, "rb") as handle:
        client.post(reverse("dossiers:import_index"), {"file": handle, "province": province.pk})
    rerun = ImportJob.objects.exclude(pk=job.pk).get()
    rerun = wait_for(
        lambda: ImportJob.objects.filter(pk=rerun.pk).exclude(status__in=ACTIVE_JOB_STATUSES).first(), timeout=300
    )
    assert (rerun.status, rerun.inserted) == (JobStatus.SUCCEEDED, 300_000)
    assert sum(DossierSummary.objects.values_list("received", flat=True)) == Dossier.objects.count() == 300_000
