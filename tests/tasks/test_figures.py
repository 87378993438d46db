import datetime as dt
from decimal import Decimal

from django.core.management import call_command
from django.utils import translation

from cchc_portal.lib.numbers import format_percent
from tasks.figures import plan_figures_compute, rate_sentence, status_summary
from tasks.models import PlanFigures, TaskStatus


def test_26_of_34_completed_is_written_76_47_percent(plan, make_task, agency):
    for i in range(34):
        make_task(agency, status=TaskStatus.COMPLETED if i < 26 else TaskStatus.IN_PROGRESS)
    figures = plan_figures_compute(plan.pk, on=dt.date(2026, 1, 1))
    assert figures.completion_rate == Decimal("76.47")
    assert figures.rate_display == "76,47%"
    assert rate_sentence(figures, "vi") == "26/34 nhiệm vụ hoàn thành: 76,47%"
    assert format_percent(figures.completion_rate, lang="en") == "76.47%"


def test_status_counts_are_written_the_way_reports_write_them():
    figures = {"completed": 33, "in_progress": 0, "ongoing": 36, "not_started": 5, "overdue": 0}
    assert status_summary(figures, "vi") == "33 hoàn thành, 36 đang duy trì, 5 chưa thực hiện"
    assert status_summary(figures, "en") == "33 completed, 36 ongoing, 5 not started"


def test_figures_count_late_completions_and_overdue_tasks(plan, make_task, agency, home_affairs):
    on = dt.date(2026, 7, 1)
    make_task(agency, status=TaskStatus.COMPLETED, deadline=dt.date(2026, 3, 31), completion_date=dt.date(2026, 3, 30))
    make_task(agency, status=TaskStatus.COMPLETED, deadline=dt.date(2026, 3, 31), completion_date=dt.date(2026, 4, 9))
    make_task(agency, status=TaskStatus.IN_PROGRESS, deadline=dt.date(2026, 6, 30))  # overdue
    make_task(home_affairs, status=TaskStatus.ONGOING, deadline=None, area_code="VII")  # recurring: never overdue
    make_task(home_affairs, status=TaskStatus.NOT_STARTED, deadline=dt.date(2026, 12, 31), area_code="VII")
    figures = plan_figures_compute(plan.pk, on=on)
    assert (figures.total, figures.completed, figures.completed_late, figures.completed_on_time) == (5, 2, 1, 1)
    assert (figures.in_progress, figures.ongoing, figures.not_started, figures.overdue) == (1, 1, 1, 1)
    assert figures.completion_rate == Decimal("40.00")
    areas = {row["code"]: row for row in figures.by_area}
    assert areas["I"]["total"] == 3 and areas["I"]["completion_rate"] == 66.67
    assert areas["VII"]["completed"] == 0
    agencies = {row["name"]: row for row in figures.by_agency}
    assert agencies["Sở Tư pháp"]["overdue"] == 1
    assert agencies["Sở Nội vụ"]["total"] == 2


def test_the_figures_job_is_idempotent_and_a_command(plan, make_task, agency):
    make_task(agency, status=TaskStatus.COMPLETED)
    make_task(agency)
    call_command("recompute_figures", plan=[plan.pk])
    first = PlanFigures.objects.get(plan=plan)
    call_command("recompute_figures")
    second = PlanFigures.objects.get(plan=plan)
    assert PlanFigures.objects.count() == 1
    assert first.pk == second.pk
    assert (second.total, second.completed, second.completion_rate) == (2, 1, Decimal("50.00"))
    assert second.computed_at >= first.computed_at


def test_an_empty_plan_has_no_rate_rather_than_zero(plan):
    figures = plan_figures_compute(plan.pk)
    assert figures.total == 0
    assert figures.completion_rate is None
    with translation.override("vi"):
        assert figures.rate_display == "–"
