"""Paused days are never negative, checked once by the database (issue 13: it was declared twice)."""

from __future__ import annotations

import pytest
from django.db import connection


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_dossier_table_has_one_check_on_paused_days():
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT pg_get_constraintdef(oid) FROM pg_constraint
               WHERE conrelid = 'dossiers_dossier'::regclass AND contype = 'c'"""
        )
        checks = [definition for (definition,) in cursor.fetchall() if "paused_days" in definition]
    assert checks == ["CHECK ((paused_days >= 0))"]
