from tasks.demo import load_demo
from tasks.models import Plan, PlanFigures, ProgressUpdate, Task


def test_demo_plan_is_realistic_and_loading_twice_duplicates_nothing(reference_units):
    from provinces.demo import load_demo_province

    province = load_demo_province()
    first = load_demo(province=province)
    counts = (Plan.objects.count(), Task.objects.count(), ProgressUpdate.objects.count())
    second = load_demo(province=province)
    assert second["tasks_created"] == 0
    assert (Plan.objects.count(), Task.objects.count(), ProgressUpdate.objects.count()) == counts
    plan = Plan.objects.get(pk=first["plans"][0])
    assert plan.year == 2026 and plan.tasks.count() == 40
    figures = PlanFigures.objects.get(plan=plan)
    assert figures.completed and figures.in_progress and figures.ongoing and figures.not_started
    assert figures.completed_late >= 1
    assert Plan.objects.filter(unit=province, year=2025).exists()
