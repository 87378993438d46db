import datetime as dt

from django.utils import timezone

from cchc_portal.lib.periods import PeriodKind, ReportingPeriod, period_for
from tasks.models import ProgressUpdate, TaskStatus


def test_notes_are_filed_under_the_report_whose_window_is_open():
    assert period_for(dt.date(2026, 3, 14)) == ReportingPeriod(2026, PeriodKind.Q1)
    assert period_for(dt.date(2026, 3, 15)) == ReportingPeriod(2026, PeriodKind.H1)
    assert period_for(dt.date(2026, 6, 15)) == ReportingPeriod(2026, PeriodKind.M9)
    assert period_for(dt.date(2026, 9, 15)) == ReportingPeriod(2026, PeriodKind.YEAR)
    assert period_for(dt.date(2026, 12, 14)) == ReportingPeriod(2026, PeriodKind.YEAR)
    # The data window of next year's first report opens on 15 December.
    assert period_for(dt.date(2026, 12, 15)) == ReportingPeriod(2027, PeriodKind.Q1)


def test_windows_follow_the_national_reporting_regime():
    assert ReportingPeriod(2026, "q1").window_start == dt.date(2025, 12, 15)
    assert ReportingPeriod(2026, "q1").window_end == dt.date(2026, 3, 14)
    assert ReportingPeriod(2026, "h1").window_start == dt.date(2025, 12, 15)
    assert ReportingPeriod(2026, "h1").window_end == dt.date(2026, 6, 14)
    assert ReportingPeriod(2026, "m9").window_start == dt.date(2026, 6, 15)
    assert ReportingPeriod(2026, "m9").window_end == dt.date(2026, 9, 14)
    assert ReportingPeriod(2026, "year").window_end == dt.date(2026, 12, 14)
    assert ReportingPeriod(2026, "year").due_date == dt.date(2026, 12, 20)


def _note(task, day: dt.date, status: str) -> ProgressUpdate:
    at = timezone.make_aware(dt.datetime.combine(day, dt.time(10)))
    return ProgressUpdate.objects.create(task=task, created_at=at, status=status, note=f"note {day}")


def test_plan_as_of_the_end_of_a_period_shows_statuses_then(client, province_admin, plan, make_task, agency):
    done_later = make_task(
        agency, status=TaskStatus.COMPLETED, completion_date=dt.date(2026, 8, 1), title="Làm xong sau"
    )
    _note(done_later, dt.date(2026, 2, 1), TaskStatus.IN_PROGRESS)
    _note(done_later, dt.date(2026, 8, 1), TaskStatus.COMPLETED)
    make_task(agency, status=TaskStatus.COMPLETED, completion_date=dt.date(2026, 1, 20), title="Làm xong sớm")
    client.force_login(province_admin)
    response = client.get(plan.get_absolute_url(), {"period": "2026-h1"})
    assert response.status_code == 200
    as_of = response.context["as_of"]
    assert (as_of["total"], as_of["completed"], as_of["in_progress"]) == (2, 1, 1)
    assert as_of["completion_rate"] == 50
    statuses = {t.title: t.as_of_status for g in response.context["groups"] for t in g["tasks"]}
    assert statuses == {"Làm xong sau": TaskStatus.IN_PROGRESS, "Làm xong sớm": TaskStatus.COMPLETED}


def test_task_page_groups_progress_notes_by_period(client, province_admin, task):
    _note(task, dt.date(2026, 3, 1), TaskStatus.IN_PROGRESS)
    _note(task, dt.date(2026, 7, 1), TaskStatus.IN_PROGRESS)
    _note(task, dt.date(2026, 7, 2), TaskStatus.IN_PROGRESS)
    client.force_login(province_admin)
    response = client.get(task.get_absolute_url())
    groups = response.context["periods"]
    assert [(g["label"], len(g["updates"])) for g in groups] == [("9 tháng 2026", 2), ("Quý I 2026", 1)]
