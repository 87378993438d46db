"""Agencies imported from an .xlsx: a preview with row errors, then one confirmed, audited write."""

import datetime as dt
import io
import re

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AuditEvent
from provinces.models import Agency, AgencyKind, AgencySuccession

HEADER = ["Tên cơ quan", "Tên viết tắt", "Loại", "Xã/phường", "Hiệu lực từ", "Cơ quan tiền nhiệm"]


def _xlsx(rows, header=HEADER) -> SimpleUploadedFile:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["DANH SÁCH CƠ QUAN"])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    handle = io.BytesIO()
    workbook.save(handle)
    return SimpleUploadedFile("co-quan.xlsx", handle.getvalue())


ROWS = [
    ["Sở Nội vụ", "SNV", "Sở, ban, ngành", "", dt.datetime(2025, 7, 1), ""],
    ["Sở Văn hóa, Thể thao và Du lịch", "SVHTTDL", "Sở, ban, ngành", "", "01/07/2025", "Sở Du lịch"],
    ["Ủy ban nhân dân Phường Quy Nhơn", "", "UBND xã", "Phường Quy Nhơn", "01/07/2025", ""],
    ["Sở Tư pháp", "STP", "Sở, ban, ngành", "", "", ""],  # exists already
    ["Ủy ban nhân dân Xã Không Có", "", "UBND xã", "Xã Không Có", "01/07/2025", ""],
    ["Sở Mới", "", "Bộ", "", "32/13/2025", ""],
]


def _url(province):
    return reverse("ops:agency_import", args=[province.pk])


def test_the_preview_lists_every_row_with_its_errors_and_creates_nothing(
    client, province_admin, province, commune, agency, make_agency
):
    make_agency(province, "Sở Du lịch", valid_to=dt.date(2025, 6, 30), valid_from=dt.date(2008, 1, 1))
    client.force_login(province_admin)
    before = Agency.objects.count()
    page = client.post(_url(province), {"file": _xlsx(ROWS)}).content.decode()
    assert Agency.objects.count() == before
    assert "3 cơ quan sẽ được tạo" in page
    assert "Đã có cơ quan cùng tên trong tỉnh" in page
    assert "Không có xã/phường “Xã Không Có” trong tỉnh" in page
    assert "Loại “Bộ” không hợp lệ" in page
    assert "“32/13/2025” không phải là ngày" in page


def test_confirming_creates_the_good_rows_with_their_predecessor_audited(
    client, province_admin, province, commune, agency, make_agency
):
    old = make_agency(province, "Sở Du lịch", valid_to=dt.date(2025, 6, 30), valid_from=dt.date(2008, 1, 1))
    client.force_login(province_admin)
    page = client.post(_url(province), {"file": _xlsx(ROWS)}).content.decode()
    payload = re.search(r'name="payload" value="([^"]+)"', page).group(1)
    response = client.post(_url(province), {"payload": payload})
    assert response.status_code == 302
    created = Agency.objects.filter(province=province).exclude(pk__in=[agency.pk, old.pk])
    assert sorted(created.values_list("name", flat=True)) == [
        "Sở Nội vụ",
        "Sở Văn hóa, Thể thao và Du lịch",
        "Ủy ban nhân dân Phường Quy Nhơn",
    ]
    committee = created.get(kind=AgencyKind.COMMUNE_COMMITTEE)
    assert committee.commune == commune
    succession = AgencySuccession.objects.get()
    assert (succession.predecessor, succession.successor.short_name) == (old, "SVHTTDL")
    assert AuditEvent.objects.filter(note="agency import").count() == 3
    # A second confirm of the same preview is refused, nothing doubled.
    client.post(_url(province), {"payload": payload})
    assert created.count() == 3


def test_a_tampered_preview_is_refused(client, province_admin, province):
    client.force_login(province_admin)
    page = client.post(_url(province), {"payload": "not-signed"}).content.decode()
    assert "Bản xem trước đã hết hạn" in page


def test_a_file_that_is_not_a_workbook_is_refused_clearly(client, province_admin, province):
    client.force_login(province_admin)
    upload = SimpleUploadedFile("co-quan.xlsx", b"%PDF-1.4 not a workbook")
    page = client.post(_url(province), {"file": upload}).content.decode()
    assert "tài liệu PDF" in page


def test_another_provinces_administrator_cannot_import(client, outsider, province):
    client.force_login(outsider)
    assert client.post(_url(province), {"file": _xlsx(ROWS[:1])}).status_code == 403
    assert client.get(reverse("ops:agency_import_sample", args=[province.pk])).status_code == 403


def test_the_sample_file_imports_as_is(client, province_admin, province, commune):
    client.force_login(province_admin)
    sample = client.get(reverse("ops:agency_import_sample", args=[province.pk])).content
    page = client.post(_url(province), {"file": SimpleUploadedFile("mau.xlsx", sample)}).content.decode()
    assert "3 cơ quan sẽ được tạo" in page and 'role="alert"' not in page


def test_the_commune_committees_button_creates_them_from_the_registry(client, province_admin, province, commune):
    client.force_login(province_admin)
    client.post(reverse("ops:commune_committees", args=[province.pk]))
    assert Agency.objects.get(kind=AgencyKind.COMMUNE_COMMITTEE).name == "Ủy ban nhân dân Phường Quy Nhơn"
    listing = client.get(f"{reverse('provinces:agency_list')}?province={province.code}").content.decode()
    assert 'data-testid="agency-import-link"' in listing
