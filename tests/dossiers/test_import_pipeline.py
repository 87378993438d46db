import csv
import datetime as dt

import pytest

from dossiers.generate import write_export
from dossiers.importing import Scope, import_file, recompute_all_summaries, refresh_overdue
from dossiers.models import Dossier, DossierSummary, Outcome, Procedure, Status

from .conftest import TODAY, row

pytestmark = pytest.mark.django_db


def _summary_snapshot():
    return sorted(
        DossierSummary.objects.values_list(
            "receiving_unit_id", "agency_id", "month", "channel", "procedure_level", "received", "closed",
            "finished_early", "finished_on_time", "finished_late", "overdue_opened", "overdue_closed",
        ),
        key=repr,
    )  # fmt: skip


def test_a_generated_export_with_bad_rows_imports_the_rest_and_writes_the_error_file(
    province, communes, agency, tmp_path
):
    path = tmp_path / "gen.csv"
    write_export(str(path), province=province, rows=1500, end=dt.date(2025, 12, 31), bad_rows=7, seed=3)
    errors = tmp_path / "errors.csv"
    info, report = import_file(str(path), errors_path=str(errors), today=dt.date(2026, 1, 1))
    assert report.total_rows == 1500
    assert report.error_rows == 7
    assert report.inserted == 1493 == Dossier.objects.count()
    with open(errors, encoding="utf-8-sig") as handle:
        lines = list(csv.reader(handle))
    assert lines[0][:3] == ["Dòng", "Cột", "Lỗi"]
    assert len(lines) == 8
    assert all(line[0].isdigit() and line[2] for line in lines[1:])
    assert "STT" in info.ignored_headers


def test_reimporting_the_same_file_changes_nothing(province, communes, tmp_path):
    path = tmp_path / "gen.csv"
    write_export(str(path), province=province, rows=800, end=dt.date(2025, 12, 31), seed=4)
    import_file(str(path), today=dt.date(2026, 1, 1))
    before_rows = list(Dossier.objects.order_by("pk").values_list("pk", "updated_at", "outcome"))
    before_summary = _summary_snapshot()
    _, report = import_file(str(path), today=dt.date(2026, 1, 1))
    assert (report.inserted, report.updated, report.unchanged) == (0, 0, 800)
    assert report.touched_keys == 0
    assert list(Dossier.objects.order_by("pk").values_list("pk", "updated_at", "outcome")) == before_rows
    assert _summary_snapshot() == before_summary


def test_a_newer_export_updates_the_dossier_and_its_summary(communes, write_csv):
    import_file(str(write_csv([row("HS-1", status="Đang giải quyết")])), today=TODAY)
    dossier = Dossier.objects.get()
    assert dossier.outcome == Outcome.OVERDUE  # due 4/6, still open on 15/7
    newer = write_csv([row("HS-1", finished="10/06/2025 09:00", status="Đã giải quyết")], name="newer.csv")
    _, report = import_file(str(newer), today=TODAY)
    assert (report.inserted, report.updated) == (0, 1)
    dossier.refresh_from_db()
    assert (dossier.status, dossier.outcome) == (Status.FINISHED, Outcome.LATE)
    june = DossierSummary.objects.get(month=dt.date(2025, 6, 1))
    assert (june.received, june.closed, june.finished_late, june.overdue_opened, june.overdue_closed) == (1, 1, 1, 1, 1)


def test_classification_is_by_calendar_day_in_vietnam(communes, write_csv):
    rows = [
        row("EARLY", finished="03/06/2025 10:00"),
        row("ON-TIME-LATE-EVENING", finished="04/06/2025 23:30"),
        # 17:30 UTC on 4/6 is 00:30 on 5/6 in Hà Nội: one day late.
        row("LATE-BY-UTC", finished="2025-06-04T17:30:00Z"),
        row("OPEN", due="20/07/2025 17:00"),
        row("WITHDRAWN", status="Công dân rút hồ sơ", returned="03/06/2025 08:00"),
    ]
    import_file(str(write_csv(rows)), today=TODAY)
    outcomes = dict(Dossier.objects.values_list("receipt_number", "outcome"))
    assert outcomes == {
        "EARLY": Outcome.EARLY,
        "ON-TIME-LATE-EVENING": Outcome.ON_TIME,
        "LATE-BY-UTC": Outcome.LATE,
        "OPEN": Outcome.PENDING,
        "WITHDRAWN": Outcome.NONE,
    }


