"""The province's report as a Decree 30/2020 .docx, its annex .xlsx, and the combination rules."""

import io
from decimal import Decimal

import pytest
from docx import Document
from openpyxl import load_workbook

from reports import documents
from reports.consolidation import consolidate

from .conftest import submit


@pytest.fixture
def accepted_two(rnd, dept_report, commune_report, agency_officer, commune_officer, province_admin):
    submit(dept_report, agency_officer, TC1="3", MT1="90")
    submit(commune_report, commune_officer, TC1="4", MT1="100", NV1="5", NV2="5", NV3="0")
    for report in (dept_report, commune_report):
        report.apply("accept", user=province_admin, expected_version=report.version)
    return dept_report, commune_report


def test_figures_combine_by_their_rule(rnd, accepted_two):
    rows = {r["code"]: r for r in consolidate(rnd)}
    assert rows["TC1"]["value"] == Decimal(7)  # sum
    assert rows["MT1"]["value"] == Decimal("95.00")  # mean
    assert rows["NV1"]["value"] == Decimal(15)
    assert rows["NV4"]["value"] == Decimal("73.33")  # (6 + 5) / (10 + 5), never a mean of rates
    assert rows["NV4"]["display"] == "73,33%"


def test_only_accepted_reports_count(rnd, dept_report, agency_officer):
    submit(dept_report, agency_officer)
    assert {r["code"]: r["value"] for r in consolidate(rnd)}["TC1"] is None


def test_the_docx_has_the_decree_30_layout_header_number_figures_and_signature(rnd, accepted_two):
    rnd.document_number = "215"
    rnd.signer_name = "Nguyễn Văn An"
    rnd.save()
    doc = Document(io.BytesIO(documents.round_docx(rnd)))
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert round(section.left_margin.mm) == 30 and round(section.right_margin.mm) == 15
    assert 20 <= round(section.top_margin.mm) <= 25
    assert doc.styles["Normal"].font.name == "Times New Roman"
    assert 13 <= doc.styles["Normal"].font.size.pt <= 14
    header = doc.tables[0].rows[0].cells
    assert "ỦY BAN NHÂN DÂN" in header[0].text and "TỈNH GIA LAI" in header[0].text
    assert "Số: 215/BC-UBND" in header[0].text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in header[1].text and "Độc lập - Tự do - Hạnh phúc" in header[1].text
    assert "Gia Lai, ngày" in header[1].text
    body = "\n".join(p.text for p in doc.paragraphs)
    assert "BÁO CÁO" in body and "6 tháng đầu năm 2026" in body
    signature = doc.tables[1].rows[0].cells
    assert "Nơi nhận:" in signature[0].text and "Bộ Nội vụ" in signature[0].text
    assert "Nguyễn Văn An" in signature[1].text and "CHỦ TỊCH" in signature[1].text
    annex = {row.cells[0].text: row.cells[3].text for row in doc.tables[2].rows}
    assert annex["TC1"] == "7" and annex["NV4"] == "73,33%"


def test_the_annex_xlsx_totals_equal_the_sum_of_accepted_reports(rnd, accepted_two):
    sheet = load_workbook(io.BytesIO(documents.annex_xlsx(rnd))).active
    rows = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    for code in ("TC1", "TT1", "VB1", "HS1"):
        expected = sum(Decimal(r.values[code]) for r in accepted_two)
        assert Decimal(str(rows[code][3])) == expected
    assert rows["VB1"][3] == 2468


def test_a_units_report_exports_the_same_way(dept_report, agency_officer):
    submit(dept_report, agency_officer)
    doc = Document(io.BytesIO(documents.unit_docx(dept_report)))
    assert "SỞ TƯ PHÁP" in doc.tables[0].rows[0].cells[0].text
    assert "Đã ban hành kế hoạch." in "\n".join(p.text for p in doc.paragraphs)
