from reports.demo import load_demo
from reports.models import ReportRound, ReportStatus


def test_demo_round_has_a_mix_of_states_and_loading_twice_changes_nothing(reference_units):
    from provinces.demo import load_demo_province

    province = load_demo_province()
    first = load_demo(province=province)
    rnd = ReportRound.objects.get(province=province)
    statuses = set(rnd.reports.values_list("status", flat=True))
    assert statuses == set(ReportStatus.values)
    assert rnd.reports.get(agency__name="Sở Tư pháp").status == ReportStatus.DRAFT  # the demo officer's unit
    assert rnd.counts()["n_accepted"] >= 10
    second = load_demo(province=province)
    assert second["states_written"] == 0 and first["reports"] == second["reports"]
