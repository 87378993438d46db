import datetime as dt
import io

import pytest
from django.urls import reverse

from dossiers.generate import write_export
from dossiers.importing import import_file
from dossiers.models import Dossier, Outcome

from .conftest import TODAY, direct_counts, row

pytestmark = pytest.mark.django_db

END = dt.date(2025, 12, 31)


@pytest.fixture
def imported(province, communes, agency, home_affairs, tmp_path):
    path = tmp_path / "gen.csv"
    write_export(str(path), province=province, rows=3000, end=END, seed=9)
    import_file(str(path), today=END + dt.timedelta(days=1))
    return province


def _api(client, **params):
    response = client.get(reverse("dossier-stats"), params)
    assert response.status_code == 200, response.content
    return response.json()


def test_the_stats_api_agrees_with_a_direct_count(client, leader, imported):
    client.force_login(leader)
    body = _api(client, unit="52", **{"from": "2025-01-01", "to": "2025-12-31"})
    counts = direct_counts()
    assert body["received"] == counts["received"]
    assert (body["early"], body["on_time"], body["late"]) == (counts["early"], counts["on_time"], counts["late"])
    assert body["finished"] == counts["early"] + counts["on_time"] + counts["late"]
    # Overdue at the period's end: the outcome as of the import day (1/1/2026) also holds the dossiers due
    # on 31/12 (a same-day certification received that day), which are overdue from January.
    due_on_the_last_day = Dossier.objects.filter(outcome=Outcome.OVERDUE, due_date=END).count()
    assert body["overdue"] == counts["overdue"] - due_on_the_last_day
    assert body["in_progress"] == counts["in_progress"]
    assert body["carried_over"] == 0
    finished = body["finished"]
    assert body["on_time_rate"] == f"{round((counts['early'] + counts['on_time']) * 100 / finished, 2):.2f}"


def test_stats_for_a_later_period_carry_over_what_was_open_before(client, leader, imported):
    client.force_login(leader)
    body = _api(client, unit="52", **{"from": "2025-12-01", "to": "2025-12-31"})
    december = dt.date(2025, 12, 1)
    open_at_start = Dossier.objects.filter(received_month__lt=december).exclude(closed_month__lt=december).count()
    assert body["carried_over"] == open_at_start
    assert body["received"] == Dossier.objects.filter(received_month=december).count()
    assert body["late"] == Dossier.objects.filter(closed_month=december, outcome=Outcome.LATE).count()


def test_stats_group_by_commune_agency_and_month_add_up(client, leader, imported, communes):
    client.force_login(leader)
    params = {"unit": "52", "from": "2025-01-01", "to": "2025-12-31"}
    total = _api(client, **params)
    by_month = _api(client, group_by="month", **params)["groups"]
    assert sum(g["received"] for g in by_month) == total["received"]
    assert by_month[-1]["overdue"] == total["overdue"]
    by_agency = _api(client, group_by="agency", **params)["groups"]
    assert sum(g["finished"] for g in by_agency) == total["finished"]
    by_commune = _api(client, group_by="commune", **params)["groups"]
    assert {g["code"] for g in by_commune} == {c.code for c in communes}
    commune = _api(client, unit=communes[0].code, **{"from": "2025-01-01", "to": "2025-12-31"})
    assert commune["received"] == Dossier.objects.filter(receiving_unit=communes[0]).count()


def test_the_stats_api_hides_other_provinces(client, outsider, imported):
    client.force_login(outsider)
    assert client.get(reverse("dossier-stats"), {"unit": "52"}).status_code == 404


def test_the_stats_page_shows_the_same_figures_and_pins_its_queries(
    client, leader, imported, django_assert_num_queries
):
    client.force_login(leader)
    url = reverse("dossiers:stats") + "?from=2025-01&to=2025-12"
    client.get(url)  # warm the session and user
    from django.core.cache import cache

    cache.clear()
    with django_assert_num_queries(8):
        response = client.get(url)
    html = response.content.decode()
    counts = direct_counts()
    assert f'data-testid="received">{counts["received"]:,}'.replace(",", ".") in html
    assert "Tỷ lệ đúng hạn" in html or "On-time rate" in html
    assert html.count("<tr>") > 3


def test_the_chart_endpoint_returns_twelve_months(client, leader, imported):
    client.force_login(leader)
    data = client.get(reverse("dossiers:stats_chart") + "?from=2025-01&to=2025-12").json()
    assert data["labels"][0] == "01/2025" and len(data["labels"]) == 12
    assert sum(data["series"][2]["data"]) == Dossier.objects.count()


def test_the_late_list_drills_down_and_exports(
    client, leader, imported, django_assert_num_queries, django_capture_on_commit_callbacks
):
    client.force_login(leader)
    url = reverse("dossiers:late_list") + "?from=2025-01&to=2025-12"
    client.get(url)
    with django_assert_num_queries(8):
        response = client.get(url)
    late_or_overdue = Dossier.objects.late_or_overdue().count()
    assert response.context["page"].paginator.count == late_or_overdue > 0
    with django_capture_on_commit_callbacks(execute=True):
        job_page = client.post(reverse("dossiers:late_export_create") + "?from=2025-01&to=2025-12")
    export = client.get(job_page.url.rstrip("/") + "/late.xlsx")
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    assert sheet.max_row == 4 + late_or_overdue  # title, as-of line, blank line, headers


def test_the_pages_are_scoped_to_the_users_province(client, outsider, imported):
    client.force_login(outsider)
    assert client.get(reverse("dossiers:stats") + "?province=52").status_code == 404
    assert client.get(reverse("dossiers:late_list") + "?province=52").status_code == 404


def test_the_admin_can_neither_change_nor_delete_a_dossier(client, national_admin, communes, write_csv):
    import_file(str(write_csv([row("HS-ADMIN")])), today=TODAY)
    dossier = Dossier.objects.get()
    client.force_login(national_admin)
    assert client.get(reverse("admin:dossiers_dossier_change", args=[dossier.pk])).status_code == 200  # view only
    assert client.post(reverse("admin:dossiers_dossier_delete", args=[dossier.pk]), {"post": "yes"}).status_code == 403
    assert Dossier.objects.filter(pk=dossier.pk).exists()


@pytest.mark.parametrize("name", ["dossiers:stats", "dossiers:late_list"])
def test_the_period_is_picked_from_months_written_as_on_paper(client, leader, imported, name):
    # <input type="month"> would show "December 2025" in an English browser: a select of 12/2025 instead.
    client.force_login(leader)
    page = client.get(reverse(name) + "?from=2025-03&to=2025-12").content.decode()
    assert 'type="month"' not in page
    assert '<select name="from">' in page and '<select name="to">' in page
    assert '<option value="2025-03" selected>03/2025</option>' in page
    assert '<option value="2025-12" selected>12/2025</option>' in page
