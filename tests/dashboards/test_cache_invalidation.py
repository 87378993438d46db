"""Blocks are cached per data generation: stale until the feeding job runs, fresh right after."""

import re
from decimal import Decimal

from django.urls import reverse

from indices.models import Edition, Ranking, Score
from tasks.models import TaskStatus


def completion(client) -> dict:
    """(completed, total) as the page shows them: "3/13 nhiệm vụ — 23,08%"."""
    body = client.get(reverse("dashboards:leader")).content.decode()
    done, total = re.search(r'data-testid="plan-completion">(\d+)/(\d+) nhiệm vụ', body).groups()
    return {"completed": int(done), "total": int(total)}


def test_the_plan_block_changes_when_the_figures_job_bumps_its_generation(client, gia_lai_leader, gia_lai_plan):
    from tasks.figures import plan_figures_compute

    client.force_login(gia_lai_leader)
    before = completion(client)["completed"]
    task = gia_lai_plan.tasks.filter(status=TaskStatus.IN_PROGRESS).first()
    # A write that bypasses the job (no on_commit enqueue): the dashboard keeps its cached figures.
    type(task).objects.filter(pk=task.pk).update(status=TaskStatus.COMPLETED, completion_date=task.deadline)
    assert completion(client)["completed"] == before
    plan_figures_compute(gia_lai_plan.pk)  # the job: stores PlanFigures and bumps "tasks.figures"
    assert completion(client)["completed"] == before + 1


def test_new_tasks_show_up_once_the_enqueued_figures_job_has_run(
    client, gia_lai_leader, gia_lai_plan, django_capture_on_commit_callbacks
):
    from tasks.jobs import enqueue_figures

    from .conftest import make_tasks

    client.force_login(gia_lai_leader)
    before = completion(client)["total"]
    with django_capture_on_commit_callbacks(execute=True):
        make_tasks(gia_lai_plan, {"a": gia_lai_plan.tasks.first().lead_agency}, 2, start=500)
        enqueue_figures(gia_lai_plan.pk)  # as the task form does; Celery runs eagerly in tests
    assert completion(client)["total"] == before + 2


def test_index_cards_change_when_the_rankings_job_bumps_its_generation(
    client, gia_lai_leader, gia_lai, index_results, django_capture_on_commit_callbacks
):
    from indices.rankings import rankings_compute

    client.force_login(gia_lai_leader)

    def card_score():
        body = client.get(reverse("dashboards:leader")).content.decode()
        card = body[body.index('data-index="PAPI"') :]
        return Decimal(re.search(r'data-testid="score">([\d,]+)<', card).group(1).replace(",", "."))

    edition = Edition.objects.get(index__code="PAPI", year=2025)
    before = card_score()
    assert before != Decimal("79.5")
    Score.objects.filter(edition=edition, unit=gia_lai, component__isnull=True).update(value=Decimal("79.5"))
    assert card_score() == before  # cached: the ranking has not been recomputed
    with django_capture_on_commit_callbacks(execute=True):
        rankings_compute(edition.pk)
    assert Ranking.objects.get(edition=edition, unit=gia_lai).score == Decimal("79.5")
    assert card_score() == Decimal("79.5")
