"""Each page runs a fixed number of queries whatever the data size, cold and warm (cached)."""

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from .conftest import make_tasks

# session, user; then the user's units and agencies (scope) on pages that check a province
SESSION = 2
AUTH = SESSION + 2
# + province and its predecessors; indices, rankings; plan with figures, overdue, due soon,
#   criteria links, indices, editions, components; dossiers: one grouped query of the monthly flows
#   (dashboards.dossier_block), the communes' own committees (listed once, under the commune), last import;
#   the province's own index (one ranking query) and the criteria links of the own index (one query);
#   whether sample (demo) index results are loaded (cached for 10 minutes)
LEADER_COLD = AUTH + 2 + 2 + 7 + 3 + 1 + 1 + 1
# warm: the whole page is cached per user (dashboards.views.page_cached): no scope queries
LEADER_WARM = SESSION
# + options (editions with rankings), the edition, its rankings with units and regions; sample data loaded?
NATIONAL_COLD = AUTH + 3 + 1
NATIONAL_WARM = SESSION


def count(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params or {}).status_code == 200
    return len(ctx.captured_queries)


def test_the_leader_dashboard_runs_a_fixed_number_of_queries(
    client, gia_lai_leader, gia_lai_plan, gia_lai_agencies, index_results, gia_lai_dossiers, django_assert_num_queries
):
    from tasks.figures import plan_figures_compute

    client.force_login(gia_lai_leader)
    url = reverse("dashboards:leader")
    with django_assert_num_queries(LEADER_COLD):
        client.get(url)
    with django_assert_num_queries(LEADER_WARM):
        client.get(url)
    # Five times the tasks: the same number of queries.
    make_tasks(gia_lai_plan, gia_lai_agencies, 60, start=100)
    plan_figures_compute(gia_lai_plan.pk)
    gia_lai_dossiers(months=24)  # and twice the dossier summary rows
    cache.clear()
    with django_assert_num_queries(LEADER_COLD):
        client.get(url)
    with django_assert_num_queries(LEADER_WARM):
        client.get(url)


def test_the_national_view_runs_a_fixed_number_of_queries(client, viewer, index_results, django_assert_num_queries):
    client.force_login(viewer)
    url = reverse("dashboards:national")
    for params in ({"index": "PAPI", "year": 2024}, {"index": "PAR_INDEX", "year": 2025}):
        cache.clear()
        with django_assert_num_queries(NATIONAL_COLD):
            client.get(url, params)
        with django_assert_num_queries(NATIONAL_WARM):
            client.get(url, params)


def test_chart_endpoints_read_the_cache_only_once_warm(client, gia_lai_leader, gia_lai_plan, index_results):
    client.force_login(gia_lai_leader)
    client.get(reverse("dashboards:leader"))
    for name, params, expected in [
        ("dashboards:chart_trend", {"index": "PAPI"}, AUTH),
        ("dashboards:chart_plan_status", {}, AUTH),
        ("dashboards:chart_plan_areas", {}, AUTH),
        # national indices are readable by every signed-in user: no scope needed
        ("dashboards:national_map", {"index": "PAPI", "year": 2025}, SESSION),
        ("dashboards:national_groups", {"index": "PAPI", "year": 2025}, SESSION),
    ]:
        count(client, reverse(name), params)
        assert count(client, reverse(name), params) == expected, name
