"""Loading the reference units leaves the planner's statistics fresh (issue 13: autovacuum may be off)."""

from __future__ import annotations

import pytest
from django.db import connection

from provinces.reference import load_reference_units

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _analyze_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            """SELECT relname, analyze_count FROM pg_stat_user_tables
               WHERE relname IN ('provinces_administrativeunit', 'provinces_unitsuccession')"""
        )
        return dict(cursor.fetchall())


def test_loading_the_reference_units_analyzes_the_unit_tables():
    before = _analyze_counts()
    load_reference_units()
    after = _analyze_counts()
    assert after["provinces_administrativeunit"] > before.get("provinces_administrativeunit", 0)
    assert after["provinces_unitsuccession"] > before.get("provinces_unitsuccession", 0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'provinces_administrativeunit'")
        assert cursor.fetchone()[0] > 13_000  # the planner now knows the ~14,000 units