def test_due_day_comes_from_the_working_day_allowance_and_pauses_move_it(communes, write_csv):
    Procedure.objects.create(code="P3", name="Ba ngày", level="commune", allowance_days=3)
    rows = [
        # Received Tue 29/4/2025; 30/4, 1/5, 2/5 are holidays, then a weekend: 3 working days → Wed 7/5.
        row("NO-DUE", procedure="P3", received="29/04/2025 09:00", due="", finished="07/05/2025 10:00"),
        row("PAUSED", received="02/06/2025 08:00", due="04/06/2025 17:00", paused="2", finished="06/06/2025 10:00"),
    ]
    import_file(str(write_csv(rows)), today=TODAY)
    no_due = Dossier.objects.get(receipt_number="NO-DUE")
    assert no_due.due_date == dt.date(2025, 5, 7)
    assert no_due.outcome == Outcome.ON_TIME
    paused = Dossier.objects.get(receipt_number="PAUSED")
    assert paused.due_date == dt.date(2025, 6, 6)
    assert paused.outcome == Outcome.ON_TIME


def test_a_procedure_with_a_0_day_allowance_is_due_the_day_it_is_received(communes, write_csv):
    Procedure.objects.create(code="P0", name="Trong ngày", level="commune", allowance_days=0)
    rows = [
        row("SAME-DAY", procedure="P0", received="03/06/2025 09:00", due="", finished="03/06/2025 16:00"),
        # Received on a Saturday: due the next working day.
        row("WEEKEND", procedure="P0", received="07/06/2025 09:00", due="", finished="10/06/2025 10:00"),
    ]
    _, report = import_file(str(write_csv(rows)), today=TODAY)
    assert report.inserted == 2, report
    assert Dossier.objects.get(receipt_number="SAME-DAY").due_date == dt.date(2025, 6, 3)
    late = Dossier.objects.get(receipt_number="WEEKEND")
    assert (late.due_date, late.outcome) == (dt.date(2025, 6, 9), Outcome.LATE)


def test_dry_run_writes_nothing(communes, write_csv):
    _, report = import_file(str(write_csv([row("HS-1"), row("HS-2")])), dry_run=True, today=TODAY)
    assert report.inserted == 2
    assert not Dossier.objects.exists()
    assert not DossierSummary.objects.exists()


def test_rows_outside_the_scope_are_refused_as_row_errors(communes, other_province, make_commune, write_csv):
    make_commune(other_province, "22000", "Xã Khác")
    rows = [row("MINE"), row("THEIRS", unit="22000")]
    _, report = import_file(str(write_csv(rows)), scope=Scope([communes[0].province_id]), today=TODAY)
    assert report.error_rows == 1
    assert report.errors_sample[0]["row"] == 5  # title, blank line, header, then the rows
    assert list(Dossier.objects.values_list("receipt_number", flat=True)) == ["MINE"]


def test_incremental_refresh_gives_the_same_summary_as_a_full_recompute(province, communes, tmp_path):
    first = tmp_path / "a.csv"
    write_export(str(first), province=province, rows=600, end=dt.date(2025, 10, 31), seed=5)
    import_file(str(first), today=dt.date(2025, 11, 1))
    later = tmp_path / "b.csv"  # overlaps: same receipt numbers, later state, plus new ones
    write_export(str(later), province=province, rows=900, end=dt.date(2025, 11, 30), seed=5)
    import_file(str(later), today=dt.date(2025, 12, 1))
    incremental = _summary_snapshot()
    recompute_all_summaries()
    assert _summary_snapshot() == incremental


