"""Synthetic demo index results carry a banner wherever results are shown; a real import removes it."""

from django.urls import reverse

from indices.models import Edition

from .conftest import edition_of, papi_rows, to_csv
from .test_import_command import run_import


def test_demo_results_are_marked_as_sample_data_until_real_results_are_imported(
    client, methodologies, viewer_of_gia_lai, tmp_path
):
    run_import(tmp_path, "papi.csv", to_csv(papi_rows(2023)), "--index", "PAPI", "--year", "2023")
    edition = edition_of("PAPI", 2023)
    Edition.objects.filter(pk=edition.pk).update(is_sample=True)  # as the demo loader leaves it
    client.force_login(viewer_of_gia_lai)
    url = reverse("indices:ranking_detail", args=["PAPI", 2023])
    assert 'data-testid="sample-banner"' in client.get(url).content.decode()
    rows = papi_rows(2023)
    rows[5][3] = "9,9"
    rows[5][-1] = ""
    run_import(tmp_path, "papi.csv", to_csv(rows), "--index", "PAPI", "--year", "2023")
    edition.refresh_from_db()
    assert edition.is_sample is False
    assert 'data-testid="sample-banner"' not in client.get(url).content.decode()


def test_the_demo_loader_marks_what_it_fills(all_methodologies, gia_lai):
    from indices.demo import load_demo

    load_demo(province=gia_lai)
    assert (
        Edition.objects.filter(is_sample=True).count()
        == Edition.objects.filter(scores__isnull=False).distinct().count()
    )
