import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse
from openpyxl import load_workbook

from audit.models import AuditEvent
from indices.models import Ranking, Score

from .conftest import edition_of, papi_rows, to_csv, to_xlsx

IMPORT_URL = reverse("admin:indices_score_import")
PROCESS_URL = reverse("admin:indices_score_process_import")


def upload(client, edition, name, content, fmt_index):
    return client.post(
        IMPORT_URL,
        {"edition": edition.pk, "format": fmt_index, "resource": 0, "import_file": SimpleUploadedFile(name, content)},
    )


def test_admin_previews_then_imports_a_63_province_papi_sheet(methodologies, client, national_admin):
    client.force_login(national_admin)
    edition = edition_of("PAPI", 2023)
    preview = upload(client, edition, "papi.csv", to_csv(papi_rows(2023)), 1)
    assert preview.status_code == 200
    confirm = preview.context["confirm_form"]
    assert confirm is not None
    assert len(preview.context["result"].rows) == 63
    assert not Score.objects.exists()  # the preview writes nothing
    with TestCase.captureOnCommitCallbacks(execute=True):
        done = client.post(PROCESS_URL, confirm.initial)
    assert done.status_code == 302
    assert Score.objects.filter(edition=edition, component__isnull=True).count() == 63
    assert Ranking.objects.filter(edition=edition).count() == 63
    assert AuditEvent.objects.filter(source="admin", actor=national_admin).count() == 63 * 9


def test_admin_imports_a_34_province_xlsx(methodologies, client, national_admin):
    client.force_login(national_admin)
    edition = edition_of("PAPI", 2025)
    preview = upload(client, edition, "papi.xlsx", to_xlsx(papi_rows(2025)), 0)
    confirm = preview.context["confirm_form"]
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(PROCESS_URL, confirm.initial)
    assert Ranking.objects.filter(edition=edition).count() == 34


def test_admin_shows_errors_and_offers_the_file_back_with_bad_cells_marked(methodologies, client, national_admin):
    client.force_login(national_admin)
    rows = papi_rows(2023)
    rows[3][1] = "Ha Giangg"
    rows[4][2] = "12,5"
    response = upload(client, edition_of("PAPI", 2023), "papi.csv", to_csv(rows), 1)
    assert "confirm_form" not in response.context
    assert len(response.context["plan"].errors) == 2
    content = response.content.decode()
    assert "Hà Giang" in content  # the suggestion
    marked = client.get(response.context["marked_file_url"])
    assert marked.status_code == 200
    sheet = load_workbook(io.BytesIO(marked.content)).worksheets[0]
    assert sheet.cell(row=4, column=2).comment is not None
    assert sheet.cell(row=4, column=2).fill.fgColor.rgb.endswith("F8B4B4")
    assert "vượt điểm tối đa" in sheet.cell(row=5, column=3).comment.text
    assert not Score.objects.exists()


def test_a_wrong_file_type_is_a_form_error(methodologies, client, national_admin):
    client.force_login(national_admin)
    response = upload(client, edition_of("PAPI", 2023), "report.pdf", b"%PDF-1.4 binary", 1)
    assert "import_file" in response.context["form"].errors
    assert not Score.objects.exists()


def test_a_viewer_cannot_import(client, gia_lai_viewer):
    client.force_login(gia_lai_viewer)
    assert client.get(IMPORT_URL).status_code == 403


def test_a_province_admin_cannot_import_national_index_results(client, gia_lai_admin):
    client.force_login(gia_lai_admin)
    response = client.get(IMPORT_URL)
    assert response.status_code == 403
