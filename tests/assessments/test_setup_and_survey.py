"""Setting up an index (bands, not-applicable units) and importing survey results, all or nothing;
every score change audited with its stage."""

from decimal import Decimal

from django.urls import reverse

from assessments.models import Methodology, NotApplicable, Score
from assessments.scoring import self_score_save
from assessments.survey import plan_survey_import, survey_import_commit
from audit.models import AuditEvent

from .conftest import xlsx_bytes


def test_the_secretary_creates_an_index_with_its_own_bands(client, province, province_admin):
    client.force_login(province_admin)
    response = client.post(reverse("assessments:methodology_create"), {
        "year": 2027, "group": "commune", "name": "Chỉ số CCHC các xã", "bonus_cap": "2", "penalty_cap": "3",
        "bands_text": "Tốt: 85\nKhá: 70\nTrung bình: 50\nYếu: 0",
    })  # fmt: skip
    methodology = Methodology.objects.get(year=2027)
    assert response.status_code == 302
    assert methodology.band_for(Decimal("86"))["label"] == "Tốt"
    assert methodology.band_for(Decimal("84.99"))["label"] == "Khá"


def test_a_band_line_without_a_percent_is_refused(client, province, province_admin):
    client.force_login(province_admin)
    client.post(reverse("assessments:methodology_create"), {
        "year": 2027, "group": "commune", "name": "Chỉ số", "bonus_cap": "0", "penalty_cap": "0", "bands_text": "Tốt",
    })  # fmt: skip
    assert not Methodology.objects.filter(year=2027).exists()


def test_a_unit_is_excluded_from_an_area_before_the_round_opens(client, methodology, criteria, finance, province_admin):
    client.force_login(province_admin)
    client.post(reverse("assessments:not_applicable_create", args=[methodology.pk]),
                {"criterion": criteria["2"].pk, "subject": finance.pk, "reason": "Không có TTHC"})  # fmt: skip
    assert NotApplicable.objects.get().agency == finance


def test_survey_results_are_read_checked_and_saved_all_or_nothing(round_, agency, finance, province_admin):
    good = xlsx_bytes([["Đơn vị", "Mã tiêu chí", "Điểm"], ["Sở Tư pháp", "3", "1,5"], ["Sở Tài chính", "3", 2]])
    preview = plan_survey_import(round_, good, "khao-sat.xlsx")
    assert preview.ok, preview.problems
    assert survey_import_commit(round_, preview, actor=province_admin) == 2
    assert Score.objects.get(assessment__agency=agency, criterion__code="3").survey_score == Decimal("1.5")

    bad = xlsx_bytes(
        [
            ["Đơn vị", "Mã tiêu chí", "Điểm"],
            ["Sở Tư pháp", "3", "0,5"],
            ["Sở Tài chính", "3", 9],
            ["Sở Xây dựng", "3", 1],
            ["Sở Tư pháp", "1.1", 1],
        ]
    )
    preview = plan_survey_import(round_, bad, "khao-sat.xlsx")
    assert len(preview.problems) == 3  # above the maximum, unknown unit, not a survey criterion
    assert Score.objects.get(assessment__agency=agency, criterion__code="3").survey_score == Decimal("1.5")


def test_every_score_change_is_audited_with_who_the_stage_and_old_and_new(round_, finance, finance_officer):
    score = Score.objects.get(assessment__agency=finance, criterion__code="1.1")
    self_score_save(score, actor=finance_officer, version=0, data={"self_score": Decimal(3)})
    self_score_save(score, actor=finance_officer, version=1, data={"self_score": Decimal("3.5")})
    event = AuditEvent.objects.for_object(score).first()
    assert event.actor == finance_officer
    assert event.changes["self_score"] == ["3", "3.5"]
    assert event.note == "Tự đánh giá" or event.note == "Self-assessment"
