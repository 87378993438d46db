"""The score import as a portal page: upload → preview with old → new totals → confirm → the new ranking."""

from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse

from audit.models import AuditEvent
from indices.importing import import_scores
from indices.models import Ranking, Score

from .conftest import edition_of, papi_rows, to_csv

PAGE = reverse("indices:score_import")


def _upload(client, edition, rows, name="papi.csv"):
    return client.post(PAGE, {"edition": edition.pk, "file": SimpleUploadedFile(name, to_csv(rows))})


def test_the_page_names_editions_and_its_query_count_is_pinned(
    methodologies, client, national_admin, django_assert_max_num_queries
):
    client.force_login(national_admin)
    with django_assert_max_num_queries(12):
        page = client.get(PAGE)
    text = page.content.decode()
    assert "Chỉ số Hiệu quả quản trị và hành chính công cấp tỉnh (PAPI) 2023" in text
    assert "PAPI 2023<" not in text


def test_the_preview_shows_old_and_new_totals_and_writes_nothing_until_confirmed(methodologies, client, national_admin):
    client.force_login(national_admin)
    edition = edition_of("PAPI", 2023)
    rows = papi_rows(2023)
    import_scores(edition, to_csv(rows), "first.csv")  # last year's import, as the command would
    before = dict(Score.objects.filter(edition=edition, component__isnull=True).values_list("unit_id", "value"))
    # The first province's first dimension and total are corrected by one point.
    rows[1][2] = str(Decimal(rows[1][2].replace(",", ".")) + 1).replace(".", ",")
    rows[1][-1] = str(Decimal(rows[1][-1].replace(",", ".")) + 1).replace(".", ",")
    preview = _upload(client, edition, rows)
    assert preview.status_code == 200
    changes = preview.context["rows"]
    changed = [(row, old, new) for row, old, new in changes if row.status == "update"]
    assert len(changes) == len(changed) == 1  # unchanged rows are only counted
    row, old, new = changed[0]
    assert old == before[row.subject.pk] and new.value == old + 1
    assert dict(Score.objects.filter(edition=edition, component__isnull=True).values_list("unit_id", "value")) == before
    token = preview.context["token"]
    with TestCase.captureOnCommitCallbacks(execute=True):
        done = client.post(reverse("indices:score_import_confirm", args=[token]))
    assert done.status_code == 302 and done.url == edition.get_absolute_url()
    assert Score.objects.get(edition=edition, component__isnull=True, unit=row.subject).value == new.value
    assert Ranking.objects.filter(edition=edition).count() == 63
    assert AuditEvent.objects.filter(source="import", actor=national_admin).exists()


def test_a_file_with_errors_shows_them_and_offers_no_confirmation(methodologies, client, national_admin):
    client.force_login(national_admin)
    rows = papi_rows(2023)
    rows[3][1] = "Ha Giangg"
    preview = _upload(client, edition_of("PAPI", 2023), rows)
    text = preview.content.decode()
    assert 'data-testid="import-problems"' in text and 'data-testid="confirm-import"' not in text
    assert "Hà Giang" in text  # the suggestion
    assert not Score.objects.exists()


def test_a_province_administrator_cannot_import_a_national_index(methodologies, client, gia_lai_admin):
    client.force_login(gia_lai_admin)
    response = _upload(client, edition_of("PAPI", 2023), papi_rows(2023))
    assert response.status_code == 200 and response.context["form"].errors["edition"]
    assert not Score.objects.exists()


def test_a_confirmation_is_the_uploaders_own_and_expires(methodologies, client, national_admin, make_user):
    client.force_login(national_admin)
    edition = edition_of("PAPI", 2023)
    token = _upload(client, edition, papi_rows(2023)).context["token"]
    other = make_user("other-national", role="national_admin")
    client.force_login(other)
    response = client.post(reverse("indices:score_import_confirm", args=[token]), follow=True)
    assert "hết hạn" in response.content.decode() or "expired" in response.content.decode()
    assert not Score.objects.filter(edition=edition).exists()
