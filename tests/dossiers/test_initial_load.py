"""`import_dossiers --initial`: first load of a province, indexes built after the load when the table is empty."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from dossiers.generate import write_export
from dossiers.importing import import_file, recompute_all_summaries
from dossiers.importing.initial import secondary_indexes
from dossiers.models import Dossier, DossierSummary

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

END = dt.date(2025, 10, 31)


def _index_oids() -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT c.relname, c.oid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
               WHERE i.indrelid = 'dossiers_dossier'::regclass"""
        )
        return dict(cursor.fetchall())


def _index_shapes() -> list:
    """Name, key columns, INCLUDE width and whether partial, of every index (PostgreSQL re-spells predicates)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT c.relname, i.indkey::text, i.indnkeyatts, i.indpred IS NOT NULL, i.indisunique, i.indisvalid
               FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
               WHERE i.indrelid = 'dossiers_dossier'::regclass ORDER BY 1"""
        )
        return cursor.fetchall()


def _summaries() -> list:
    return sorted(DossierSummary.objects.values_list(*[f.attname for f in DossierSummary._meta.fields][1:]))


def test_a_first_load_into_an_empty_table_rebuilds_the_secondary_indexes(province, communes, tmp_path, capsys):
    path = tmp_path / "export.csv"
    write_export(str(path), province=province, rows=2000, end=END, seed=3)
    before_defs, before_oids, before_shapes = secondary_indexes(), _index_oids(), _index_shapes()
    assert before_defs  # the late list's and the overdue job's partial indexes
    call_command("import_dossiers", str(path), "--initial", "--province", province.code)
    assert "dropped and rebuilt" in capsys.readouterr().out
    assert Dossier.objects.filter(province=province).count() == 2000
    after_oids = _index_oids()
    assert _index_shapes() == before_shapes  # the same indexes, built again
    assert set(after_oids) == set(before_oids)
    rebuilt = {name for name, _definition in before_defs}
    assert all(after_oids[name] != before_oids[name] for name in rebuilt)
    assert all(after_oids[name] == before_oids[name] for name in set(before_oids) - rebuilt)  # keys stay
    summaries = _summaries()
    recompute_all_summaries()
    assert summaries and _summaries() == summaries


def test_initial_on_a_shared_table_keeps_the_indexes(province, other_province, communes, tmp_path, capsys):
    other = tmp_path / "other.csv"
    write_export(str(other), province=other_province, rows=300, end=END, seed=5)
    import_file(str(other))  # another province's dossiers share the table
    path = tmp_path / "export.csv"
    write_export(str(path), province=province, rows=500, end=END, seed=6)
    before = _index_oids()
    call_command("import_dossiers", str(path), "--initial", "--province", province.code)
    assert "kept" in capsys.readouterr().out
    assert _index_oids() == before
    assert Dossier.objects.filter(province=province).count() == 500
    assert Dossier.objects.filter(province=other_province).count() == 300


def test_initial_is_refused_in_vietnamese_when_the_province_has_dossiers(province, communes, tmp_path):
    path = tmp_path / "export.csv"
    write_export(str(path), province=province, rows=200, end=END, seed=7)
    import_file(str(path))
    before = _index_oids()
    with pytest.raises(CommandError, match="đã có hồ sơ"):
        call_command("import_dossiers", str(path), "--initial", "--province", province.code)
    assert _index_oids() == before
    with pytest.raises(CommandError, match="--province"):
        call_command("import_dossiers", str(path), "--initial")
