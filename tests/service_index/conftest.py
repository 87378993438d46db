"""Hand-built one-stop exports with the Decision 766 columns, imported through the real pipeline."""

from __future__ import annotations

import csv
import datetime as dt

import pytest

from dossiers.generate import write_export
from dossiers.importing import import_file
from dossiers.models import DossierSummary, HandlingTimeSummary, Procedure, ProcedureLevel, ProvinceHandlingTimeSummary
from service_index.figures import Period, rates_from_sums, unit_sums

TODAY = dt.date(2025, 7, 15)
JUNE = Period.parse("2025-06")

BASE = ["Mã hồ sơ", "Mã thủ tục", "Tên thủ tục", "Mã đơn vị", "Hình thức nộp", "Ngày tiếp nhận", "Ngày hẹn trả",
        "Ngày có kết quả", "Ngày trả kết quả", "Trạng thái"]  # fmt: skip
SERVICE = {
    "count": "Số lần yêu cầu bổ sung",
    "requested": "Ngày yêu cầu bổ sung",
    "completed": "Ngày hoàn thành bổ sung",
    "e_result": "Kết quả điện tử",
    "fee": "Phí, lệ phí",
    "paid": "Thanh toán trực tuyến",
    "digitised": "Số hóa thành phần hồ sơ",
    "reused": "Tái sử dụng dữ liệu số hóa",
    "vneid": "Định danh VNeID",
    "complaint": "Phản ánh, kiến nghị",
}


def dossier(receipt, *, unit="21550", received="02/06/2025 08:00", due="04/06/2025 17:00", finished="", returned="",
            status="", channel="Trực tiếp", procedure="1.001193", **service) -> dict:  # fmt: skip
    base = [receipt, procedure, "Thủ tục", unit, channel, received, due, finished, returned, status]
    return {"base": base, **service}


@pytest.fixture
def communes(province, make_commune, make_agency):
    from provinces.models import AgencyKind

    made = []
    for code, name in (("21550", "Phường Quy Nhơn"), ("21551", "Xã Ia Grai")):
        commune = make_commune(province, code, name)
        make_agency(province, f"Ủy ban nhân dân {name}", commune=commune, kind=AgencyKind.COMMUNE_COMMITTEE)
        made.append(commune)
    return made


@pytest.fixture
def procedures(db):
    Procedure.objects.create(code="1.001193", name="Đăng ký khai sinh", level=ProcedureLevel.COMMUNE, allowance_days=1)
    Procedure.objects.create(
        code="PAPER", name="Cấp giấy phép", level=ProcedureLevel.COMMUNE, allowance_days=5, paper_result=True
    )


@pytest.fixture
def import_dossiers(tmp_path, communes, procedures):
    """Write the dossiers as an export with the given service columns only, import it, return the report."""
    counter = iter(range(1000))

    def run(rows: list[dict], columns: tuple[str, ...] = (), today: dt.date = TODAY, errors: bool = False):
        path = tmp_path / f"export{next(counter)}.csv"
        with open(path, "w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow([*BASE, *(SERVICE[c] for c in columns)])
            for item in rows:
                writer.writerow([*item["base"], *(item.get(c, "") for c in columns)])
        errors_path = str(tmp_path / "errors.csv") if errors else None
        return import_file(str(path), today=today, errors_path=errors_path)[1]

    return run


@pytest.fixture
def june_rates():
    def rates(unit=None):
        summaries = DossierSummary.objects.all()
        if unit is not None:
            summaries = summaries.filter(receiving_unit=unit)
        return rates_from_sums(unit_sums(summaries, JUNE))

    return rates


def import_generated(province, tmp_path, rows: int, seed: int) -> None:
    """A generated export of `rows` dossiers up to 31/08/2026, imported as on 01/09/2026."""
    path = tmp_path / f"gen-{seed}.csv"
    write_export(str(path), province=province, rows=rows, end=dt.date(2026, 8, 31), seed=seed)
    import_file(str(path), today=dt.date(2026, 9, 1))


def handling_tables() -> tuple[list, list]:
    """Both handling-time summary tables as sorted rows, to compare an incremental result with a recompute."""
    unit = HandlingTimeSummary.objects.values_list(
        "procedure_id", "receiving_unit_id", "agency_id", "month", "finished", "handling_minutes",
        "handling_working_days", "handling_working_minutes")  # fmt: skip
    province = ProvinceHandlingTimeSummary.objects.values_list(
        "procedure_id", "province_id", "month", "finished", "handling_minutes", "handling_working_days",
        "handling_working_minutes")  # fmt: skip
    return sorted(unit), sorted(province)
