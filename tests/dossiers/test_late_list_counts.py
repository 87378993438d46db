"""The late list counts from the summary table, never COUNT(*) over the dossiers (issue 13)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dossiers.generate import write_export
from dossiers.importing import import_file, refresh_overdue
from dossiers.models import Dossier, DossierSummary, Outcome

pytestmark = pytest.mark.django_db


def _import(province, tmp_path, *, rows: int, end: dt.date, name: str) -> None:
    path = tmp_path / name
    write_export(str(path), province=province, rows=rows, end=end, seed=9)
    import_file(str(path), today=end + dt.timedelta(days=1))


def _page_count(client, **params) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("dossiers:late_list"), {"from": "2025-01", "to": "2025-12", **params})
    counts = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper() and '"dossiers_dossier"' in q["sql"]]
    return response.context["page"].paginator.count, counts


def _expected(**filters) -> int:
    rows = Dossier.objects.late_or_overdue().filter(received_month__year=2025)
    return rows.filter(**filters).count()


def test_the_late_list_counts_match_the_dossiers_under_every_filter_without_counting_them(
    client, leader, province, communes, agency, home_affairs, tmp_path
):
    _import(province, tmp_path, rows=1500, end=dt.date(2025, 10, 31), name="a.csv")
    # A later export of the same receipts, then the daily job: outcomes move, counts follow by deltas.
    _import(province, tmp_path, rows=2000, end=dt.date(2025, 12, 31), name="b.csv")
    refresh_overdue(dt.date(2026, 1, 20))
    dossier = Dossier.objects.late_or_overdue().exclude(agency=None).first()
    client.force_login(leader)

    cases = [
        ({}, {}),
        ({"outcome": "late"}, {"outcome": Outcome.LATE}),
        ({"outcome": "overdue"}, {"outcome": Outcome.OVERDUE}),
        ({"agency": dossier.agency_id}, {"agency_id": dossier.agency_id}),
        ({"unit": communes[1].pk}, {"receiving_unit_id": communes[1].pk}),
        ({"unit": communes[1].pk, "outcome": "overdue"}, {"receiving_unit_id": communes[1].pk, "outcome": "overdue"}),
    ]
    for params, filters in cases:
        count, dossier_counts = _page_count(client, **params)
        assert count == _expected(**filters), params
        assert dossier_counts == [], params
    assert _expected(outcome=Outcome.LATE) > 0 and _expected(outcome=Outcome.OVERDUE) > 0


def test_a_receipt_search_is_counted_over_the_dossiers_and_a_bad_filter_counts_nothing(
    client, leader, province, communes, tmp_path
):
    _import(province, tmp_path, rows=600, end=dt.date(2025, 12, 31), name="a.csv")
    client.force_login(leader)
    receipt = Dossier.objects.late_or_overdue().first().receipt_number
    count, dossier_counts = _page_count(client, q=receipt)
    assert count == 1 and len(dossier_counts) == 1
    assert _page_count(client, unit="x1")[0] == 0


def test_another_provinces_summaries_do_not_count(client, leader, province, communes, other_province, tmp_path):
    _import(province, tmp_path, rows=600, end=dt.date(2025, 12, 31), name="a.csv")
    mine = _expected()
    # Summary rows of another province (as a second province's import would leave them).
    for summary in DossierSummary.objects.all():
        summary.pk, summary.province_id = None, other_province.pk
        summary.receiving_unit_id = other_province.pk
        summary.save()
    client.force_login(leader)
    assert _page_count(client)[0] == mine


def test_the_migration_fills_the_counts_of_summaries_stored_before_it(province, communes, tmp_path):
    import importlib

    backfill = importlib.import_module("dossiers.migrations.0010_summary_late_counts_by_receipt").BACKFILL
    _import(province, tmp_path, rows=600, end=dt.date(2025, 12, 31), name="a.csv")
    right = sorted(DossierSummary.objects.values_list("pk", "late_by_receipt", "overdue_by_receipt"))
    DossierSummary.objects.update(late_by_receipt=0, overdue_by_receipt=0)
    with connection.cursor() as cursor:
        cursor.execute(backfill)
    assert sorted(DossierSummary.objects.values_list("pk", "late_by_receipt", "overdue_by_receipt")) == right
