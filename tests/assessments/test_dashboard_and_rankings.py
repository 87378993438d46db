"""Published results reach the existing ranking page, the rankings API and the leader's dashboard;
the dashboard's criteria at risk resolve through real task → criterion links."""

import datetime as dt

import pytest
from django.urls import reverse

from assessments.models import Score, Stage
from assessments.results import round_publish
from assessments.scoring import criterion_task_link
from tasks.models import TaskStatus

from .conftest import make_task_file, set_stage


@pytest.fixture
def published(round_, agency, home_affairs, finance, province_admin):
    values = {agency: ("4", "2", "4"), home_affairs: ("4", "2", "4"), finance: ("2", "1", "1")}
    for subject, (a, b, c) in values.items():
        for code, value in zip(("1.1", "1.2", "2"), (a, b, c), strict=True):
            Score.objects.filter(assessment__agency=subject, criterion__code=code).update(
                self_score=value, appraised_score=value
            )
    set_stage(round_, Stage.FINALISING)
    round_publish(
        round_,
        actor=province_admin,
        decision_number="99/QĐ-UBND",
        decision_date=dt.date(2026, 12, 20),
        signer="Chủ tịch UBND tỉnh",
        version=round_.version,
    )
    round_.refresh_from_db()
    return round_


def test_the_ranking_page_lists_departments_with_percent_points_and_shared_ranks(client, published, leader):
    client.force_login(leader)
    edition = published.index_edition
    page = client.get(reverse("indices:ranking_detail", args=[edition.index.code, 2026])).content.decode()
    assert "Sở Tài chính" in page and "33,33%" in page and "4,00/12,00" in page
    rows = client.get("/api/v1/rankings/", {"index": edition.index.code, "year": 2026}).json()["results"]
    assert [(r["rank"], r["score"]) for r in rows] == [(1, 83.33), (1, 83.33), (3, 33.33)]


def test_the_leaders_dashboard_shows_each_departments_rank_and_percent(client, published, leader):
    client.force_login(leader)
    page = client.get(reverse("dashboards:leader")).content.decode()
    assert 'data-testid="block-own-index"' in page
    assert "Sở Tài chính" in page and "3/3" in page and "33,33%" in page


def test_criteria_at_risk_resolve_through_real_links_to_this_years_criteria(
    client, round_, criteria, agency, province_admin, leader
):
    evidence = make_task_file(round_.methodology.province, agency, "Xây dựng kế hoạch kiểm tra")
    task = evidence.task
    task.status = TaskStatus.NOT_STARTED
    task.save()
    criterion_task_link(criteria["1.2"], task, actor=province_admin)
    client.force_login(leader)
    page = client.get(reverse("dashboards:leader")).content.decode()
    assert "Báo cáo định kỳ" in page  # the criterion's own name, not "not in the methodology"
    assert "Xây dựng kế hoạch kiểm tra" in page
