import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from indices.models import Ranking

from .conftest import province_of


def page(client, user, **params):
    client.force_login(user)
    return client.get(reverse("dashboards:leader"), params)


def test_a_leaders_home_is_the_dashboard_of_their_province(client, gia_lai_leader):
    client.force_login(gia_lai_leader)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboards:leader")


def test_the_index_cards_show_rank_score_and_the_predecessors_of_a_merged_province(
    client, gia_lai_leader, gia_lai, index_results
):
    body = page(client, gia_lai_leader).content.decode()
    ranking = Ranking.objects.get(edition__index__code="PAPI", edition__year=2025, unit=gia_lai)
    assert f"{ranking.rank}/{ranking.ranked_count}" in body
    # Gia Lai merged with Bình Định: their 2024 places, no invented change.
    assert ranking.score_change is None and len(ranking.predecessors) == 2
    assert "Bình Định" in body
    assert "Sáp nhập ngày 1/7/2025" in body


def test_an_unchanged_province_gets_its_change_since_last_year(client, national_admin, index_results):
    hanoi_2025 = province_of("01", 2025)
    ranking = Ranking.objects.get(edition__index__code="PAPI", edition__year=2025, unit=hanoi_2025)
    body = page(client, national_admin, province=hanoi_2025.pk).content.decode()
    from dashboards.formatting import change_phrase

    assert change_phrase(ranking.score_change, ranking.rank_change, "vi") in body


def test_the_plan_block_shows_completion_statuses_overdue_and_due_soon(client, gia_lai_leader, gia_lai_plan):
    figures = gia_lai_plan.figures
    body = page(client, gia_lai_leader).content.decode()
    assert f"{figures.completed}/{figures.total} nhiệm vụ — {figures.rate_display}" in body
    assert "Rà soát thủ tục hành chính" in body  # the overdue task
    assert "Sở Tư pháp" in body
    assert "Số liệu tính đến" in body
    assert "Hạn trong 30 ngày tới" in body


def test_criteria_at_risk_are_named_from_the_latest_edition(
    client, gia_lai_leader, gia_lai, gia_lai_plan, index_results
):
    from django.utils import timezone

    from dashboards import blocks

    response = page(client, gia_lai_leader)
    criteria = blocks.plan_block(blocks.province_info(gia_lai.pk), timezone.localdate())["criteria"]
    by_code = {(c["index_code"], c["component_code"]): c for c in criteria}
    # D5.2 (construction permits) was dropped in 2021: named by its dimension D5.
    assert by_code[("PAPI", "D5.2")]["component_name_vi"] == "Thủ tục hành chính công"
    assert by_code[("PAPI", "D5.2")]["overdue"] == 1
    # "PAR" is how staff type PAR INDEX.
    assert by_code[("PAR_INDEX", "L3")]["component_name_vi"] == "Cải cách thủ tục hành chính"
    assert by_code[("PAR_INDEX", "3.2")]["component_name_vi"] == ""
    # A criterion whose only task is completed is not at risk.
    assert ("PAPI", "D8") not in by_code
    body = response.content.decode()
    assert "không có trong phương pháp năm 2025" in body
    assert "Thủ tục hành chính công" in body


def test_a_leader_cannot_open_another_provinces_dashboard(client, gia_lai_leader, khanh_hoa):
    assert page(client, gia_lai_leader, province=khanh_hoa.pk).status_code == 404
    client.force_login(gia_lai_leader)
    for name in ("dashboards:chart_plan_status", "dashboards:chart_plan_areas"):
        assert client.get(reverse(name), {"province": khanh_hoa.pk}).status_code == 404
    url = reverse("dashboards:leader_export", args=["overdue"])
    assert client.get(url, {"province": khanh_hoa.pk}).status_code == 404


def test_a_province_admin_opens_only_their_province_and_a_national_admin_any(
    client, gia_lai_admin, national_admin, gia_lai, khanh_hoa
):
    assert page(client, gia_lai_admin, province=gia_lai.pk).status_code == 200
    assert page(client, gia_lai_admin, province=khanh_hoa.pk).status_code == 404
    assert page(client, national_admin, province=khanh_hoa.pk).status_code == 200
    assert page(client, national_admin, province="abc").status_code == 404


def test_a_national_admin_without_a_province_lands_on_the_national_view(client, national_admin):
    response = page(client, national_admin)
    assert response["Location"] == reverse("dashboards:national")


