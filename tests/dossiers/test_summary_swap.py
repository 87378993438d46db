"""A full summary recompute repairs the table without making a reader wait (issue 13)."""

from __future__ import annotations

import datetime as dt
import threading
import time

import psycopg2
import pytest
from django.db import connection, connections

from dossiers.generate import write_export
from dossiers.importing import import_file, recompute_all_summaries
from dossiers.models import Dossier, DossierSummary


def _snapshot() -> list[tuple]:
    return sorted(DossierSummary.objects.values_list(
        "receiving_unit_id", "agency_id", "month", "channel", "procedure_level", "received", "closed",
        "finished_late", "overdue_opened", "svc_online", "late_by_receipt", "overdue_by_receipt",
    ))  # fmt: skip


def _import(province, tmp_path, rows: int = 600) -> None:
    path = tmp_path / "export.csv"
    write_export(str(path), province=province, rows=rows, end=dt.date(2025, 10, 31), seed=3)
    import_file(str(path), today=dt.date(2025, 11, 1))


def test_a_full_recompute_repairs_wrong_missing_and_stray_summary_rows(province, communes, tmp_path):
    _import(province, tmp_path)
    right = _snapshot()
    first, second, third = DossierSummary.objects.order_by("pk")[:3]
    DossierSummary.objects.filter(pk=first.pk).update(received=first.received + 7)
    DossierSummary.objects.filter(pk=second.pk).delete()
    DossierSummary.objects.filter(pk=third.pk).update(month=dt.date(2001, 1, 1))  # a stray key
    assert _snapshot() != right

    assert recompute_all_summaries() == len(right)

    assert _snapshot() == right


def test_a_recompute_that_finds_the_summaries_right_rewrites_no_row(province, communes, tmp_path):
    _import(province, tmp_path)
    ids = sorted(DossierSummary.objects.values_list("pk", flat=True))
    recompute_all_summaries()
    assert sorted(DossierSummary.objects.values_list("pk", flat=True)) == ids


def _connect():
    db = connection.settings_dict
    return psycopg2.connect(
        dbname=db["NAME"], user=db["USER"], password=db.get("PASSWORD") or "", host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
    )  # fmt: skip


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_dashboard_reader_gets_the_old_figures_at_once_while_a_recompute_swaps_them(province, communes, tmp_path):
    _import(province, tmp_path, rows=5_000)
    stored = Dossier.objects.count()
    wrong = DossierSummary.objects.order_by("pk").first()
    DossierSummary.objects.filter(pk=wrong.pk).update(received=wrong.received + 7)

    # A third session holds the wrong row: the recompute's swap stops on it, its transaction open.
    holder = _connect()
    holder.cursor().execute("SELECT 1 FROM dossiers_dossiersummary WHERE id = %s FOR UPDATE", [wrong.pk])
    failures, pids = [], []

    def recompute():
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                pids.append(cursor.fetchone()[0])
            recompute_all_summaries()
        except Exception as error:  # reported by the test thread below
            failures.append(error)
        finally:
            connections.close_all()

    worker = threading.Thread(target=recompute)
    worker.start()
    reader = _connect()
    reader.autocommit = True  # else pg_stat_activity is read once per transaction
    try:
        with reader.cursor() as cursor:
            # Wait until the recompute is inside its swap, blocked on the held row.
            for _attempt in range(600):
                cursor.execute(
                    "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND pid = ANY(%s)", [pids]
                )
                recomputing = cursor.fetchone()
                if recomputing or not worker.is_alive():
                    break
                time.sleep(0.05)
            assert recomputing, failures or "the recompute never reached its swap"

            # A dashboard read: never waits (a lock_timeout turns a wait into an error, not a hang).
            cursor.execute("SET lock_timeout = '20s'")
            cursor.execute("SELECT sum(received) FROM dossiers_dossiersummary")
            assert cursor.fetchone()[0] == stored + 7  # the old figures, the wrong one included
            cursor.execute("SELECT state FROM pg_stat_activity WHERE pid = %s", [recomputing[0]])
            assert cursor.fetchone()[0] == "active"  # the recompute's transaction is still open
            assert worker.is_alive()
    finally:
        holder.rollback()
        holder.close()
        worker.join()
        reader.close()
    assert not failures
    assert sum(DossierSummary.objects.values_list("received", flat=True)) == stored
