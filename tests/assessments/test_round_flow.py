"""The whole round through the pages (no browser): self-score with evidence, submit, appraise,
explain, second appraisal, publish; the results reach indices' rankings and API."""

from decimal import Decimal

from django.urls import reverse

from assessments.models import Score, ScoreEvidence, Stage
from assessments.scoring import round_advance
from indices.models import Ranking

from .conftest import pdf_upload


def _score(round_, subject, code):
    return Score.objects.get(assessment__round=round_, assessment__agency=subject, criterion__code=code)


def test_a_department_scores_submits_is_appraised_explains_and_is_published(
    client, round_, finance, appraiser, province_admin, finance_officer, finance_task_file
):
    assessment = round_.assessments.get(agency=finance)
    client.force_login(finance_officer)
    page = client.get(reverse("assessments:assessment_detail", args=[assessment.pk]))
    assert page.status_code == 200
    for code, value in {"1.1": "4", "1.2": "2", "2": "3,5"}.items():
        s = _score(round_, finance, code)
        response = client.post(
            reverse("assessments:score_self", args=[s.pk]),
            {
                "version": s.version,
                "answer": "yes",
                "self_score": value,
                "self_explanation": "" if code != "2" else "Chưa có văn bản",
            },
        )
        assert response.status_code == 302
    s11 = _score(round_, finance, "1.1")
    client.post(
        reverse("assessments:evidence_add", args=[s11.pk]), {"file": pdf_upload("qd.pdf"), "location": "trang 2"}
    )
    s12 = _score(round_, finance, "1.2")
    client.post(
        reverse("assessments:evidence_add", args=[s12.pk]),
        {"task_evidence": finance_task_file.pk, "location": "mục II"},
    )
    assert ScoreEvidence.objects.filter(score__assessment=assessment).count() == 2
    response = client.post(
        reverse("assessments:assessment_submit", args=[assessment.pk]),
        {"version": assessment.version, "signed_report": pdf_upload()},
    )
    assessment.refresh_from_db()
    assert assessment.submitted_at is not None, [m.message for m in response.wsgi_request._messages]

    round_advance(round_)  # self-assessment closes; appraisal starts from the self-scores
    round_.refresh_from_db()
    client.force_login(appraiser)
    area = round_.methodology.criteria.get(code="1")
    page = client.get(reverse("assessments:appraisal_area", args=[round_.pk, area.pk]) + f"?unit={assessment.pk}")
    assert page.status_code == 200
    s11.refresh_from_db()
    client.post(
        reverse("assessments:score_appraise", args=[s11.pk]),
        {
            "version": s11.version,
            "appraised_score": "3",
            "appraisal_note": "Ban hành chậm",
            "internal_note": "Kiểm tra lại ngày ký",
        },
    )
    client.post(
        reverse("assessments:explanation_request", args=[assessment.pk]),
        {"text": "Giải trình tiêu chí 1.1", "area": area.pk},
    )
    s11.refresh_from_db()
    assert s11.appraised_score == Decimal("3")

    round_advance(round_)  # explanation
    client.force_login(finance_officer)
    page = client.get(reverse("assessments:assessment_detail", args=[assessment.pk]))
    assert "Kiểm tra lại ngày ký" not in page.content.decode()
    assert "Ban hành chậm" in page.content.decode()
    client.post(
        reverse("assessments:explanation_answer", args=[s11.pk]),
        {"version": s11.version, "explanation_answer": "Do chờ ý kiến Sở Nội vụ"},
    )
    client.post(reverse("assessments:explanation_submit", args=[assessment.pk]))
    assessment.refresh_from_db()
    assert assessment.explained_at is not None

    round_advance(round_)  # second appraisal
    round_advance(round_)  # council finalising
    round_.refresh_from_db()
    assert round_.stage == Stage.FINALISING
    client.force_login(province_admin)
    assert client.get(reverse("assessments:round_results", args=[round_.pk])).status_code == 200
    response = client.post(
        reverse("assessments:round_publish", args=[round_.pk]),
        {
            "version": round_.version,
            "decision_number": "123/QĐ-UBND",
            "decision_date": "2026-12-20",
            "signer": "Nguyễn Văn A",
        },
    )
    assert response.status_code == 302
    round_.refresh_from_db()
    assert round_.stage == Stage.PUBLISHED
    ranking = Ranking.objects.get(edition=round_.index_edition, agency=finance)
    assert ranking.points == Decimal("8.5")  # 3 + 2 + 3.5, no survey yet
    assert ranking.points_max == Decimal("12")
    api = client.get("/api/v1/rankings/", {"index": round_.index_edition.index.code, "year": 2026}).json()
    row = next(r for r in api["results"] if r["unit_name"] == finance.name)
    assert row["score"] == 70.83 and row["points"] == 8.5 and row["points_max"] == 12.0
    assert (row["group"], row["group_label"]) == ("Khá", "≥ 65%")
    for fmt in ("docx", "xlsx"):
        assert client.get(reverse("assessments:round_results", args=[round_.pk]), {"format": fmt}).status_code == 200
        assert (
            client.get(reverse("assessments:assessment_export", args=[assessment.pk]), {"format": fmt}).status_code
            == 200
        )
