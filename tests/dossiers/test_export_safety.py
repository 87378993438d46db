"""Dossier exports: the import's error CSV neutralises formula cells like every other export, and the
late list's .xlsx survives old rows holding control characters."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from dossiers.importing import import_file
from dossiers.models import Dossier, Procedure

from .conftest import TODAY, row

pytestmark = pytest.mark.django_db


def test_the_error_csv_neutralises_formulas_copied_from_the_uploaded_file(communes, write_csv, tmp_path):
    rows = [
        row('=HYPERLINK("http://evil.example","bấm")', received="không phải ngày"),
        row("+cmd|' /C calc'!A0", unit="99999"),
        row("@SUM(1+1)", due="không phải ngày"),
    ]
    errors = tmp_path / "errors.csv"
    _, report = import_file(str(write_csv(rows)), errors_path=str(errors), today=TODAY)
    assert report.error_rows == 3
    with open(errors, encoding="utf-8-sig") as handle:
        lines = list(csv.reader(handle))[1:]
    receipts = [line[3] for line in lines]
    assert receipts == ['\'=HYPERLINK("http://evil.example","bấm")', "'+cmd|' /C calc'!A0", "'@SUM(1+1)"]
    assert not any(cell.startswith(("=", "+", "-", "@")) for line in lines for cell in line)


def test_the_late_list_exports_rows_that_hold_control_characters(
    client, leader, communes, write_csv, django_capture_on_commit_callbacks
):
    import_file(str(write_csv([row("HS-LATE", due="03/06/2025 17:00", finished="10/06/2025 10:00")])), today=TODAY)
    Dossier.objects.update(receipt_number="HS\x01-LATE\x0b")  # stored before the rule existed
    Procedure.objects.update(name="Đăng ký\x0b khai sinh")
    client.force_login(leader)
    with django_capture_on_commit_callbacks(execute=True):
        job_page = client.post(reverse("dossiers:late_export_create") + "?from=2025-01&to=2025-12")
    response = client.get(job_page.url.rstrip("/") + "/late.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet.cell(5, 1).value == "HS-LATE\n"
    assert "Đăng ký\n khai sinh" in sheet.cell(5, 3).value
