"""The handling time stored on each dossier when it is written, and kept right when the holidays change."""

import datetime as dt
import math
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cchc_portal.lib.workdays import working_days_between, working_minutes_between
from dossiers.generate import write_export
from dossiers.importing import import_file, recompute_all_summaries
from dossiers.importing.summaries import calendar_fingerprint, office_windows
from dossiers.models import (
    Dossier,
    HandlingFactsBasis,
    HandlingTimeSummary,
    Holiday,
    Outcome,
    ProvinceHandlingTimeSummary,
)

from .conftest import dossier, handling_tables

pytestmark = pytest.mark.django_db

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
FINISHED = {Outcome.EARLY, Outcome.ON_TIME, Outcome.LATE}


def _expected(row: Dossier, holidays, windows) -> tuple[int | None, int | None, int | None]:
    """The handling time by lib.workdays: receipt to the first of processed and result returned."""
    if row.outcome not in FINISHED:
        return None, None, None
    end = row.finished_at
    if row.returned_at is not None and end is not None and row.returned_at < end:
        end = row.returned_at
    if end is None:
        return None, None, None
    minutes = math.floor((end - row.received_at).total_seconds() / 60 + 0.5)
    days = working_days_between(row.received_at.astimezone(VIETNAM).date(), end.astimezone(VIETNAM).date(), holidays)
    return minutes, days, working_minutes_between(row.received_at, end, holidays, windows)


def _stored_and_expected():
    holidays, windows = Holiday.dates(), office_windows()
    stored, expected = {}, {}
    for row in Dossier.objects.all():
        stored[row.receipt_number] = (row.handling_minutes, row.handling_working_days, row.handling_working_minutes)
        expected[row.receipt_number] = _expected(row, holidays, windows)
    return stored, expected


