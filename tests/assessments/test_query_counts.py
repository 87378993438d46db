"""Each page of the round runs a fixed number of queries whatever the number of criteria and evidence."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.models import Score, ScoreEvidence, Stage

from .conftest import make_task_file, set_stage


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.fixture
def with_evidence(round_, finance, province):
    for code in ("1.1", "1.2", "2"):
        score = Score.objects.get(assessment__agency=finance, criterion__code=code)
        ScoreEvidence.objects.create(score=score, task_evidence=make_task_file(province, finance, f"Nhiệm vụ {code}"))
    Score.objects.filter(assessment__round=round_).exclude(by_survey=True).exclude(
        kind__in=["bonus", "penalty"]
    ).update(self_score=1)
    return round_


PAGES = {
    # session + user + scope (2) + page queries
    "self": 10,
    "appraisal": 10,
    "results": 10,
    "round": 11,
}


def test_the_self_assessment_page(client, with_evidence, finance, finance_officer, django_assert_num_queries):
    client.force_login(finance_officer)
    url = reverse("assessments:assessment_detail", args=[with_evidence.assessments.get(agency=finance).pk])
    with django_assert_num_queries(PAGES["self"]):
        client.get(url)


def test_the_appraisers_area_page(client, with_evidence, finance, appraiser, django_assert_num_queries):
    set_stage(with_evidence, Stage.APPRAISAL_1)
    client.force_login(appraiser)
    area = with_evidence.methodology.criteria.get(code="1")
    url = (
        reverse("assessments:appraisal_area", args=[with_evidence.pk, area.pk])
        + f"?unit={with_evidence.assessments.get(agency=finance).pk}"
    )
    with django_assert_num_queries(PAGES["appraisal"]):
        client.get(url)


def test_the_results_and_round_pages(client, with_evidence, province_admin, django_assert_num_queries):
    client.force_login(province_admin)
    with django_assert_num_queries(PAGES["results"]):
        client.get(reverse("assessments:round_results", args=[with_evidence.pk]))
    with django_assert_num_queries(PAGES["round"]):
        client.get(reverse("assessments:round_detail", args=[with_evidence.pk]))


def test_more_evidence_does_not_add_queries(client, with_evidence, finance, finance_officer, province):
    client.force_login(finance_officer)
    url = reverse("assessments:assessment_detail", args=[with_evidence.assessments.get(agency=finance).pk])
    before = _count(client, url)
    score = Score.objects.get(assessment__agency=finance, criterion__code="1.1")
    for n in range(3):
        ScoreEvidence.objects.create(score=score, task_evidence=make_task_file(province, finance, f"Thêm {n}"))
    assert _count(client, url) == before