def test_the_daily_job_turns_open_dossiers_past_their_due_day_into_overdue(communes, write_csv):
    import_file(str(write_csv([row("OPEN", due="20/07/2025 17:00")])), today=TODAY)
    assert refresh_overdue(dt.date(2025, 7, 20)) == 0
    assert refresh_overdue(dt.date(2025, 7, 21)) == 1
    dossier = Dossier.objects.get()
    assert (dossier.outcome, dossier.overdue_month) == (Outcome.OVERDUE, dt.date(2025, 7, 1))
    assert DossierSummary.objects.get(month=dt.date(2025, 7, 1)).overdue_opened == 1
    incremental = _summary_snapshot()
    recompute_all_summaries()
    assert _summary_snapshot() == incremental


def _random_row(rng, receipt: str, today: dt.date, unit: str | None = None) -> list[str]:
    received = dt.date(2025, 4, 1) + dt.timedelta(days=rng.randrange((today - dt.date(2025, 4, 1)).days))
    due = received + dt.timedelta(days=rng.randrange(0, 15))
    kind = rng.random()
    finished = returned = ""
    if kind < 0.6:
        day = min(today, received + dt.timedelta(days=rng.randrange(0, 25)))
        finished, status = f"{day:%d/%m/%Y} 10:00", "Đã giải quyết"
    elif kind < 0.7:
        returned, status = f"{min(today, received + dt.timedelta(days=2)):%d/%m/%Y} 09:00", "Trả lại hồ sơ"
    else:
        status = rng.choice(["Đang giải quyết", "Tạm dừng"])
    return row(
        receipt,
        unit=unit or rng.choice(["21550", "21551"]),
        received=f"{received:%d/%m/%Y} 08:00",
        due=f"{due:%d/%m/%Y} 17:00",
        finished=finished,
        returned=returned,
        status=status,
        paused=str(rng.choice([0, 0, 0, 1, 3])),
        channel=rng.choice(["Trực tiếp", "Trực tuyến toàn trình", "Trực tuyến một phần", "Bưu chính"]),
    )


def test_summaries_kept_by_deltas_equal_a_full_recompute_through_changes_duplicates_and_the_daily_job(
    communes, write_csv
):
    import random

    rng = random.Random(11)
    today = dt.date(2025, 7, 15)
    first = [_random_row(rng, f"HS-{i}", today) for i in range(300)]
    import_file(str(write_csv(first, name="1.csv")), today=today)
    assert DossierSummary.objects.exists()

    # A later export: a third unchanged, a third in a new state, new receipts, and one
    # receipt twice (the last row wins), seen a week later.
    later = today + dt.timedelta(days=7)
    second = first[:100] + [_random_row(rng, f"HS-{i}", later, unit=first[i][3]) for i in range(100, 200)]
    second += [_random_row(rng, f"HS-{i}", later) for i in range(300, 350)]
    twice = _random_row(rng, "HS-TWICE", later)
    last = _random_row(rng, "HS-TWICE", later, unit=twice[3])
    last[5] = "Bưu chính"
    second += [twice, last]
    _, report = import_file(str(write_csv(second, name="2.csv")), today=later)
    assert report.inserted == 51
    assert report.updated > 90  # a few of the redrawn rows may come out the same
    assert report.unchanged >= 100
    assert Dossier.objects.get(receipt_number="HS-TWICE").channel == "post"
    incremental = _summary_snapshot()
    recompute_all_summaries()
    assert _summary_snapshot() == incremental

    # A stored receipt number twice in a file: the last row wins here too.
    again = [_random_row(rng, "HS-0", later, unit=first[0][3]) for _ in range(2)]
    again[0][5], again[1][5] = "Bưu chính", "Trực tuyến toàn trình"
    _, report = import_file(str(write_csv(again, name="3.csv")), today=later)
    assert (report.inserted, report.updated) == (0, 1)
    assert Dossier.objects.get(receipt_number="HS-0").channel == "online_full"

    assert refresh_overdue(later + dt.timedelta(days=30)) > 0
    incremental = _summary_snapshot()
    recompute_all_summaries()
    assert _summary_snapshot() == incremental
    # Every dossier is counted once as received, whatever moved.
    assert sum(s.received for s in DossierSummary.objects.all()) == Dossier.objects.count() == 351
