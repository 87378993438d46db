import datetime as dt

from django.core import mail
from django.core.management import call_command

from audit.models import AuditEvent, AuditSource
from tasks.models import PlanFigures, SentReminder, Task, TaskStatus
from tasks.overdue import overdue_mark
from tasks.reminders import reminders_send


def test_daily_job_marks_overdue_tasks_and_counts_them(plan, make_task, agency):
    late = make_task(agency, status=TaskStatus.IN_PROGRESS, deadline=dt.date(2026, 3, 31))
    make_task(agency, status=TaskStatus.ONGOING, deadline=None)
    make_task(agency, status=TaskStatus.COMPLETED, deadline=dt.date(2026, 3, 31))
    result = overdue_mark(dt.date(2026, 4, 1))
    assert result == {"marked": 1, "cleared": 0, "overdue": 1}
    late.refresh_from_db()
    assert late.overdue_since == dt.date(2026, 4, 1)
    assert PlanFigures.objects.get(plan=plan).overdue == 1
    assert AuditEvent.objects.filter(source=AuditSource.JOB).count() == 1
    assert overdue_mark(dt.date(2026, 4, 2))["marked"] == 0  # safe to run twice
    Task.objects.filter(pk=late.pk).update(status=TaskStatus.COMPLETED, completion_date=dt.date(2026, 4, 5))
    assert overdue_mark(dt.date(2026, 4, 6))["cleared"] == 1


def test_a_task_finished_after_its_deadline_is_completed_late(make_task, agency):
    task = make_task(
        agency, status=TaskStatus.COMPLETED, deadline=dt.date(2026, 3, 31), completion_date=dt.date(2026, 4, 2)
    )
    assert task.completed_late and not task.overdue
    assert list(Task.objects.completed_late()) == [task]


def test_reminders_are_sent_once_per_event(settings, make_user, province, make_task, agency):
    settings.CCHC = {**settings.CCHC, "REMINDER_DAYS": [7, 1]}
    make_user("officer1", "agency_officer", units=[province], agencies=[agency], email="stp@gialai.gov.vn")
    make_user("officer_no_mail", "agency_officer", units=[province], agencies=[agency])
    soon = make_task(agency, deadline=dt.date(2026, 5, 10), title="Sắp đến hạn")
    late = make_task(agency, deadline=dt.date(2026, 5, 1), title="Đã quá hạn")
    make_task(agency, deadline=dt.date(2026, 9, 1), title="Còn xa")
    assert reminders_send(dt.date(2026, 5, 4)) == {"sent": 2, "already_sent": 0}
    assert reminders_send(dt.date(2026, 5, 4)) == {"sent": 0, "already_sent": 2}  # running twice
    assert reminders_send(dt.date(2026, 5, 5)) == {"sent": 0, "already_sent": 2}  # next day, same events
    assert len(mail.outbox) == 2
    assert {m.to[0] for m in mail.outbox} == {"stp@gialai.gov.vn"}
    subjects = sorted(m.subject for m in mail.outbox)
    assert subjects[0].startswith("Nhiệm vụ quá hạn: Đã quá hạn")
    assert subjects[1].startswith("Nhiệm vụ đến hạn ngày 10/05/2026")
    # One day before, a second reminder for the approaching deadline.
    assert reminders_send(dt.date(2026, 5, 9))["sent"] == 1
    assert set(SentReminder.objects.values_list("task_id", "kind", "days_before")) == {
        (soon.pk, "before", 7),
        (soon.pk, "before", 1),
        (late.pk, "overdue", 0),
    }


def test_reminder_command_runs(capsys, task):
    call_command("send_task_reminders")
    assert "sent" in capsys.readouterr().out
    call_command("mark_overdue")


def test_the_overdue_job_costs_the_same_queries_for_3_tasks_as_for_30(
    plan, make_task, agency, django_assert_num_queries
):
    """`str(task)` in the audit rows reads the area: joined once, not one query per task."""
    make_task(agency, status=TaskStatus.IN_PROGRESS, deadline=dt.date(2026, 1, 31))
    overdue_mark(dt.date(2026, 2, 1))  # first run: content types cached, plan figures created
    for _n in range(3):
        make_task(agency, status=TaskStatus.IN_PROGRESS, deadline=dt.date(2026, 3, 31))
    with django_assert_num_queries(18) as three:
        assert overdue_mark(dt.date(2026, 4, 1))["marked"] == 3
    for _n in range(30):
        make_task(agency, status=TaskStatus.IN_PROGRESS, deadline=dt.date(2026, 5, 31))
    with django_assert_num_queries(len(three.captured_queries)):
        assert overdue_mark(dt.date(2026, 6, 1))["marked"] == 30
