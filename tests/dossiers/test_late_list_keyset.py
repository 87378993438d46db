"""The late list's Next / Previous links page by the list's sort key, not by OFFSET (issue 13)."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dossiers.generate import write_export
from dossiers.importing import import_file
from dossiers.models import Dossier

pytestmark = pytest.mark.django_db
URL = reverse("dossiers:late_list")
PERIOD = {"from": "2025-01", "to": "2025-12"}


@pytest.fixture
def imported(province, communes, tmp_path):
    path = tmp_path / "export.csv"
    write_export(str(path), province=province, rows=6000, end=dt.date(2025, 12, 31), seed=9)
    import_file(str(path), today=dt.date(2026, 1, 1))


def _expected(**filters) -> list[int]:
    rows = Dossier.objects.late_or_overdue().filter(received_month__year=2025, **filters)
    return list(rows.order_by("due_date", "id").values_list("pk", flat=True))


def _link(response, rel: str) -> str | None:
    found = re.search(rf'<a href="([^"]+)" rel="{rel}">', response.content.decode())
    return URL + html.unescape(found.group(1)) if found else None


def _walk(client, first_url: str) -> tuple[list[list[int]], list]:
    """Every page from the first by the Next links: the ids of each page, and the responses."""
    pages, responses, url = [], [], first_url
    while url:
        response = client.get(url)
        assert response.status_code == 200
        pages.append([dossier.pk for dossier in response.context["page"]])
        responses.append(response)
        url = _link(response, "next")
    return pages, responses


def test_next_links_show_every_late_dossier_once_in_order_and_previous_links_come_back(client, leader, imported):
    expected = _expected()
    client.force_login(leader)
    pages, responses = _walk(client, URL + "?from=2025-01&to=2025-12")

    assert len(pages) >= 4 and all(len(page) == 50 for page in pages[:-1])
    assert [pk for page in pages for pk in page] == expected  # nothing repeated, nothing skipped
    assert [r.context["page"].number for r in responses] == list(range(1, len(pages) + 1))
    assert "after=" in _link(responses[2], "next")  # deep pages by key, not by OFFSET
    assert f"Trang {len(pages)}/{len(pages)}" in responses[-1].content.decode()

    back, url = [], _link(responses[-1], "prev")
    while url:
        response = client.get(url)
        back.append([dossier.pk for dossier in response.context["page"]])
        url = _link(response, "prev")
    assert back == pages[-2::-1]


def test_days_shared_by_many_dossiers_are_split_between_pages_without_a_gap(client, leader, imported):
    expected = _expected()
    due = dict(Dossier.objects.filter(pk__in=expected).values_list("pk", "due_date"))
    client.force_login(leader)
    pages, _responses = _walk(client, URL + "?from=2025-01&to=2025-12")
    # A due day on both sides of a page boundary: the key's id part decides where the next page starts.
    assert any(due[page[-1]] == due[following[0]] for page, following in zip(pages, pages[1:], strict=False))
    assert [pk for page in pages for pk in page] == expected


def test_a_commune_user_walks_only_their_communes_late_dossiers(client, make_user, communes, imported):
    quy_nhon = communes[0]
    client.force_login(make_user("commune_viewer", "viewer", units=[quy_nhon]))
    pages, _responses = _walk(client, URL + "?province=52&from=2025-01&to=2025-12")
    assert [pk for page in pages for pk in page] == _expected(receiving_unit=quy_nhon)


def test_a_key_from_another_province_or_a_bad_key_changes_nothing(client, leader, outsider, province, imported):
    dossier = Dossier.objects.get(pk=_expected()[120])
    key = f"{dossier.due_date.isoformat()}.{dossier.pk}"
    client.force_login(outsider)
    assert client.get(URL, {**PERIOD, "province": province.code, "after": key}).status_code == 404
    client.force_login(leader)
    for bad in ("x", "2025-13-01.5", "2025-01-01.", "2025-01-01.99999999999999999999", "2025-01-01.-4"):
        response = client.get(URL, {**PERIOD, "after": bad, "page": "7"})
        assert response.status_code == 200
    first = [d.pk for d in client.get(URL, {**PERIOD, "before": "bad"}).context["page"]]
    assert first == _expected()[:50]


def test_a_deep_page_runs_the_same_queries_as_the_first(client, leader, imported, django_assert_num_queries):
    client.force_login(leader)
    client.get(URL, PERIOD)  # the session and user
    expected = _expected()
    last_of_page_3 = Dossier.objects.get(pk=expected[149])
    deep = {**PERIOD, "page": "4", "after": f"{last_of_page_3.due_date.isoformat()}.{last_of_page_3.pk}"}
    # session, user, scope (2), province, the count from the summaries, the page's rows, the agencies
    with django_assert_num_queries(8):
        first = client.get(URL, PERIOD)
    with django_assert_num_queries(8):
        response = client.get(URL, deep)
    assert first.status_code == response.status_code == 200
    assert [d.pk for d in response.context["page"]] == expected[150:200]


@pytest.mark.postgres
def test_a_deep_page_starts_its_index_scan_at_its_key(client, leader, province, imported):
    dossier = Dossier.objects.get(pk=_expected()[149])
    client.force_login(leader)
    with CaptureQueriesContext(connection) as queries:
        client.get(URL, {**PERIOD, "page": 4, "after": f"{dossier.due_date.isoformat()}.{dossier.pk}"})
    (page_query,) = [q["sql"] for q in queries if "ORDER BY" in q["sql"] and '"dossiers_dossier"' in q["sql"]]
    with connection.cursor() as cursor:
        for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort"):  # a small table, as in the index test
            cursor.execute(f"SET LOCAL {setting} = off")
        cursor.execute(f"EXPLAIN {page_query}")
        plan = [line for (line,) in cursor.fetchall()]
    assert "Sort" not in "\n".join(plan) and "OFFSET" not in page_query.upper()
    start = next(i for i, line in enumerate(plan) if "dossier_late_in_list_order" in line)
    index_condition = next(line for line in plan[start:] if "Index Cond" in line)
    assert f"due_date >= '{dossier.due_date.isoformat()}'" in index_condition


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_leader_pages_forward_and_back_in_a_browser_at_1366_and_390_px(
    live_server, page, browser_login, leader, province, communes, tmp_path, artifacts_dir
):
    path = tmp_path / "export.csv"
    write_export(str(path), province=province, rows=6000, end=dt.date(2025, 12, 31), seed=9)
    import_file(str(path), today=dt.date(2026, 1, 1))
    expected = _expected()
    browser_login(page, leader)
    for width, height in ((1366, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{live_server.url}{URL}?from=2025-01&to=2025-12")
        for _ in range(2):
            page.click("a[rel=next]")
        assert "after=" in page.url
        pages = page.inner_text("[data-testid=late-pages]")
        assert f"Trang 3/{-(-len(expected) // 50)}" in pages and "Trang đầu" in pages
        first_receipt = page.locator("[data-testid=late-table] tbody tr td").first.inner_text()
        assert first_receipt == Dossier.objects.get(pk=expected[100]).receipt_number
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        # The receipt number and the dates stay on one line (the table scrolls in its box on a phone).
        lines = page.evaluate(
            """() => [...document.querySelectorAll('[data-testid=late-table] tbody tr:first-child td')].map(td => {
                const range = document.createRange(); range.selectNodeContents(td);
                return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size; })"""
        )
        assert lines[0] == lines[4] == lines[5] == 1, lines
        page.locator("[data-testid=late-pages]").screenshot(path=str(artifacts_dir / f"late-pages-{width}.png"))
        page.click("a[rel=prev]")
        assert "Trang 2/" in page.inner_text("[data-testid=late-pages]")
        assert page.locator("[data-testid=late-table] tbody tr td").first.inner_text() == (
            Dossier.objects.get(pk=expected[50]).receipt_number
        )