def test_tables_export_to_xlsx_with_formulas_neutralised(client, gia_lai_leader, gia_lai_plan):
    client.force_login(gia_lai_leader)
    response = client.get(reverse("dashboards:leader_export", args=["overdue"]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value == "Nhiệm vụ quá hạn" or sheet["A1"].font.bold
    assert sheet["A2"].value.startswith("Số liệu tính đến ")  # local time, dd/mm/yyyy hh:mm
    titles = [row[1] for row in sheet.iter_rows(min_row=5, values_only=True)]
    assert "'=Rà soát thủ tục hành chính" in titles
    deadlines = [row[3] for row in sheet.iter_rows(min_row=5, values_only=True)]
    assert all(hasattr(d, "year") for d in deadlines)  # real date cells
    assert sheet.cell(5, 4).number_format == "DD/MM/YYYY"
    for table in ("indices", "by-area", "by-agency", "due-soon", "criteria", "dossiers-agency", "dossiers-monthly"):
        assert client.get(reverse("dashboards:leader_export", args=[table])).status_code == 200
    assert client.get(reverse("dashboards:leader_export", args=["nope"])).status_code == 404


def test_the_dashboard_reads_in_english(client, gia_lai_leader, gia_lai_plan):
    client.force_login(gia_lai_leader)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get(reverse("dashboards:leader")).content.decode()
    figures = gia_lai_plan.figures
    assert "Leader's dashboard" in body
    assert f"{figures.completed}/{figures.total} tasks — " in body


@pytest.mark.parametrize("name", ["chart_plan_status", "chart_plan_areas", "chart_dossiers_monthly"])
def test_chart_endpoints_answer_labels_and_series(client, gia_lai_leader, gia_lai_plan, name):
    client.force_login(gia_lai_leader)
    data = client.get(reverse(f"dashboards:{name}")).json()
    assert set(data) >= {"labels", "series"}


def test_the_trend_chart_has_the_predecessors_before_2025(client, gia_lai_leader, index_results):
    client.force_login(gia_lai_leader)
    data = client.get(reverse("dashboards:chart_trend"), {"index": "PAPI"}).json()
    assert data["labels"] == [2023, 2024, 2025]
    names = {s["name"] for s in data["series"]}
    assert names == {"Gia Lai", "Gia Lai (trước 1/7/2025)", "Bình Định (trước 1/7/2025)"}
    own = next(s for s in data["series"] if s["own"])
    assert own["data"][:2] == [None, None] and own["data"][2] is not None


def test_the_dossier_block_agrees_with_the_dossier_stats_api(client, gia_lai_leader, gia_lai, gia_lai_dossiers):
    from django.utils import timezone

    from cchc_portal.lib.numbers import format_percent

    body = page(client, gia_lai_leader).content.decode()
    today = timezone.localdate()
    month = today.replace(day=1).isoformat()
    api = client.get("/api/v1/dossier-stats/", {"unit": "52", "from": month, "to": month}).json()
    assert f'data-testid="dossiers-month-rate">{format_percent(api["on_time_rate"])}<' in body
    ytd = client.get("/api/v1/dossier-stats/", {"unit": "52", "from": f"{today.year}-01-01", "to": month}).json()
    assert f'data-testid="dossiers-ytd-rate">{format_percent(ytd["on_time_rate"])}<' in body
    # The worst performer is the commune with the most late dossiers.
    worst = body[body.index('data-testid="dossiers-worst"') :]
    assert worst.index("Xã Ia Grai") < worst.index("Phường Pleiku")
    client.force_login(gia_lai_leader)
    trend = client.get(reverse("dashboards:chart_dossiers_monthly")).json()
    assert len(trend["labels"]) == 12 and trend["series"][0]["data"][-1] == float(api["on_time_rate"])


def test_the_lowest_on_time_list_names_each_place_once(client, gia_lai_leader, gia_lai, gia_lai_dossiers, make_agency):
    from django.utils import timezone

    from dossiers.models import DossierSummary
    from provinces.models import AdministrativeUnit

    commune = AdministrativeUnit.objects.get(code="23702")
    committee = make_agency(gia_lai, "Ủy ban nhân dân xã Ia Grai", kind="commune_committee", commune=commune)
    month = timezone.localdate().replace(day=1)
    DossierSummary.objects.create(
        receiving_unit=commune, province=gia_lai, agency=committee, month=month, channel="in_person",
        procedure_level="commune", received=20, closed=20, finished_early=5, finished_on_time=5, finished_late=10,
    )  # fmt: skip
    body = page(client, gia_lai_leader).content.decode()
    worst = body[
        body.index('data-testid="dossiers-worst"') : body.index("</table>", body.index('data-testid="dossiers-worst"'))
    ]
    assert worst.count("Ia Grai") == 1


def test_dossier_counts_are_grouped_by_thousands(client, gia_lai_leader, gia_lai, gia_lai_dossiers):
    body = page(client, gia_lai_leader).content.decode()
    ytd = body[body.index('data-testid="dossiers-ytd-rate"') :][:600]
    import re

    counts = re.findall(r"\d[\d.]*/\d[\d.]*", ytd)
    assert counts and all("." in c.split("/")[1] for c in counts if int(c.split("/")[1].replace(".", "")) >= 1000)
