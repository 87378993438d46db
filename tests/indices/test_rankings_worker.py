import pytest

from conftest import wait_for
from indices.importing import import_scores
from indices.models import Ranking, Score

from .conftest import edition_of, papi_rows, to_csv


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_an_import_computes_totals_and_rankings_through_the_real_worker(celery_worker_process, methodologies):
    edition = edition_of("PAPI", 2023)
    plan = import_scores(edition, to_csv(papi_rows(2023)), "papi2023.csv")
    assert plan.ok and plan.written
    assert Score.objects.filter(edition=edition, component__isnull=True).count() == 63
    wait_for(lambda: Ranking.objects.filter(edition=edition).count() == 63)
    first = Ranking.objects.filter(edition=edition).order_by("rank").first()
    assert (first.rank, first.ranked_count, first.subject_count) == (1, 63, 63)
    assert first.score == Score.objects.filter(edition=edition, component__isnull=True).order_by("-value")[0].value

    edition_2025 = edition_of("PAPI", 2025)
    assert import_scores(edition_2025, to_csv(papi_rows(2025)), "papi2025.csv").ok
    wait_for(lambda: Ranking.objects.filter(edition=edition_2025).count() == 34)
