"""Celery jobs of the assessments app: thin, take ids, safe to run twice.

`lock_stages` runs from beat (CELERY_BEAT_SCHEDULE "assessments-lock-stages") and is also
`manage.py lock_assessment_stages`; `advance_round` is enqueued after commit when the
secretary closes a stage by hand.
"""

from __future__ import annotations

from celery import shared_task

from cchc_portal.queue import enqueue_after_commit


@shared_task(name="assessments.lock_stages", ignore_result=True)
def lock_stages() -> int:
    from .scoring import rounds_lock_due

    return len(rounds_lock_due())


@shared_task(name="assessments.advance_round", ignore_result=True)
def advance_round(round_id: int, expected_stage: str, actor_id: int | None = None) -> str | None:
    """Close the stage the secretary saw; a second run (or a stale click) finds another stage and does nothing."""
    from django.contrib.auth import get_user_model

    from audit.models import AuditSource

    from .models import Round
    from .scoring import round_advance

    round_ = Round.objects.get(pk=round_id)
    if round_.stage != expected_stage:
        return None
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    return round_advance(round_, actor=actor, source=AuditSource.JOB if actor is None else AuditSource.WEB)


def enqueue_round_advance(round_id: int, expected_stage: str, actor_id: int | None) -> None:
    """The secretary's "close the stage now": the job runs once the click's transaction commits
    (in-process when the broker is down, so the click is never lost nor turned into an error page)."""

    def run_in_process() -> None:
        advance_round(round_id, expected_stage, actor_id)

    enqueue_after_commit(advance_round, round_id, expected_stage, actor_id, on_failure=run_in_process)
