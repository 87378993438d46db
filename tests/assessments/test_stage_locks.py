"""The scheduled job closes each stage when its deadline passes, tells the users concerned, and
an administrator can extend a deadline with a reason."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command

from assessments.models import DeadlineExtension, Round, Score, Stage
from assessments.scoring import deadline_extend, rounds_lock_due
from audit.models import AuditEvent
from notifications.models import Notification

from .conftest import TODAY, deadlines


@pytest.fixture
def dated_round(methodology, criteria, agency, finance):
    from assessments.scoring import round_open

    return round_open(methodology, deadlines=deadlines(TODAY))


def test_the_job_opens_self_assessment_on_its_day_and_closes_it_after_its_deadline(
    dated_round, agency, agency_officer, django_capture_on_commit_callbacks
):
    agency_officer.email = "officer@so-tu-phap.gov.vn"
    agency_officer.save()
    rounds_lock_due(TODAY)
    dated_round.refresh_from_db()
    assert dated_round.stage == Stage.SELF
    Score.objects.filter(assessment__round=dated_round, criterion__code="1.1").update(self_score=3)
    rounds_lock_due(dated_round.self_closes)  # the last day still belongs to the stage
    dated_round.refresh_from_db()
    assert dated_round.stage == Stage.SELF
    with django_capture_on_commit_callbacks(execute=True):
        rounds_lock_due(dated_round.self_closes + dt.timedelta(days=1))
    dated_round.refresh_from_db()
    assert dated_round.stage == Stage.APPRAISAL_1
    # Appraisers start from the unit's own figure.
    assert Score.objects.filter(assessment__round=dated_round, criterion__code="1.1", appraised_score=3).count() == 2
    assert any("officer@so-tu-phap.gov.vn" in m.to for m in mail.outbox)
    assert Notification.objects.filter(user=agency_officer, kind="assessment_stage").count() == 2  # opened, closed
    assert AuditEvent.objects.filter(source="job", changes__stage=["self", "appraisal_1"]).exists()


def test_a_job_run_long_after_catches_up_every_passed_stage_and_running_twice_changes_nothing(dated_round):
    late = dated_round.appraisal2_closes + dt.timedelta(days=1)
    rounds_lock_due(late)
    dated_round.refresh_from_db()
    assert dated_round.stage == Stage.FINALISING
    assert rounds_lock_due(late) == []


def test_the_management_command_runs_the_same_function(dated_round, capsys):
    Round.objects.filter(pk=dated_round.pk).update(self_opens=dt.date(2000, 1, 1))
    call_command("lock_assessment_stages")
    dated_round.refresh_from_db()
    assert dated_round.stage == Stage.SELF


def test_an_extension_needs_a_reason_and_keeps_the_stage_open(dated_round, province_admin):
    rounds_lock_due(TODAY)
    dated_round.refresh_from_db()
    with pytest.raises(ValidationError):
        deadline_extend(
            dated_round,
            stage=Stage.SELF,
            new_date=dated_round.self_closes + dt.timedelta(days=2),
            reason="",
            actor=province_admin,
        )
    new_date = dated_round.self_closes + dt.timedelta(days=2)
    deadline_extend(dated_round, stage=Stage.SELF, new_date=new_date, reason="Nghỉ lễ", actor=province_admin)
    rounds_lock_due(new_date)
    dated_round.refresh_from_db()
    assert dated_round.stage == Stage.SELF
    assert DeadlineExtension.objects.get().reason == "Nghỉ lễ"


def test_an_extension_past_the_next_stages_deadline_is_refused(dated_round, province_admin):
    with pytest.raises(ValidationError):
        deadline_extend(
            dated_round,
            stage=Stage.SELF,
            new_date=dated_round.appraisal1_closes + dt.timedelta(days=1),
            reason="x",
            actor=province_admin,
        )
    dated_round.refresh_from_db()
    assert dated_round.self_closes == deadlines(TODAY)["self_closes"]


def test_beat_schedules_the_lock_job():
    from django.conf import settings

    assert settings.CELERY_BEAT_SCHEDULE["assessments-lock-stages"]["task"] == "assessments.lock_stages"
