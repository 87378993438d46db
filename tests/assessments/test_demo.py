"""The demo province gets the SAMPLE departments' index with a round open for self-assessment."""

from assessments.demo import load_demo
from assessments.models import Methodology, Stage


def test_the_demo_loads_a_sample_index_and_an_open_round_twice_without_duplicates(province, agency, home_affairs):
    load_demo(province=province)
    load_demo(province=province)
    methodology = Methodology.objects.get()
    assert methodology.is_sample and "mẫu" in methodology.name
    assert methodology.round.stage == Stage.SELF
    assert methodology.round.assessments.count() == 2
    assert methodology.round.assignments.filter(area__code="2", agency=agency).exists()
