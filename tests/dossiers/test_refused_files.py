import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dossiers.importing import RefusedFile, import_file, inspect_file
from dossiers.models import Dossier, ImportJob

from .conftest import HEADERS, TODAY, row

pytestmark = pytest.mark.django_db


def _xlsx(path, rows):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for values in rows:
        sheet.append(values)
    workbook.save(path)
    return path


def test_an_xlsx_export_imports_like_a_csv(communes, tmp_path):
    path = _xlsx(tmp_path / "export.xlsx", [["Báo cáo"], HEADERS, row("X-1", finished="03/06/2025 10:00")])
    _, report = import_file(str(path), today=TODAY)
    assert report.inserted == 1
    assert Dossier.objects.get().outcome == "early"


def test_a_zip_renamed_to_csv_is_refused(tmp_path):
    path = tmp_path / "fake.csv"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("a.txt", "x")
    with pytest.raises(RefusedFile, match="không phải sổ tính Excel"):
        inspect_file(str(path), "fake.csv")


def test_a_csv_export_named_xlsx_is_read_as_the_csv_it_is(communes, tmp_path):
    path = tmp_path / "export.xlsx"
    path.write_text("\n".join([",".join(HEADERS), ",".join(row("X-1", finished="03/06/2025 10:00"))]) + "\n")
    assert inspect_file(str(path), "export.xlsx").kind == "csv"
    _, report = import_file(str(path), today=TODAY)
    assert report.inserted == 1


def test_a_zip_bomb_is_refused_before_it_is_unpacked(tmp_path):
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (50 * 1024 * 1024))
    with pytest.raises(RefusedFile, match="tệp nén độc hại"):
        inspect_file(str(path), "bomb.xlsx")


def test_a_file_without_a_recognisable_header_is_refused(tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("Họ tên,Ngày sinh\nNguyễn Văn A,01/01/1990\n", encoding="utf-8")
    with pytest.raises(RefusedFile, match="Không tìm thấy dòng tiêu đề"):
        inspect_file(str(path), "other.csv")


def test_a_pdf_is_refused_by_its_content_whatever_its_name(tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes(b"%PDF-1.7")
    with pytest.raises(RefusedFile, match="tài liệu PDF"):
        inspect_file(str(path), "export.csv")


def test_the_upload_page_refuses_a_bad_file_with_a_message_and_writes_nothing(client, province_admin, province):
    client.force_login(province_admin)
    upload = SimpleUploadedFile("export.csv", "Họ tên,Ngày sinh\nA,1\n".encode())
    response = client.post(reverse("dossiers:import_index"), {"file": upload, "province": province.pk})
    assert response.status_code == 200
    assert "Không tìm thấy dòng tiêu đề" in response.content.decode()
    assert not ImportJob.objects.exists()
    assert not Dossier.objects.exists()
