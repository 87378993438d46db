"""The dossier block's one grouped query gives exactly the figures `dossiers.stats` publishes."""

from django.utils import timezone

from dashboards import dossier_block
from dashboards.blocks import province_info


def test_the_dossier_block_agrees_with_the_published_dossier_statistics(
    gia_lai, gia_lai_agencies, gia_lai_dossiers, make_commune, django_assert_num_queries
):
    from cchc_portal.lib.workdays import add_months, first_of_month
    from dossiers import stats
    from dossiers.models import DossierSummary

    gia_lai_dossiers(months=30)  # history well before the 12-month trend and January
    this_month = first_of_month(timezone.localdate())
    commune = make_commune(gia_lai, "23703", "Xã Chư Păh")
    agency = next(iter(gia_lai_agencies.values()))
    # Stocks that carry over (received ≠ closed), overdue dossiers, a commune with and without an
    # agency, a month in the future (not counted yet) and months on every side of the buckets.
    for back, received, closed, overdue_opened, overdue_closed in [
        (-1, 50, 0, 9, 0),
        (0, 17, 3, 4, 1),
        (1, 25, 30, 2, 2),
        (this_month.month - 1, 11, 2, 3, 0),
        (this_month.month, 13, 5, 1, 0),
        (11, 9, 1, 0, 0),
        (12, 40, 12, 6, 1),
        (20, 30, 5, 5, 2),
    ]:
        month = add_months(this_month, -back)
        for unit_agency, channel in ((None, "online_full"), (agency, "in_person")):
            DossierSummary.objects.update_or_create(
                receiving_unit=commune, agency=unit_agency, month=month, channel=channel,
                procedure_level="commune",
                defaults={
                    "province": gia_lai, "received": received, "closed": closed, "finished_early": closed // 3,
                    "finished_on_time": closed // 3, "finished_late": closed - 2 * (closed // 3),
                    "overdue_opened": overdue_opened, "overdue_closed": overdue_closed,
                },
            )  # fmt: skip

    today, province = timezone.localdate(), province_info(gia_lai.pk)
    with django_assert_num_queries(3):  # the grouped flows; the communes' own committees; the last import's time
        block = dossier_block._compute(province, today)

    summaries = DossierSummary.objects.filter(province=gia_lai)
    january = this_month.replace(month=1)
    assert block["this_month"] == stats.period(summaries, this_month, this_month)
    assert block["year_to_date"] == stats.period(summaries, january, this_month)
    by_agency = stats.grouped(summaries, january, this_month, "agency")
    by_commune = stats.grouped(summaries, january, this_month, "commune")
    assert sorted(block["by_agency"], key=repr) == sorted(by_agency, key=repr)
    assert sorted(block["by_commune"], key=repr) == sorted(by_commune, key=repr)
    assert any(row["agency_id"] is None for row in block["by_agency"])
    assert any(row["in_progress"] for row in block["by_commune"])
    trend_start = add_months(this_month, -(dossier_block.TREND_MONTHS - 1))
    assert block["monthly"] == stats.monthly(summaries, trend_start, this_month)
    assert block["monthly"][0]["carried_over"] > 0 and block["this_month"]["overdue"] > 0
