"""The late list's page is read in its sort order off an index, not sorted (issue 13)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dossiers.generate import write_export
from dossiers.importing import import_file


@pytest.mark.postgres
def test_a_late_list_page_walks_the_index_in_list_order_without_a_sort(client, leader, province, communes, tmp_path):
    path = tmp_path / "export.csv"
    write_export(str(path), province=province, rows=2000, end=dt.date(2025, 12, 31), seed=9)
    import_file(str(path), today=dt.date(2026, 1, 1))
    client.force_login(leader)
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("dossiers:late_list") + "?from=2025-01&to=2025-12")
    (page_query,) = [q["sql"] for q in queries if "ORDER BY" in q["sql"] and '"dossiers_dossier"' in q["sql"]]

    with connection.cursor() as cursor:
        # A small table would be read whole; the question is whether an index gives this order.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute(f"EXPLAIN {page_query}")
        plan = "\n".join(line for (line,) in cursor.fetchall())

    assert "dossier_late_in_list_order" in plan
    assert "Sort" not in plan
