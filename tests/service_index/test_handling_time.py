"""Average handling time per procedure (Decision 766): pinned on hand-built dossiers, in each procedure's unit."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from dossiers.importing import recompute_all_summaries
from dossiers.models import (
    Dossier,
    HandlingTimeSummary,
    Procedure,
    ProcedureLevel,
    ProvinceHandlingTimeSummary,
    TimeUnit,
)
from service_index.figures import handling_times, worst_handling_times

from .conftest import JUNE, dossier, handling_tables

pytestmark = pytest.mark.django_db


@pytest.fixture
def unit_procedures(procedures):
    Procedure.objects.create(
        code="HOURS", name="Chứng thực bản sao", level=ProcedureLevel.COMMUNE, time_limit=8, time_limit_unit="hours"
    )
    Procedure.objects.create(
        code="DAYS", name="Đăng ký kết hôn", level=ProcedureLevel.COMMUNE, time_limit=3, time_limit_unit="days"
    )


# June 2025 has no public holiday; 02/06 is a Monday. Times are Vietnamese local times.
HAND_BUILT = [
    # 1.001193, working days (limit: 1 working day): received Mon, finished Wed -> 2.
    dossier("A", received="02/06/2025 08:00", due="03/06/2025 17:00", finished="04/06/2025 10:00"),
    # Fri -> Tue over a weekend -> 2 (Saturday and Sunday do not count).
    dossier("B", received="06/06/2025 08:00", due="09/06/2025 17:00", finished="10/06/2025 08:00"),
    # The end of processing is the first of processed and result returned: returned Thu -> 3.
    dossier(
        "C",
        received="02/06/2025 08:00",
        due="03/06/2025 17:00",
        finished="06/06/2025 17:00",
        returned="05/06/2025 17:00",
    ),  # fmt: skip
    # Received 06:00 local (Sunday 23:00 UTC), finished the same day -> 0: days are Vietnamese days.
    dossier("D", received="02/06/2025 06:00", due="03/06/2025 17:00", finished="02/06/2025 16:00"),
    # Not counted: still in progress, refused, received in May.
    dossier("E", received="02/06/2025 08:00", due="30/06/2025 17:00"),
    dossier("F", received="02/06/2025 08:00", due="03/06/2025 17:00", returned="03/06/2025 08:00", status="Từ chối"),
    dossier("G", received="30/05/2025 08:00", due="02/06/2025 17:00", finished="03/06/2025 08:00"),
    # HOURS (limit 8 working hours, office hours 07:30-11:30 and 13:00-17:00): across lunch 08:00 -> 15:00
    # is 5.5 h (3.5 + 2); across the evening 16:00 -> 08:00 next morning is 1.5 h (1 + 0.5) -> 3.5 h
    # (elapsed time would give 7 h and 16 h -> 11.5 h).
    dossier("H1", procedure="HOURS", received="02/06/2025 08:00", due="03/06/2025 17:00", finished="02/06/2025 15:00"),
    dossier("H2", procedure="HOURS", received="03/06/2025 16:00", due="04/06/2025 17:00", finished="04/06/2025 08:00"),
    # DAYS (limit 3 days): 60 hours -> 2.5 days.
    dossier("K1", procedure="DAYS", received="02/06/2025 08:00", due="05/06/2025 17:00", finished="04/06/2025 20:00"),
]


def _by_code(items):
    return {item.code: item for item in items}


def test_the_average_is_in_each_procedures_own_unit_from_receipt_to_the_end_of_processing(
    import_dossiers, unit_procedures
):
    report = import_dossiers(HAND_BUILT)
    assert report.error_rows == 0
    items = handling_times(HandlingTimeSummary.objects.all(), JUNE)
    found = _by_code(items)
    assert (found["1.001193"].finished, found["1.001193"].average) == (4, Decimal("1.75"))  # (2 + 2 + 3 + 0) / 4
    assert found["1.001193"].unit == TimeUnit.WORKING_DAYS and found["1.001193"].time_limit == 1
    assert (found["HOURS"].finished, found["HOURS"].average) == (2, Decimal("3.5"))
    assert (found["DAYS"].finished, found["DAYS"].average) == (1, Decimal("2.5"))
    # Worst first by the share of the legal limit: 1.75 of 1 working day, 2.5 of 3 days, 3.5 of 8 hours.
    assert [item.code for item in items] == ["1.001193", "DAYS", "HOURS"]
    # G (received in May) counts in May only.
    assert (
        _by_code(handling_times(HandlingTimeSummary.objects.all(), JUNE.__class__.parse("2025-05")))[
            "1.001193"
        ].finished
        == 1
    )


def test_a_public_holiday_is_not_a_working_day(import_dossiers, unit_procedures):
    # National Day, 1-2 September 2025 (shipped by migration 0002): Fri 29/08 -> Wed 03/09 = 1.
    import_dossiers(
        [dossier("N", received="29/08/2025 08:00", due="05/09/2025 17:00", finished="03/09/2025 08:00")],
        today=dt.date(2025, 10, 1),
    )
    [item] = handling_times(HandlingTimeSummary.objects.all(), JUNE.__class__.parse("2025-08"))
    assert item.average == 1


def test_a_limit_in_hours_counts_working_hours_not_elapsed_time(
    client, leader, province, import_dossiers, unit_procedures
):
    # Certifications (limit 8 working hours). Received on Friday at 16:00 and returned on Monday at 09:00
    # (processed at 10:00: the end of processing is the return): 1 h on Friday (16:00-17:00) and 1.5 h
    # on Monday (07:30-09:00) = 2.5 h. Received on Tuesday at 16:00, processed on Wednesday at 08:00:
    # 1 + 0.5 = 1.5 h. Elapsed time would say 65 h and 16 h.
    import_dossiers([
        dossier("W1", procedure="HOURS", received="06/06/2025 16:00", due="09/06/2025 17:00",
                finished="09/06/2025 10:00", returned="09/06/2025 09:00"),
        dossier("W2", procedure="HOURS", received="10/06/2025 16:00", due="11/06/2025 17:00",
                finished="11/06/2025 08:00"),
    ])  # fmt: skip
    [item] = handling_times(HandlingTimeSummary.objects.all(), JUNE)
    assert (item.code, item.unit, item.finished, item.average) == ("HOURS", TimeUnit.HOURS, 2, Decimal("2"))
    assert item.over_limit == Decimal("0.25")
    Dossier.objects.filter(receipt_number="W1").delete()
    recompute_all_summaries()
    [item] = handling_times(ProvinceHandlingTimeSummary.objects.all(), JUNE)
    assert (item.finished, item.average) == (1, Decimal("1.5"))
    client.force_login(leader)
    body = client.get(reverse("service_index:page"), {"period": "2025-06"}, HTTP_ACCEPT_LANGUAGE="vi").content
    assert "1,5 giờ" in body.decode()
    assert "Thời hạn tính bằng giờ là giờ làm việc (07:30–11:30, 13:00–17:00 các ngày làm việc)." in body.decode()
    api = client.get(reverse("service-index"), {"unit": province.code, "period": "2025-06"}).json()
    assert [(h["procedure"], h["unit"], h["average"]) for h in api["handling_time"]] == [("HOURS", "hours", "1.50")]


def test_a_reimport_moves_the_handling_time_and_equals_a_full_recompute(import_dossiers, unit_procedures):
    import_dossiers(HAND_BUILT)
    changed = [dossier("A", received="02/06/2025 08:00", due="03/06/2025 17:00", finished="09/06/2025 10:00"),
               dossier("E", received="02/06/2025 08:00", due="30/06/2025 17:00", finished="03/06/2025 08:00"),
               dossier("K1", procedure="DAYS", received="02/06/2025 08:00", due="05/06/2025 17:00")]  # fmt: skip
    import_dossiers(changed)
    found = _by_code(handling_times(HandlingTimeSummary.objects.all(), JUNE))
    # A: 5 working days now; E finished after 1; B 2, C 3, D 0 -> 11 / 5. K1 is open again: no row.
    assert (found["1.001193"].finished, found["1.001193"].average) == (5, Decimal("2.2"))
    assert "DAYS" not in found
    incremental = handling_tables()
    # The province's totals are the per-unit rows summed.
    assert _by_code(handling_times(ProvinceHandlingTimeSummary.objects.all(), JUNE))["1.001193"].average == Decimal(
        "2.2"
    )
    HandlingTimeSummary.objects.all().delete()
    ProvinceHandlingTimeSummary.objects.all().delete()
    recompute_all_summaries()
    assert handling_tables() == incremental


def test_the_page_and_the_api_show_the_average_in_vietnamese(
    client, leader, province, import_dossiers, unit_procedures
):
    import_dossiers(HAND_BUILT)
    client.force_login(leader)
    page = client.get(reverse("service_index:page"), {"period": "2025-06"}, HTTP_ACCEPT_LANGUAGE="vi")
    body = page.content.decode()
    assert "Thời gian giải quyết trung bình theo thủ tục" in body
    assert "1,8 ngày làm việc" in body  # 1.75, one decimal
    assert "3,5 giờ" in body and "2,5 ngày" in body
    assert [h.code for h in page.context["handling"]] == ["1.001193", "DAYS", "HOURS"]
    api = client.get(reverse("service-index"), {"unit": province.code, "period": "2025-06"}).json()
    assert api["handling_time"][0] == {
        "procedure": "1.001193",
        "name": "Đăng ký khai sinh",
        "unit": "working_days",
        "finished": 4,
        "average": "1.75",
        "time_limit": "1",
        "source": "computed",
    }
    commune = client.get(reverse("service-index"), {"unit": "21551", "period": "2025-06"}).json()
    assert commune["handling_time"] == []  # every hand-built dossier was received by 21550


def test_the_full_list_is_scoped_and_drills_down_to_a_commune(
    client, leader, outsider, province, communes, import_dossiers, unit_procedures, django_assert_num_queries
):
    import_dossiers(HAND_BUILT)
    url = reverse("service_index:handling_times")
    client.force_login(leader)
    with django_assert_num_queries(7):  # session, user, scope (2), the province, the per-procedure sums, procedures
        response = client.get(url, {"period": "2025-06"})
    assert response.context["page"].paginator.count == 3
    with django_assert_num_queries(5):  # cached until the next import: session, user, scope (2), the province
        again = client.get(url, {"period": "2025-06"})
    assert [row.code for row in again.context["page"]] == [row.code for row in response.context["page"]]
    other = client.get(url, {"period": "2025-06", "unit": communes[1].pk})
    assert other.context["page"].paginator.count == 0 and "Xã Ia Grai" in other.content.decode()
    client.force_login(outsider)
    assert client.get(url, {"period": "2025-06", "province": province.code}).status_code == 404


def test_a_commune_user_sees_only_the_communes_handling_times(client, make_user, communes, import_dossiers,
                                                            unit_procedures):  # fmt: skip
    import_dossiers([*HAND_BUILT, dossier("Z", unit="21551", received="02/06/2025 08:00", due="03/06/2025 17:00",
                                          finished="12/06/2025 08:00", procedure="DAYS")])  # fmt: skip
    client.force_login(make_user("commune_officer", "viewer", units=[communes[1]]))
    own = client.get(reverse("service-index"), {"unit": "21551", "period": "2025-06"}).json()["handling_time"]
    assert [(h["procedure"], h["finished"], h["average"]) for h in own] == [("DAYS", 1, "10.00")]
    assert client.get(reverse("service-index"), {"unit": "21550", "period": "2025-06"}).status_code == 404
    assert client.get(reverse("service_index:handling_times"), {"period": "2025-06"}).status_code == 404


def test_the_pages_worst_few_are_the_head_of_the_whole_ordering(import_dossiers, unit_procedures):
    import_dossiers(HAND_BUILT)
    everything = handling_times(HandlingTimeSummary.objects.all(), JUNE)
    assert len(everything) > 2
    for limit in (1, 2, len(everything) + 5):
        worst, count = worst_handling_times(HandlingTimeSummary.objects.all(), JUNE, limit)
        assert worst == everything[:limit]
        assert count == len(everything)
