"""An import and a recompute leave the planner's statistics fresh: they ANALYZE what they changed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from dossiers.generate import write_export
from dossiers.importing import import_file, recompute_all_summaries

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _analyze_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            """SELECT relname, analyze_count FROM pg_stat_user_tables
               WHERE relname IN ('dossiers_dossier', 'dossiers_dossiersummary')"""
        )
        return dict(cursor.fetchall())


def test_an_import_analyzes_the_dossier_and_summary_tables(province, communes, tmp_path):
    path = tmp_path / "export.csv"
    write_export(str(path), province=province, rows=300, end=dt.date(2025, 10, 31), seed=4)
    before = _analyze_counts()
    import_file(str(path), today=dt.date(2025, 11, 1))
    after = _analyze_counts()
    assert after["dossiers_dossier"] > before.get("dossiers_dossier", 0)
    assert after["dossiers_dossiersummary"] > before.get("dossiers_dossiersummary", 0)


def test_a_full_recompute_analyzes_the_summary_table(province, communes, tmp_path):
    path = tmp_path / "export.csv"
    write_export(str(path), province=province, rows=300, end=dt.date(2025, 10, 31), seed=4)
    import_file(str(path), today=dt.date(2025, 11, 1))
    before = _analyze_counts()
    recompute_all_summaries()
    assert _analyze_counts()["dossiers_dossiersummary"] > before["dossiers_dossiersummary"]


def test_a_dry_run_analyzes_nothing(province, communes, tmp_path):
    path = tmp_path / "export.csv"
    write_export(str(path), province=province, rows=50, end=dt.date(2025, 10, 31), seed=4)
    before = _analyze_counts()
    import_file(str(path), today=dt.date(2025, 11, 1), dry_run=True)
    assert _analyze_counts() == before
