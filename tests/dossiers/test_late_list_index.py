"""The late list's page is read in its sort order off an index, not sorted (issue 13)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dossiers.generate import write_export
from dossiers.importing import import_file
from dossiers.models import Dossier


def _page_plan(client, user, province, tmp_path, query: str) -> list[str]:
    """EXPLAIN of the late list page's own query, with 2,000 generated dossiers of 2025 imported.

    The table is small: without scans and sorts turned off the planner would read it whole or sort the
    few late rows; the question is whether an index gives the list's order, and where its scan starts."""
    path = tmp_path / "export.csv"
    write_export(str(path), province=province, rows=2000, end=dt.date(2025, 12, 31), seed=9)
    import_file(str(path), today=dt.date(2026, 1, 1))
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("dossiers:late_list") + query)
    (page_query,) = [q["sql"] for q in queries if "ORDER BY" in q["sql"] and '"dossiers_dossier"' in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        # Statistics left by earlier tests can make "another index, then sort 64 rows" the cheaper plan;
        # with sorting off a Sort still shows when no index has the order.
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute(f"EXPLAIN {page_query}")
        return [line for (line,) in cursor.fetchall()]


@pytest.mark.postgres
def test_a_late_list_page_walks_the_index_in_list_order_without_a_sort(client, leader, province, communes, tmp_path):
    plan = "\n".join(_page_plan(client, leader, province, tmp_path, "?from=2025-01&to=2025-12"))

    assert "dossier_late_in_list_order" in plan
    assert "Sort" not in plan


@pytest.mark.postgres
def test_a_late_list_page_of_a_later_period_starts_its_index_scan_at_the_period(
    client, leader, province, communes, tmp_path
):
    # Without a bound on the due day the scan walked every late dossier due before the period
    # (bench/dossiers_scale.py: 28,838 buffers and 245 ms for 50 rows at 10M dossiers).
    plan = _page_plan(client, leader, province, tmp_path, "?from=2025-07&to=2025-12")

    start = next(i for i, line in enumerate(plan) if "dossier_late_in_list_order" in line)
    index_condition = next(line for line in plan[start:] if "Index Cond" in line)
    assert "due_date >=" in index_condition


@pytest.mark.django_db
def test_the_late_list_of_a_period_shows_its_late_dossiers_in_due_order(client, leader, province, communes, tmp_path):
    path = tmp_path / "export.csv"
    write_export(str(path), province=province, rows=6000, end=dt.date(2025, 12, 31), seed=9)
    import_file(str(path), today=dt.date(2026, 1, 1))
    expected = list(
        Dossier.objects.late_or_overdue()
        .filter(received_month__gte=dt.date(2025, 7, 1), received_month__lte=dt.date(2025, 12, 1))
        .order_by("due_date", "id")
        .values_list("pk", flat=True)
    )
    client.force_login(leader)

    shown = []
    for number in range(1, -(-len(expected) // 50) + 1):
        response = client.get(reverse("dossiers:late_list"), {"from": "2025-07", "to": "2025-12", "page": number})
        shown += [dossier.pk for dossier in response.context["page"].object_list]

    assert len(expected) > 50
    assert shown == expected
