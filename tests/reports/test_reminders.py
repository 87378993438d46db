"""Reminders: before the internal deadline and when late, once per event, to the unit's officers."""

import datetime as dt

from django.core import mail
from django.core.management import call_command

from notifications.models import Notification
from reports.reminders import reminders_send, round_remind_now

from .conftest import submit


def test_a_unit_is_reminded_before_the_deadline_then_when_late_once_each(
    rnd, commune_report, commune_officer, agency_officer, django_capture_on_commit_callbacks, settings
):
    settings.CCHC = {**settings.CCHC, "REPORT_REMINDER_DAYS": [3, 1]}
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_send(on=dt.date(2026, 6, 1))["notified"] == 0  # nine days left
        reminders_send(on=dt.date(2026, 6, 7))
        reminders_send(on=dt.date(2026, 6, 7))  # the job ran twice
        reminders_send(on=dt.date(2026, 6, 11))
        reminders_send(on=dt.date(2026, 6, 12))
    keys = sorted(Notification.objects.filter(user=commune_officer).values_list("dedupe_key", flat=True))
    assert keys == [
        f"report:{commune_report.pk}:before3:2026-06-10",
        f"report:{commune_report.pk}:late:2026-06-10",
    ]
    assert [m.to for m in mail.outbox].count(["xa@example.vn"]) == 2


def test_a_unit_that_submitted_is_not_reminded(rnd, dept_report, agency_officer):
    submit(dept_report, agency_officer)
    reminders_send(on=dt.date(2026, 6, 12))
    assert not Notification.objects.filter(user=agency_officer, kind="report_reminder").exists()


def test_the_boards_button_reminds_every_unit_not_submitted_once_a_day(rnd, commune_report, commune_officer):
    assert round_remind_now(rnd.pk, on=dt.date(2026, 6, 12)) == 1
    assert round_remind_now(rnd.pk, on=dt.date(2026, 6, 12)) == 0
    note = Notification.objects.get(user=commune_officer)
    assert note.url == commune_report.get_absolute_url()


def test_the_daily_command_opens_the_round_on_the_windows_last_day(province, agency, capsys):
    from reports.models import ReportRound

    call_command("reports_daily", "--date", "2026-09-14")
    rnd = ReportRound.objects.get(province=province)
    assert (rnd.year, rnd.kind) == (2026, "m9")
    assert rnd.reports.filter(agency=agency).exists()
    call_command("reports_daily", "--date", "2026-09-14")
    assert ReportRound.objects.filter(province=province).count() == 1
