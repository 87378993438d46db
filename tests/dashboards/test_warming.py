"""Caches warmed after writes: after a dossier import the first leader is not the one who pays."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.core.files import File
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cchc_portal.warming import warmers_for
from dashboards.views import leader_body_is_cached
from dossiers.generate import write_export
from dossiers.jobs import run_import
from dossiers.models import ImportJob, JobStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def export_file(small_province, tmp_path):
    path = tmp_path / "export.csv"
    write_export(str(path), province=small_province, rows=600, end=timezone.localdate() - dt.timedelta(days=1), seed=3)
    return path


@pytest.fixture
def small_province(province, make_commune, make_agency):
    from provinces.models import AgencyKind

    for code, name in (("21550", "Phường Quy Nhơn"), ("21551", "Xã Ia Grai")):
        commune = make_commune(province, code, name)
        make_agency(province, f"Ủy ban nhân dân {name}", commune=commune, kind=AgencyKind.COMMUNE_COMMITTEE)
    make_agency(province, "Sở Tư pháp")
    make_agency(province, "Sở Nội vụ")
    return province


def _import_job(province, user, path) -> ImportJob:
    job = ImportJob(province=province, created_by=user, original_name="export.csv")
    with open(path, "rb") as handle:
        job.file.save("export.csv", File(handle), save=False)
    job.save()
    return job


def _leader_page_queries(client, user) -> list[str]:
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("dashboards:leader"))
    assert response.status_code == 200
    return [query["sql"] for query in queries.captured_queries]


def test_the_dossier_and_figures_generations_have_warmers():
    assert set(warmers_for("dossier-stats")) == {"dossiers.stats_page", "dashboards.leader_body", "service_index.page"}
    assert "dashboards.leader_body" in warmers_for("tasks.figures")


def test_after_an_import_the_first_leader_page_reads_no_figures(
    client, small_province, province_admin, leader, export_file, django_capture_on_commit_callbacks
):
    job = _import_job(small_province, province_admin, export_file)
    with django_capture_on_commit_callbacks(execute=True):
        report = run_import(job.pk)
    assert report.inserted > 0
    assert leader_body_is_cached(small_province.pk)
    warm = _leader_page_queries(client, leader)
    assert not any("dossiers_dossiersummary" in sql for sql in warm), warm

    cache.clear()  # the same page, nobody having warmed it: the first leader computes every block
    assert not leader_body_is_cached(small_province.pk)
    cold = _leader_page_queries(client, leader)
    assert any("dossiers_dossiersummary" in sql for sql in cold)
    assert len(warm) < len(cold), (len(warm), len(cold))


def test_after_an_import_the_stats_page_data_is_warm(
    client, small_province, province_admin, leader, export_file, django_capture_on_commit_callbacks
):
    job = _import_job(small_province, province_admin, export_file)
    with django_capture_on_commit_callbacks(execute=True):
        run_import(job.pk)
    client.force_login(leader)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("dossiers:stats")).status_code == 200
        assert client.get(reverse("dossiers:stats_chart")).status_code == 200
    assert not any("dossiers_dossiersummary" in query["sql"] for query in queries.captured_queries)


def test_a_dry_run_warms_nothing(small_province, province_admin, export_file, django_capture_on_commit_callbacks):
    job = _import_job(small_province, province_admin, export_file)
    ImportJob.objects.filter(pk=job.pk).update(dry_run=True)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        run_import(job.pk)
    assert not callbacks and not leader_body_is_cached(small_province.pk)


def test_a_commune_user_and_a_province_user_do_not_share_the_stats_chart(
    client, small_province, province_admin, leader, make_user, export_file, django_capture_on_commit_callbacks
):
    from provinces.models import AdministrativeUnit

    job = _import_job(small_province, province_admin, export_file)
    with django_capture_on_commit_callbacks(execute=True):
        run_import(job.pk)
    client.force_login(leader)
    province_total = sum(client.get(reverse("dossiers:stats_chart")).json()["series"][2]["data"])
    quy_nhon = AdministrativeUnit.objects.get(code="21550")
    client.force_login(make_user("commune_viewer", "viewer", units=[quy_nhon]))
    commune_total = sum(client.get(reverse("dossiers:stats_chart") + "?province=52").json()["series"][2]["data"])
    assert 0 < commune_total < province_total


@pytest.mark.postgres
@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_an_import_through_the_real_worker_leaves_the_leader_page_warm(
    celery_worker_process, client, small_province, province_admin, leader, export_file
):
    from conftest import wait_for

    client.force_login(province_admin)
    with open(export_file, "rb") as handle:
        client.post(reverse("dossiers:import_index"), {"file": handle, "province": small_province.pk})
    job = ImportJob.objects.get()
    wait_for(lambda: ImportJob.objects.filter(pk=job.pk, status=JobStatus.SUCCEEDED).exists(), timeout=120)
    # The warming is its own job, queued once the import finished.
    wait_for(lambda: leader_body_is_cached(small_province.pk), timeout=60)
    warm = _leader_page_queries(client, leader)
    assert not any("dossiers_dossiersummary" in sql for sql in warm), warm


def test_a_plans_figures_job_warms_its_provinces_dashboard(small_province, django_capture_on_commit_callbacks):
    from tasks.figures import plan_figures_compute
    from tasks.models import Plan

    plan = Plan.objects.create(unit=small_province, year=2026, title="Kế hoạch CCHC năm 2026")
    plan.ensure_default_areas()
    with django_capture_on_commit_callbacks(execute=True):
        plan_figures_compute(plan.pk)
    assert leader_body_is_cached(small_province.pk)
