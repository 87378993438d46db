"""The scoring sheet and the results annex use the Decree 30/2020 layout shared with the reports."""

import io

from django.urls import reverse
from docx import Document

from assessments.models import Assessment


def _docx(client, url, **params):
    response = client.get(url, {"format": "docx", **params})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    return Document(io.BytesIO(response.content))


def test_the_scoring_sheet_has_the_decree_30_page_header_table_and_signature(client, round_, finance, finance_officer):
    assessment = Assessment.objects.get(round=round_, agency=finance)
    client.force_login(finance_officer)
    doc = _docx(client, reverse("assessments:assessment_export", args=[assessment.pk]))
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert round(section.left_margin.mm) == 30 and round(section.right_margin.mm) == 15
    assert doc.styles["Normal"].font.name == "Times New Roman" and doc.styles["Normal"].font.size.pt == 13
    issuer, motto = doc.tables[0].rows[0].cells
    assert finance.name.upper() in issuer.text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in motto.text and "Độc lập - Tự do - Hạnh phúc" in motto.text
    assert f"{round_.methodology.province.short_name}, ngày" in motto.text
    sheet = doc.tables[1]
    assert [c.text for c in sheet.rows[0].cells] == ["STT", "Tiêu chí", "Tối đa", "Tự chấm", "Thẩm định", "Ghi chú"]
    assert any(row.cells[1].text.startswith("1.1 ") for row in sheet.rows[1:])
    assert "THỦ TRƯỞNG ĐƠN VỊ" in doc.tables[2].rows[0].cells[1].text


def test_the_results_annex_is_landscape_under_the_provinces_committee(client, round_, province_admin):
    client.force_login(province_admin)
    doc = _docx(client, reverse("assessments:round_results", args=[round_.pk]))
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (297, 210)
    issuer = doc.tables[0].rows[0].cells[0].text
    assert "ỦY BAN NHÂN DÂN" in issuer and round_.methodology.province.name.upper() in issuer
    assert len(doc.tables[1].columns) == 11
