"""Fixtures of the dossiers tests: a small province with communes and agencies, CSV helpers."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from dossiers.models import Dossier, Outcome

HEADERS = [
    "Mã hồ sơ",
    "Mã thủ tục",
    "Tên thủ tục",
    "Mã đơn vị",
    "Cơ quan tiếp nhận",
    "Hình thức nộp",
    "Ngày tiếp nhận",
    "Ngày hẹn trả",
    "Số ngày tạm dừng",
    "Ngày có kết quả",
    "Ngày trả kết quả",
    "Trạng thái",
]


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
def write_csv(tmp_path):
    def write(rows: list[list[str]], name: str = "export.csv", headers=HEADERS, title: bool = True) -> Path:
        path = tmp_path / name
        with open(path, "w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            if title:
                writer.writerow(["DANH SÁCH HỒ SƠ TIẾP NHẬN"])
                writer.writerow([])
            writer.writerow(headers)
            writer.writerows(rows)
        return path

    return write


def row(receipt, *, unit="21550", agency="", received="02/06/2025 08:00", due="04/06/2025 17:00", finished="",
        status="", channel="Trực tiếp", procedure="1.001193", name="Đăng ký khai sinh", paused="", returned=""):  # fmt: skip
    return [receipt, procedure, name, unit, agency, channel, received, due, paused, finished, returned, status]


def direct_counts(queryset=None) -> dict:
    queryset = Dossier.objects.all() if queryset is None else queryset
    return {
        "received": queryset.count(),
        "early": queryset.filter(outcome=Outcome.EARLY).count(),
        "on_time": queryset.filter(outcome=Outcome.ON_TIME).count(),
        "late": queryset.filter(outcome=Outcome.LATE).count(),
        "overdue": queryset.filter(outcome=Outcome.OVERDUE).count(),
        "in_progress": queryset.filter(closed_date__isnull=True).count(),
    }


TODAY = dt.date(2025, 7, 15)