# The parsers compute the facts as they read a row: the column path (CSV) in polars, the row
# parser (.xlsx, and the rows the column path hands over) in Python; both must give the reference.
@pytest.mark.parametrize("engine", ["columns", "rows"])
def test_every_dossier_stores_the_handling_time_lib_workdays_gives(province, communes, agency, tmp_path, engine):
    # Receipts from June to October 2025: weekends, National Day (1-2/9), returns before processing.
    first = tmp_path / "a.csv"
    write_export(str(first), province=province, rows=600, end=dt.date(2025, 9, 30), seed=5)
    import_file(str(first), today=dt.date(2025, 10, 1), engine=engine)
    later = tmp_path / "b.csv"  # a second import into the first one
    write_export(str(later), province=province, rows=900, end=dt.date(2025, 10, 31), seed=5)
    import_file(str(later), today=dt.date(2025, 11, 1), engine=engine)
    stored, expected = _stored_and_expected()
    assert len(stored) == 1500
    finished = [key for key, facts in expected.items() if facts[0] is not None]
    # Weekends and holidays make working days fewer than calendar days for some of them; nights, lunch
    # breaks, weekends and holidays make working minutes fewer than elapsed minutes.
    assert len(finished) > 300 and any(days < minutes // 1440 for minutes, days, _w in (expected[k] for k in finished))
    assert sum(1 for k in finished if 0 < expected[k][2] < expected[k][0]) > 300
    assert stored == expected


@pytest.mark.parametrize("office_hours", [[("08:00", "12:00"), ("13:30", "17:30")], [("00:00", "24:00")]])
def test_the_stored_working_minutes_follow_the_office_hours_setting(
    province, communes, agency, tmp_path, settings, office_hours
):
    settings.CCHC_OFFICE_HOURS = office_hours
    path = tmp_path / "a.csv"
    write_export(str(path), province=province, rows=300, end=dt.date(2025, 9, 30), seed=7)
    import_file(str(path), today=dt.date(2025, 10, 1))
    stored, expected = _stored_and_expected()
    assert stored == expected and any(facts[2] for facts in stored.values())


def _import_across_national_day(import_dossiers) -> None:
    # Fri 29/08/2025 -> Wed 03/09/2025 over the weekend and National Day (1-2/9): 1 working day.
    import_dossiers(
        [dossier("N", received="29/08/2025 08:00", due="05/09/2025 17:00", finished="03/09/2025 08:00")],
        today=dt.date(2025, 10, 1),
    )
    # Working minutes: Fri 08:00-17:00 (3.5 h + 4 h) and Wed 07:30-08:00.
    assert (Dossier.objects.get().handling_working_days, Dossier.objects.get().handling_working_minutes) == (1, 480)


def test_a_holiday_added_later_refreshes_the_stored_days_and_the_summaries(
    import_dossiers, django_capture_on_commit_callbacks
):
    _import_across_national_day(import_dossiers)
    # A day off decided later (3/9), and a second change in the same transaction: one recompute after the commit.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        Holiday.objects.create(date=dt.date(2025, 9, 3), name="Nghỉ bù")
        Holiday.objects.create(date=dt.date(2025, 9, 4), name="Nghỉ bù")
    assert [c.__name__ for c in callbacks].count("_queue_recompute") == 1
    assert Dossier.objects.get().handling_working_days == 0
    assert (HandlingTimeSummary.objects.get().handling_working_days,
            ProvinceHandlingTimeSummary.objects.get().handling_working_days) == (0, 0)  # fmt: skip
    # Wednesday is a holiday now: Friday's 450 minutes only.
    assert Dossier.objects.get().handling_working_minutes == 450
    assert (HandlingTimeSummary.objects.get().handling_working_minutes,
            ProvinceHandlingTimeSummary.objects.get().handling_working_minutes) == (450, 450)  # fmt: skip


def test_a_holiday_removed_refreshes_the_stored_days_and_the_summaries(
    import_dossiers, django_capture_on_commit_callbacks
):
    _import_across_national_day(import_dossiers)
    with django_capture_on_commit_callbacks(execute=True):
        Holiday.objects.get(date=dt.date(2025, 9, 2)).delete()
    assert Dossier.objects.get().handling_working_days == 2
    assert (HandlingTimeSummary.objects.get().handling_working_days,
            ProvinceHandlingTimeSummary.objects.get().handling_working_days) == (2, 2)  # fmt: skip
    assert Dossier.objects.get().handling_working_minutes == 450 + 480 + 30  # Tuesday 2/9 is a working day now
    assert (HandlingTimeSummary.objects.get().handling_working_minutes,
            ProvinceHandlingTimeSummary.objects.get().handling_working_minutes) == (960, 960)  # fmt: skip


def test_the_full_recompute_restores_missing_stored_facts_and_sums_them_as_the_deltas_did(
    province, communes, agency, tmp_path
):
    path = tmp_path / "a.csv"
    write_export(str(path), province=province, rows=400, end=dt.date(2025, 9, 30), seed=3)
    import_file(str(path), today=dt.date(2025, 10, 1))
    by_deltas = handling_tables()
    stored, _expected_facts = _stored_and_expected()
    # As migrations 0013 and 0014 find the dossiers stored before them: no facts (and no basis recorded).
    Dossier.objects.update(handling_minutes=None, handling_working_days=None, handling_working_minutes=None)
    assert not HandlingFactsBasis.objects.exists()
    recompute_all_summaries()
    assert _stored_and_expected()[0] == stored
    assert handling_tables() == by_deltas


def test_a_reimport_that_changes_nothing_computes_no_summary_delta(import_dossiers):
    rows = [
        dossier("A", received="02/06/2025 08:00", due="03/06/2025 17:00", finished="04/06/2025 10:00"),
        dossier("B", received="06/06/2025 08:00", due="09/06/2025 17:00"),
    ]
    import_dossiers(rows)
    before = handling_tables()
    with CaptureQueriesContext(connection) as queries:
        report = import_dossiers(rows)
    assert (report.inserted, report.updated, report.unchanged, report.touched_keys) == (0, 0, 2, 0)
    summary_work = [q["sql"] for q in queries.captured_queries
                    if "CREATE TEMP TABLE" in q["sql"] and "_delta" in q["sql"] or "summary SET" in q["sql"]]  # fmt: skip
    assert summary_work == []
    assert handling_tables() == before
    # One row changed: only its difference moves the summaries (A now takes 5 working days).
    rows[0] = dossier("A", received="02/06/2025 08:00", due="03/06/2025 17:00", finished="09/06/2025 10:00")
    report = import_dossiers(rows)
    assert (report.updated, report.unchanged) == (1, 1)
    assert HandlingTimeSummary.objects.get().handling_working_days == 5


def test_migration_0014_fills_the_working_minutes_of_dossiers_and_summaries_stored_before_it(
    province, communes, agency, tmp_path
):
    import importlib
    from types import SimpleNamespace

    fill = importlib.import_module("dossiers.migrations.0014_working_minutes_handling_fact").fill_working_minutes
    path = tmp_path / "a.csv"
    write_export(str(path), province=province, rows=400, end=dt.date(2025, 9, 30), seed=4)
    import_file(str(path), today=dt.date(2025, 10, 1))
    stored, tables = _stored_and_expected()[0], handling_tables()
    assert any(facts[2] for facts in stored.values())
    # As the migration finds them: the new column NULL on the dossiers, 0 in the summaries.
    Dossier.objects.update(handling_working_minutes=None)
    HandlingTimeSummary.objects.update(handling_working_minutes=0)
    ProvinceHandlingTimeSummary.objects.update(handling_working_minutes=0)
    fill(None, SimpleNamespace(connection=connection))
    assert _stored_and_expected()[0] == stored
    assert handling_tables() == tables


def _fact_updates(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE dossiers_dossier SET handling")]


def test_a_recompute_refreshes_the_stored_facts_only_after_the_calendar_changed(
    province, communes, agency, tmp_path, settings
):
    path = tmp_path / "a.csv"
    write_export(str(path), province=province, rows=300, end=dt.date(2025, 9, 30), seed=8)
    import_file(str(path), today=dt.date(2025, 10, 1))
    recompute_all_summaries()  # the first one refreshes (no basis yet) and records the basis
    assert HandlingFactsBasis.objects.get().fingerprint == calendar_fingerprint()
    # A fact made wrong behind the portal's back: the nightly recompute, same calendar, leaves the
    # million-row refresh out; the repair option refreshes anyway.
    wrong = Dossier.objects.filter(handling_working_days__gt=0).first()
    Dossier.objects.filter(pk=wrong.pk).update(handling_working_days=999)
    with CaptureQueriesContext(connection) as queries:
        recompute_all_summaries()
    assert _fact_updates(queries) == [] and Dossier.objects.get(pk=wrong.pk).handling_working_days == 999
    recompute_all_summaries(refresh_facts=True)
    assert Dossier.objects.get(pk=wrong.pk).handling_working_days == wrong.handling_working_days
    # Other office hours: a new basis, so the next recompute refreshes every working-minute fact.
    settings.CCHC_OFFICE_HOURS = [("08:00", "12:00"), ("13:30", "17:30")]
    assert HandlingFactsBasis.objects.get().fingerprint != calendar_fingerprint()
    with CaptureQueriesContext(connection) as queries:
        recompute_all_summaries()
    assert len(_fact_updates(queries)) == 1
    stored, expected = _stored_and_expected()
    assert stored == expected and HandlingFactsBasis.objects.get().fingerprint == calendar_fingerprint()


def test_a_holiday_changed_and_changed_back_before_the_recompute_still_refreshes(
    import_dossiers, django_capture_on_commit_callbacks
):
    _import_across_national_day(import_dossiers)
    recompute_all_summaries()
    # 3/9 made a day off and the recompute it queues never runs (a broker outage); a dossier is
    # imported across it meanwhile, with 3/9 off; then the day is taken back.
    with django_capture_on_commit_callbacks(execute=False):
        Holiday.objects.create(date=dt.date(2025, 9, 3), name="Nghỉ bù")
    import_dossiers(
        [dossier("M", received="29/08/2025 09:00", due="05/09/2025 17:00", finished="04/09/2025 09:00")],
        today=dt.date(2025, 10, 1),
    )
    assert Dossier.objects.get(receipt_number__endswith="M").handling_working_days == 1
    with django_capture_on_commit_callbacks(execute=False):
        Holiday.objects.get(date=dt.date(2025, 9, 3)).delete()
    # The calendar is the one of the recorded basis again, but the basis was cleared: refreshed.
    recompute_all_summaries()
    assert Dossier.objects.get(receipt_number__endswith="M").handling_working_days == 2
    stored, expected = _stored_and_expected()
    assert stored == expected
