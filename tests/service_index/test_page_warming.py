"""After a dossier import commits, the 766 page of the current month is warm: the first leader reads the cache."""

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
from dossiers.generate import write_export
from dossiers.jobs import run_import
from dossiers.models import ImportJob
from service_index.views import page_is_cached

pytestmark = pytest.mark.django_db
URL = reverse("service_index:page")


@pytest.fixture
def imported(province, communes, agency, province_admin, tmp_path, django_capture_on_commit_callbacks):
    path = tmp_path / "export.csv"
    write_export(str(path), province=province, rows=600, end=timezone.localdate() - dt.timedelta(days=1), seed=3)
    job = ImportJob(province=province, created_by=province_admin, original_name="export.csv")
    with open(path, "rb") as handle:
        job.file.save("export.csv", File(handle), save=False)
    job.save()
    with django_capture_on_commit_callbacks(execute=True):  # the commit, then the warming job it queues
        assert run_import(job.pk).inserted > 0


def _page_queries(client, user) -> tuple[str, list[str]]:
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL)
    assert response.status_code == 200
    return response.content.decode(), [query["sql"] for query in queries.captured_queries]


def test_the_766_page_has_a_warmer_for_the_dossier_figures():
    assert "service_index.page" in warmers_for("dossier-stats")


def test_after_an_import_the_first_leader_reads_the_page_from_the_cache(client, leader, province, imported):
    assert page_is_cached(province.pk)
    warm_html, warm = _page_queries(client, leader)
    assert not any("dossiers_dossiersummary" in sql for sql in warm), warm
    assert len(warm) == 4  # session, user, the scope (2)

    cache.clear()  # nobody having warmed it: the first leader renders the body
    assert not page_is_cached(province.pk)
    cold_html, cold = _page_queries(client, leader)
    assert any("dossiers_dossiersummary" in sql for sql in cold)
    assert cold_html.count("Phường Quy Nhơn") == warm_html.count("Phường Quy Nhơn") > 0


def test_the_warmed_body_is_not_read_outside_the_province(client, outsider, make_user, province, communes, imported):
    client.force_login(outsider)
    assert client.get(URL + f"?province={province.code}").status_code == 404
    own = client.get(URL)  # their own province's page: rendered for it, not the warmed body of this one
    assert own.status_code == 200 and province.name not in own.content.decode()
    client.force_login(make_user("commune_viewer", "viewer", units=[communes[0]]))
    assert client.get(URL + f"?province={province.code}").status_code == 404  # as before the warming
