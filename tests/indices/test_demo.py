from indices.demo import load_demo
from indices.models import Ranking, Score


def test_demo_results_cover_all_provinces_with_rankings_and_load_only_once(all_methodologies, gia_lai):
    first = load_demo(province=gia_lai)
    assert first["scores_created"] > 0
    assert Ranking.objects.filter(edition__index__code="PAPI", edition__year=2025).count() >= 32
    assert Ranking.objects.filter(edition__index__code="PAPI", edition__year=2024).count() >= 58
    assert Ranking.objects.filter(edition__index__code="PAR_INDEX", edition__year=2025, group="").count() == 0
    count = Score.objects.count()
    assert load_demo(province=gia_lai)["scores_created"] == 0
    assert Score.objects.count() == count
