"""The appraisers' internal note never reaches the unit: not on its pages, its API, nor its exports."""

import io
import zipfile

import pytest
from django.urls import reverse

from assessments.models import Score, Stage

from .conftest import set_stage

SECRET = "Nghi ngờ số liệu kê khai"


@pytest.fixture
def appraised(round_, finance):
    """The finance department's 1.1, appraised by the justice department (area 1)."""
    set_stage(round_, Stage.EXPLANATION)
    Score.objects.filter(assessment__agency=finance, criterion__code__in=["1.1", "2"]).update(
        self_score=4, appraised_score=3, appraisal_note="Thiếu văn bản", internal_note=SECRET
    )
    return round_.assessments.get(agency=finance)


def test_the_units_page_shows_the_note_to_the_unit_but_never_the_internal_note(client, appraised, finance_officer):
    client.force_login(finance_officer)
    page = client.get(reverse("assessments:assessment_detail", args=[appraised.pk])).content.decode()
    assert "Thiếu văn bản" in page
    assert SECRET not in page


def test_the_api_gives_the_internal_note_to_the_areas_appraiser_only(client, appraised, finance_officer, appraiser):
    client.force_login(finance_officer)
    own = client.get(f"/api/v1/assessments/{appraised.pk}/").json()
    row = next(s for s in own["scores"] if s["criterion"] == "1.1")
    assert "internal_note" not in row and SECRET not in str(own)
    client.force_login(appraiser)
    theirs = client.get(f"/api/v1/assessments/{appraised.pk}/").json()
    assert next(s for s in theirs["scores"] if s["criterion"] == "1.1")["internal_note"] == SECRET
    # The same appraiser does not see internal notes of an area it does not appraise.
    assert "internal_note" not in next(s for s in theirs["scores"] if s["criterion"] == "2")


def test_an_appraiser_does_not_see_the_internal_notes_of_its_own_department(client, round_, agency, appraiser):
    Score.objects.filter(assessment__agency=agency, criterion__code="1.1").update(internal_note=SECRET)
    client.force_login(appraiser)
    own = client.get(f"/api/v1/assessments/{round_.assessments.get(agency=agency).pk}/").json()
    assert SECRET not in str(own)


def _text(content: bytes, fmt: str) -> str:
    if fmt == "xlsx":
        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(content)).active
        return " ".join(str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return " ".join(archive.read(name).decode("utf-8", "ignore") for name in archive.namelist())


def test_exports_never_contain_the_internal_note(client, appraised, finance_officer, province_admin):
    for user in (finance_officer, province_admin):
        client.force_login(user)
        for fmt in ("docx", "xlsx"):
            response = client.get(reverse("assessments:assessment_export", args=[appraised.pk]), {"format": fmt})
            assert response.status_code == 200
            text = _text(response.content, fmt)
            assert "Thiếu văn bản" in text
            assert SECRET not in text


def test_a_pdf_evidence_opens_inline_for_the_appraisal_preview_only_from_our_own_pages(
    client, round_, finance, appraiser, finance_task_file
):
    from assessments.models import ScoreEvidence

    score = Score.objects.get(assessment__agency=finance, criterion__code="1.1")
    evidence = ScoreEvidence.objects.create(score=score, task_evidence=finance_task_file, location="trang 1")
    client.force_login(appraiser)
    response = client.get(reverse("assessments:evidence_download", args=[evidence.pk]), {"inline": "1"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]
