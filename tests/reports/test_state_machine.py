"""Every transition of a unit report, and every refusal, on the model (pages and API call the same)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import AuditEvent
from cchc_portal.concurrency import StaleObjectError
from reports.models import ReportRefused, ReportStatus

from .conftest import full_values, submit


def test_round_lists_every_current_department_and_commune_committee(rnd, agency, commune_committee, home_affairs):
    agencies = set(rnd.reports.values_list("agency__name", flat=True))
    assert agencies == {agency.name, commune_committee.name, home_affairs.name} or agencies >= {
        agency.name,
        commune_committee.name,
    }
    assert set(rnd.reports.values_list("status", flat=True)) == {ReportStatus.NOT_STARTED}


def test_saving_a_draft_moves_not_started_to_draft_and_is_audited(dept_report, agency_officer):
    dept_report.apply("save", user=agency_officer, expected_version=0, values={"TC1": "2"}, texts={"I": "x"})
    dept_report.refresh_from_db()
    assert dept_report.status == ReportStatus.DRAFT
    assert dept_report.values["TC1"] == "2"
    assert AuditEvent.objects.for_object(dept_report).count() == 1


def test_submit_locks_the_report_and_records_who_and_when(english, dept_report, agency_officer):
    submit(dept_report, agency_officer)
    dept_report.refresh_from_db()
    assert dept_report.status == ReportStatus.SUBMITTED
    assert dept_report.submitted_by == agency_officer and dept_report.first_submitted_at
    assert dept_report.is_locked
    with pytest.raises(ReportRefused, match="locked"):
        dept_report.apply("save", user=agency_officer, expected_version=dept_report.version, values={})


def test_submit_refuses_an_incomplete_annex_and_stores_nothing(dept_report, agency_officer):
    with pytest.raises(ValidationError) as info:
        dept_report.apply("submit", user=agency_officer, expected_version=0, values={"TC1": "1"})
    assert "TT1" in info.value.message_dict
    dept_report.refresh_from_db()
    assert dept_report.status == ReportStatus.NOT_STARTED and dept_report.values == {}


def test_return_needs_a_reason_and_then_resubmission_and_acceptance(
    english, dept_report, agency_officer, province_admin
):
    submit(dept_report, agency_officer)
    with pytest.raises(ReportRefused, match="reason"):
        dept_report.apply("return", user=province_admin, expected_version=dept_report.version, reason=" ")
    dept_report.apply("return", user=province_admin, expected_version=dept_report.version, reason="Thiếu số liệu KT")
    assert dept_report.status == ReportStatus.RETURNED and dept_report.return_reason == "Thiếu số liệu KT"
    submit(dept_report, agency_officer, KT1="3")
    assert dept_report.status == ReportStatus.RESUBMITTED
    dept_report.apply("accept", user=province_admin, expected_version=dept_report.version)
    assert dept_report.status == ReportStatus.ACCEPTED
    notes = list(AuditEvent.objects.for_object(dept_report).values_list("note", flat=True))
    assert any("Thiếu số liệu KT" in n for n in notes)


def test_submitting_after_acceptance_is_refused_with_a_clear_message(
    english, dept_report, agency_officer, province_admin
):
    submit(dept_report, agency_officer)
    dept_report.apply("accept", user=province_admin, expected_version=dept_report.version)
    with pytest.raises(ReportRefused, match="accepted"):
        dept_report.apply("submit", user=agency_officer, expected_version=dept_report.version, values={})


def test_reopen_shows_what_changed_after_acceptance(dept_report, agency_officer, province_admin):
    submit(dept_report, agency_officer)
    dept_report.apply("accept", user=province_admin, expected_version=dept_report.version)
    assert dept_report.changes_since_acceptance() == []
    with pytest.raises(ReportRefused):
        dept_report.apply("reopen", user=province_admin, expected_version=dept_report.version)
    dept_report.apply("reopen", user=province_admin, expected_version=dept_report.version, reason="Sửa số liệu")
    assert dept_report.status == ReportStatus.RETURNED
    submit(dept_report, agency_officer, TC1="5")
    dept_report.apply("accept", user=province_admin, expected_version=dept_report.version)
    changes = dept_report.changes_since_acceptance()
    assert [c["before"] for c in changes if c["label"].startswith("TC1")] == ["3"]
    assert [c["after"] for c in changes if c["label"].startswith("TC1")] == ["5"]
    assert dept_report.changed_after_acceptance


def test_accept_and_return_are_refused_before_submission(english, dept_report, province_admin):
    with pytest.raises(ReportRefused, match="submitted"):
        dept_report.apply("accept", user=province_admin, expected_version=0)
    with pytest.raises(ReportRefused):
        dept_report.apply("return", user=province_admin, expected_version=0, reason="x")


def test_two_reviewers_acting_at_once_the_second_is_refused(dept_report, agency_officer, province_admin):
    submit(dept_report, agency_officer)
    version = dept_report.version
    from reports.models import UnitReport

    other_copy = UnitReport.objects.get(pk=dept_report.pk)
    dept_report.apply("accept", user=province_admin, expected_version=version)
    with pytest.raises(StaleObjectError):
        other_copy.apply("return", user=province_admin, expected_version=version, reason="x")
    assert UnitReport.objects.get(pk=dept_report.pk).status == ReportStatus.ACCEPTED


def test_a_stale_form_is_refused_and_overwrites_nothing(dept_report, agency_officer):
    dept_report.apply("save", user=agency_officer, expected_version=0, values={"TC1": "2"})
    with pytest.raises(StaleObjectError):
        dept_report.apply("save", user=agency_officer, expected_version=0, values={"TC1": "9"})
    dept_report.refresh_from_db()
    assert dept_report.values["TC1"] == "2"


def test_only_the_units_officers_write_and_only_province_staff_review(
    dept_report, commune_officer, agency_officer, province_admin, leader, outsider
):
    with pytest.raises(PermissionDenied):
        dept_report.apply("save", user=commune_officer, expected_version=0, values={})
    with pytest.raises(PermissionDenied):
        dept_report.apply("save", user=province_admin, expected_version=0, values={})
    submit(dept_report, agency_officer)
    for user in (leader, outsider, agency_officer):
        with pytest.raises(PermissionDenied):
            dept_report.apply("accept", user=user, expected_version=dept_report.version)


@pytest.mark.parametrize(
    ("code", "raw", "message"),
    [
        ("TC1", "2,5", "whole number"),
        ("TC1", "abc", "number"),
        ("TC1", "-1", "at least"),
        ("MT1", "101", "100"),
        ("NV2", "11", "Cannot be more than"),
        ("HS5", "1e400", "number"),
    ],
)
def test_a_figure_outside_its_type_or_range_is_never_stored(english, dept_report, agency_officer, code, raw, message):
    with pytest.raises(ValidationError) as info:
        dept_report.apply(
            "save", user=agency_officer, expected_version=0, values=full_values(dept_report, **{code: raw})
        )
    assert message in info.value.message_dict[code][0]
    dept_report.refresh_from_db()
    assert dept_report.values == {}


def test_rates_are_computed_from_their_two_figures(dept_report, agency_officer):
    submit(dept_report, agency_officer)
    assert dept_report.values["NV4"] == "60.00"
    assert dept_report.values["HS6"] == "95.00"
    assert dept_report.values["VB1"] == "1234"
