from django.core.management import call_command
from django.urls import reverse

from tasks.models import PlanFigures, TaskStatus


def test_a_progress_save_succeeds_when_the_broker_is_down_and_figures_catch_up(
    client, agency_officer, task, unreachable_broker, django_capture_on_commit_callbacks, caplog
):
    client.force_login(agency_officer)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(
            reverse("tasks:task_update", args=[task.pk]),
            {"version": task.version, "status": TaskStatus.COMPLETED, "note": "Đã hoàn thành"},
        )
    assert response.status_code == 302
    assert len(callbacks) == 1  # the enqueue was attempted, and failed quietly
    assert "could not queue tasks.recompute_plan_figures" in caplog.text
    task.refresh_from_db()
    assert task.status == TaskStatus.COMPLETED
    assert not PlanFigures.objects.filter(plan=task.plan).exists()
    # The nightly run (same function as the command) catches up.
    call_command("recompute_figures")
    figures = PlanFigures.objects.get(plan=task.plan)
    assert (figures.total, figures.completed, figures.rate_display) == (1, 1, "100,00%")


def test_figures_left_stale_by_a_broker_outage_catch_up_within_minutes(
    client, agency_officer, task, unreachable_broker, django_capture_on_commit_callbacks
):
    from tasks.jobs import catch_up_figures, stale_figure_plan_ids

    client.force_login(agency_officer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("tasks:task_update", args=[task.pk]),
            {"version": task.version, "status": TaskStatus.COMPLETED, "note": "Đã hoàn thành"},
        )
    assert stale_figure_plan_ids() == [task.plan_id]
    catch_up_figures()  # beat, every 5 minutes, once the broker is back
    assert PlanFigures.objects.get(plan=task.plan).completed == 1
    assert stale_figure_plan_ids() == []
