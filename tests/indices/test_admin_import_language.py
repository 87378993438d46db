"""The admin's score import screens read in Vietnamese, with editions named rather than coded."""

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from .conftest import edition_of, papi_rows, to_csv

IMPORT_URL = reverse("admin:indices_score_import")
ENGLISH = ["File to import", "Confirm import", "Submit", "Below is a preview", "P52_DEPARTMENTS", "PAPI 2023<"]


def _vietnamese(client, user):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"


def test_the_upload_screen_is_in_vietnamese_and_names_the_editions(methodologies, client, national_admin):
    _vietnamese(client, national_admin)
    text = client.get(IMPORT_URL).content.decode()
    assert "Tệp cần nhập" in text and "Gửi" in text
    assert "Chỉ số Hiệu quả quản trị và hành chính công cấp tỉnh (PAPI) 2023" in text
    assert not [word for word in ENGLISH if word in text]


def test_the_preview_screen_is_in_vietnamese(methodologies, client, national_admin):
    _vietnamese(client, national_admin)
    edition = edition_of("PAPI", 2023)
    upload = SimpleUploadedFile("papi.csv", to_csv(papi_rows(2023)))
    preview = client.post(IMPORT_URL, {"edition": edition.pk, "format": 1, "resource": 0, "import_file": upload})
    text = preview.content.decode()
    assert "Xác nhận nhập" in text and "Xem trước" in text
    assert not [word for word in ENGLISH if word in text]
