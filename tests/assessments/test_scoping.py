"""Who sees and writes what: units their own assessment, appraisers their areas, leaders published results,
nobody outside the province."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from assessments.models import Score, ScoreEvidence, Stage
from assessments.scoring import appraisal_save, evidence_link

from .conftest import set_stage


def _score(round_, subject, code):
    return Score.objects.get(assessment__round=round_, assessment__agency=subject, criterion__code=code)


def test_another_departments_officer_cannot_open_or_score_the_assessment(client, round_, agency, finance_officer):
    assessment = round_.assessments.get(agency=agency)
    score = _score(round_, agency, "1.1")
    client.force_login(finance_officer)
    assert client.get(reverse("assessments:assessment_detail", args=[assessment.pk])).status_code == 404
    response = client.post(reverse("assessments:score_self", args=[score.pk]), {"version": 0, "self_score": "1"})
    assert response.status_code == 404
    assert _score(round_, agency, "1.1").self_score is None
    assert client.get(f"/api/v1/assessments/{assessment.pk}/").status_code == 404


def test_an_appraiser_writes_only_in_the_areas_of_the_agency(client, round_, finance, appraiser):
    set_stage(round_, Stage.APPRAISAL_1)
    area2 = round_.methodology.criteria.get(code="2")
    client.force_login(appraiser)
    assert client.get(reverse("assessments:appraisal_area", args=[round_.pk, area2.pk])).status_code == 403
    score = _score(round_, finance, "2")
    with pytest.raises(PermissionDenied):
        appraisal_save(score, actor=appraiser, version=score.version, data={"appraised_score": 1})
    assert _score(round_, finance, "2").appraised_score is None
    area1 = round_.methodology.criteria.get(code="1")
    assert client.get(reverse("assessments:appraisal_area", args=[round_.pk, area1.pk])).status_code == 200


def test_a_unit_officer_cannot_appraise_its_own_scores(round_, finance, finance_officer):
    set_stage(round_, Stage.APPRAISAL_1)
    score = _score(round_, finance, "1.1")
    with pytest.raises(PermissionDenied):
        appraisal_save(score, actor=finance_officer, version=score.version, data={"appraised_score": 4})


def test_another_provinces_administrator_sees_nothing(client, round_, outsider):
    client.force_login(outsider)
    assert client.get(reverse("assessments:round_detail", args=[round_.pk])).status_code == 404
    assert client.get(reverse("assessments:methodology_detail", args=[round_.methodology_id])).status_code == 404
    assert client.get("/api/v1/assessment-rounds/").json()["results"] == []


def test_a_leader_reads_results_only_once_published(client, round_, leader):
    client.force_login(leader)
    assert client.get(reverse("assessments:round_results", args=[round_.pk])).status_code == 403
    set_stage(round_, Stage.PUBLISHED)
    assert client.get(reverse("assessments:round_results", args=[round_.pk])).status_code == 200


def test_a_task_file_of_another_agency_cannot_be_linked_as_evidence(round_, finance, finance_officer, task_file):
    score = _score(round_, finance, "1.1")
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        evidence_link(score, actor=finance_officer, task_evidence=task_file)
    assert not ScoreEvidence.objects.exists()


def test_rounds_are_filtered_by_province_year_and_group(client, round_, province_admin):
    client.force_login(province_admin)
    assert (
        len(
            client.get("/api/v1/assessment-rounds/", {"province": "52", "year": 2026, "group": "agency"}).json()[
                "results"
            ]
        )
        == 1
    )
    assert client.get("/api/v1/assessment-rounds/", {"year": 2025}).json()["results"] == []
    tree = client.get(f"/api/v1/assessment-methodologies/{round_.methodology_id}/").json()
    assert [c["code"] for c in tree["criteria"]][:3] == ["1", "1.1", "1.2"]


def test_through_the_api_the_unit_scores_while_self_assessment_is_open_and_explains_in_its_stage(
    client, round_, finance, finance_officer
):
    from django.utils import timezone

    score = _score(round_, finance, "1.1")
    url = f"/api/v1/assessments/{score.assessment_id}/scores/{score.pk}/"
    client.force_login(finance_officer)
    assert client.patch(url, {"version": 0, "self_score": "3,5"}, content_type="application/json").status_code == 200
    assert client.patch(url, {"version": 0, "self_score": "3"}, content_type="application/json").status_code == 409
    set_stage(round_, Stage.EXPLANATION)
    round_.assessments.filter(agency=finance).update(explanation_requested_at=timezone.now())
    assert client.patch(url, {"version": 1, "self_score": "4"}, content_type="application/json").status_code == 400
    response = client.patch(
        url, {"version": 1, "explanation_answer": "Có văn bản bổ sung"}, content_type="application/json"
    )
    assert response.status_code == 200
    score.refresh_from_db()
    assert (score.self_score, score.explanation_answer) == (3.5, "Có văn bản bổ sung")
