"""Bad input is refused with a clear message and nothing is stored."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from assessments.models import Score, ScoreEvidence, Stage
from assessments.scoring import evidence_upload, self_score_save

from .conftest import set_stage


@pytest.fixture(autouse=True)
def _vietnamese():
    with translation.override("vi"):
        yield


def _score(round_, agency, code):
    return Score.objects.get(assessment__round=round_, assessment__agency=agency, criterion__code=code)


@pytest.mark.parametrize(
    ("code", "value", "words"),
    [
        ("1.1", "5", "tối đa"),
        ("1.1", "-1", "âm"),
        ("3", "1", "khảo sát"),
    ],
)
def test_a_self_score_above_the_maximum_negative_or_on_a_survey_criterion_is_refused(
    round_, agency, agency_officer, code, value, words
):
    from assessments.scoring import parse_points

    score = _score(round_, agency, code)
    with pytest.raises(ValidationError) as caught:
        self_score_save(score, actor=agency_officer, version=score.version, data={"self_score": parse_points(value)})
    assert words in " ".join(caught.value.messages)
    assert _score(round_, agency, code).self_score is None


def test_the_page_shows_the_refusal_in_vietnamese_and_stores_nothing(client, round_, agency, agency_officer):
    from django.urls import reverse

    score = _score(round_, agency, "1.2")
    client.force_login(agency_officer)
    response = client.post(
        reverse("assessments:score_self", args=[score.pk]), {"version": score.version, "self_score": "2,5"}, follow=True
    )
    assert "vượt quá điểm tối đa 2" in response.content.decode()
    assert _score(round_, agency, "1.2").self_score is None


def test_evidence_of_the_wrong_type_is_refused(round_, agency, agency_officer):
    score = _score(round_, agency, "1.1")
    fake = SimpleUploadedFile("bang-chung.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(ValidationError):
        evidence_upload(score, actor=agency_officer, upload=fake)
    exe = SimpleUploadedFile("setup.exe", b"MZ\x90\x00", content_type="application/octet-stream")
    with pytest.raises(ValidationError):
        evidence_upload(score, actor=agency_officer, upload=exe)
    assert not ScoreEvidence.objects.exists()


def test_a_write_after_the_stage_closed_is_refused_with_the_closing_date(round_, agency, agency_officer):
    round_.self_closes = dt.date(2020, 1, 1)
    round_.self_opens = dt.date(2019, 12, 1)
    round_.save()
    score = _score(round_, agency, "1.1")
    with pytest.raises(ValidationError) as caught:
        self_score_save(score, actor=agency_officer, version=score.version, data={"self_score": 1})
    assert "đã đóng ngày 01/01/2020" in " ".join(caught.value.messages)
    set_stage(round_, Stage.APPRAISAL_1)
    with pytest.raises(ValidationError):
        self_score_save(score, actor=agency_officer, version=score.version, data={"self_score": 1})
    assert _score(round_, agency, "1.1").self_score is None


def test_a_stale_form_is_refused(round_, agency, agency_officer):
    from cchc_portal.concurrency import StaleObjectError

    score = _score(round_, agency, "1.1")
    self_score_save(score, actor=agency_officer, version=0, data={"self_score": 1})
    with pytest.raises(StaleObjectError):
        self_score_save(_score(round_, agency, "1.1"), actor=agency_officer, version=0, data={"self_score": 2})
    assert _score(round_, agency, "1.1").self_score == 1


def test_the_api_refuses_a_score_above_the_maximum_in_vietnamese(client, round_, agency, agency_officer):
    score = _score(round_, agency, "1.1")
    client.force_login(agency_officer)
    response = client.patch(
        f"/api/v1/assessments/{score.assessment_id}/scores/{score.pk}/",
        {"version": score.version, "self_score": "9"},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="vi",
    )
    assert response.status_code == 400
    assert _score(round_, agency, "1.1").self_score is None
