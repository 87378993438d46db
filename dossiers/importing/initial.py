"""First load of a province (`import_dossiers FILE --initial --province CODE`).

Loading into a table without its secondary indexes and building them afterwards
(one sort per index instead of a million index insertions) is what makes a bulk
load fast. The dossier table is shared by every province, though: dropping its
indexes while other provinces' dossiers are in it would slow their late lists and
overdue job for the whole load, and DROP INDEX takes an ACCESS EXCLUSIVE lock that
stops their readers. So the indexes are dropped only when the whole table is empty
(the first province of an instance, or a restore); on a shared table `--initial`
is an ordinary load (the insert-new SQL with the indexes in place) that is still
refused when the province already has dossiers. Either way the summaries are then
recomputed and the tables analyzed. The unique (receiving unit, receipt number) key
and the primary key always stay: the load relies on them.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection
from django.utils.translation import gettext as _

from ..models import Dossier
from .summaries import analyze, backend, recompute_all_summaries


class InitialRefused(Exception):
    pass


@dataclass
class InitialLoad:
    dropped_indexes: list[str] = field(default_factory=list)
    steps: dict = field(default_factory=dict)


def check_province_is_empty(province) -> None:
    if Dossier.objects.filter(province=province).exists():
        raise InitialRefused(
            _(
                "The province %(name)s already has dossiers: --initial is only for the first load into a "
                "province without dossiers. Import the file without --initial."
            )
            % {"name": province.name}
        )


def secondary_indexes() -> list[tuple[str, str]]:
    """(name, definition) of the dossier table's indexes that back no primary or unique key."""
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
               WHERE i.indrelid = 'dossiers_dossier'::regclass AND NOT i.indisprimary AND NOT i.indisunique
               ORDER BY c.relname"""
        )
        return cursor.fetchall()


@contextmanager
def initial_load(province):
    """Refuse a province with dossiers; without other provinces' dossiers, load without secondary indexes.

    The indexes are built again (from their saved definitions) whatever happens to the
    load, then the summaries are recomputed and the tables analyzed.
    """
    check_province_is_empty(province)
    load = InitialLoad()
    indexes = []
    if backend() == "postgresql" and not Dossier.objects.exists():
        indexes = secondary_indexes()
        with connection.cursor() as cursor:
            for name, _definition in indexes:
                cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
        load.dropped_indexes = [name for name, _definition in indexes]
    try:
        yield load
    finally:
        started = time.monotonic()
        if indexes:
            with connection.cursor() as cursor:
                cursor.execute("SET maintenance_work_mem = '256MB'")
                for _name, definition in indexes:
                    cursor.execute(definition)
                cursor.execute("RESET maintenance_work_mem")
        load.steps["create_index"] = round(time.monotonic() - started, 2)
    started = time.monotonic()
    recompute_all_summaries()
    analyze("dossiers_dossier", "dossiers_dossiersummary")
    load.steps["recompute_analyze"] = round(time.monotonic() - started, 2)
