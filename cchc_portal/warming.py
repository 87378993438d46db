"""Warming caches after writes: the job that changed the data pays, not the first reader.

A job that bumps a cache generation (`cchc_portal.cache.bump_generation`) — a dossier import, a
summary recompute, the overdue refresh, a plan's figures — calls `warm_after_commit(name,
province_ids)`. Once its transaction commits, a separate Celery job (`warm_caches_job`, so the
writer is not slowed) runs every warmer registered for that generation with the provinces it
touched. Apps register warmers from their AppConfig.ready(): a lower app names a generation, the
apps that cache blocks under it (dossiers' stats page, the dashboards) register what to
recompute, so no app imports one above it.

A warmer recomputes through the same cached functions as the pages (`cached(...)` with the
same key), so a warm and a page request are interchangeable; a warmer that fails is logged and
the others still run (the page then computes the block itself, as without warming).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from celery import shared_task

from cchc_portal.queue import enqueue_after_commit

logger = logging.getLogger(__name__)

Warmer = Callable[[list[int]], None]
_warmers: dict[str, dict[str, Warmer]] = {}


def register_warmer(generation_name: str, label: str, warmer: Warmer) -> None:
    """`warmer(province_ids)` recomputes what it caches under `generation_name` for those provinces."""
    _warmers.setdefault(generation_name, {})[label] = warmer


def warmers_for(generation_name: str) -> dict[str, Warmer]:
    return dict(_warmers.get(generation_name, {}))


def warm(generation_name: str, province_ids: Iterable[int]) -> dict[str, int]:
    """Run every warmer of the generation now; returns {label: provinces warmed} (0 on failure)."""
    ids = sorted({int(pk) for pk in province_ids})
    done: dict[str, int] = {}
    for label, warmer in warmers_for(generation_name).items():
        try:
            warmer(ids)
            done[label] = len(ids)
        except Exception:
            logger.exception("cache warmer %s for %s failed", label, generation_name)
            done[label] = 0
    return done


@shared_task(name="cchc_portal.warm_caches", ignore_result=True)
def warm_caches_job(generation_name: str, province_ids: list[int]) -> None:
    warm(generation_name, province_ids)


def warm_after_commit(generation_name: str, province_ids: Iterable[int]) -> None:
    """Queue the warming once the writer's transaction commits (at once outside one).

    A lost message only means the first reader computes the blocks, as without warming."""
    ids = sorted({int(pk) for pk in province_ids if pk is not None})
    if ids and warmers_for(generation_name):
        enqueue_after_commit(warm_caches_job, generation_name, ids)
