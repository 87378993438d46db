"""Each Decision 766 indicator on small hand-built dossier sets, read back from the summaries."""

from decimal import Decimal

import pytest

from dossiers.models import Dossier
from service_index.models import Formula

from .conftest import dossier

pytestmark = pytest.mark.django_db

FINISHED = "Đã giải quyết"


def test_days_waiting_for_supplementation_are_subtracted_before_judging_on_time(import_dossiers, june_rates):
    import_dossiers(
        [
            # Due 4/6, finished 8/6, waited 3/6 → 7/6 (4 days): due moves to 8/6, on time.
            dossier("WAITED", finished="08/06/2025 10:00", status=FINISHED, count="1", requested="03/06/2025",
                    completed="07/06/2025"),
            # Waited 2 days only (3/6 → 5/6): due 6/6, finished 8/6, late.
            dossier("SHORT", finished="08/06/2025 10:00", status=FINISHED, count="1", requested="03/06/2025",
                    completed="05/06/2025"),
        ],
        columns=("count", "requested", "completed"),
    )  # fmt: skip
    assert dict(Dossier.objects.values_list("receipt_number", "late_766")) == {"WAITED": False, "SHORT": True}
    on_time = june_rates()[Formula.ON_TIME]
    assert (on_time.numerator, on_time.denominator, on_time.rate) == (1, 2, Decimal("50.00"))


def test_more_than_one_supplementation_request_makes_a_dossier_late(import_dossiers, june_rates):
    import_dossiers(
        [
            dossier("ONCE", finished="03/06/2025 10:00", status=FINISHED, count="1"),
            dossier("TWICE", finished="03/06/2025 10:00", status=FINISHED, count="2"),
        ],
        columns=("count",),
    )
    assert dict(Dossier.objects.values_list("receipt_number", "late_766")) == {"ONCE": False, "TWICE": True}
    assert june_rates()[Formula.ON_TIME].rate == Decimal("50.00")


def test_the_end_of_processing_is_the_first_of_processed_returned_or_stopped(import_dossiers, june_rates):
    import_dossiers(
        [
            # Result recorded late (10/6) but returned to the citizen on 4/6: judged on 4/6.
            dossier("RETURNED-FIRST", finished="10/06/2025 09:00", returned="04/06/2025 16:00", status=FINISHED),
            # Refused on 3/6, before its due day: processing ended, on time.
            dossier("REFUSED", returned="03/06/2025 09:00", status="Trả lại hồ sơ"),
            # Withdrawn after its due day: late.
            dossier("WITHDRAWN", returned="06/06/2025 09:00", status="Công dân rút hồ sơ"),
        ]
    )
    assert dict(Dossier.objects.values_list("receipt_number", "late_766")) == {
        "RETURNED-FIRST": False,
        "REFUSED": False,
        "WITHDRAWN": True,
    }
    on_time = june_rates()[Formula.ON_TIME]
    assert (on_time.numerator, on_time.denominator) == (2, 3)


def test_an_unfinished_dossier_is_judged_at_the_end_of_the_period(import_dossiers, june_rates):
    import_dossiers(
        [
            dossier("DONE", finished="03/06/2025 10:00", status=FINISHED),
            dossier("OVERDUE-IN-JUNE", status="Đang giải quyết"),  # due 4/6, still open at the end of June
            dossier("DUE-IN-JULY", received="30/06/2025 08:00", due="03/07/2025 17:00", status="Đang giải quyết"),
        ]
    )
    on_time = june_rates()[Formula.ON_TIME]
    # The open dossier due in July is not judged in June; the one overdue at June's end is late.
    assert (on_time.numerator, on_time.denominator, on_time.rate) == (1, 2, Decimal("50.00"))


def test_online_dossiers_of_paper_result_procedures_count_only_with_an_electronic_result(import_dossiers, june_rates):
    online = "Trực tuyến toàn trình"
    import_dossiers(
        [
            dossier("PAPER-E", procedure="PAPER", channel=online, due="10/06/2025 17:00", e_result="Có"),
            dossier("PAPER-NO-E", procedure="PAPER", channel=online, due="10/06/2025 17:00", e_result="Không"),
            dossier("PLAIN-ONLINE", channel="Trực tuyến một phần", e_result="Không"),
            dossier("IN-PERSON", e_result="Có"),
        ],
        columns=("e_result",),
    )
    share = june_rates()[Formula.ONLINE_SHARE]
    assert (share.numerator, share.denominator, share.rate) == (2, 4, Decimal("50.00"))


def test_online_payment_is_over_fee_bearing_dossiers_only(import_dossiers, june_rates):
    import_dossiers(
        [
            dossier("PAID", fee="50.000", paid="Cổng Dịch vụ công quốc gia"),
            dossier("PAID-LOCAL", fee="Có", paid="Cổng DVC tỉnh"),
            dossier("CASH", fee="20.000", paid="Tiền mặt"),
            dossier("FREE", fee="0", paid=""),
        ],
        columns=("fee", "paid"),
    )
    payment = june_rates()[Formula.ONLINE_PAYMENT]
    assert (payment.numerator, payment.denominator) == (2, 3)
    assert payment.rate == Decimal("66.67")


def test_electronic_results_digitised_and_reused_dossiers(import_dossiers, june_rates):
    import_dossiers(
        [
            dossier("A", finished="03/06/2025 10:00", status=FINISHED, e_result="https://ketqua.example/a.pdf",
                    digitised="x", reused="Có"),
            dossier("B", finished="03/06/2025 10:00", status=FINISHED, e_result="", digitised="x", reused=""),
            dossier("C", status="Đang giải quyết", e_result="", digitised="", reused=""),
        ],
        columns=("e_result", "digitised", "reused"),
    )  # fmt: skip
    rates = june_rates()
    # Results: of the two finished dossiers one has an electronic result.
    assert (rates[Formula.E_RESULTS].numerator, rates[Formula.E_RESULTS].denominator) == (1, 2)
    # Digitised: components digitised and no missing electronic result (B has none).
    assert (rates[Formula.DIGITISED].numerator, rates[Formula.DIGITISED].denominator) == (1, 3)
    assert (rates[Formula.REUSE].numerator, rates[Formula.REUSE].denominator) == (1, 3)


def test_satisfaction_is_100_minus_the_late_rate_and_the_complaint_share(import_dossiers, june_rates):
    rows = [dossier(f"OK{n}", finished="03/06/2025 10:00", status=FINISHED, complaint="") for n in range(8)]
    rows.append(dossier("LATE", finished="06/06/2025 10:00", status=FINISHED, complaint=""))
    rows.append(dossier("UNHAPPY", finished="03/06/2025 10:00", status=FINISHED, complaint="Có"))
    import_dossiers(rows, columns=("complaint",))
    # Late 10% + complaints 10% → 80%.
    assert june_rates()[Formula.SATISFACTION].rate == Decimal("80.00")


def test_a_missing_column_leaves_its_indicator_without_data_not_at_zero(import_dossiers, june_rates):
    import_dossiers([dossier("HS-1", finished="03/06/2025 10:00", status=FINISHED)])
    rates = june_rates()
    for formula in (Formula.ONLINE_PAYMENT, Formula.E_RESULTS, Formula.DIGITISED, Formula.REUSE,
                    Formula.SATISFACTION):  # fmt: skip
        assert rates[formula].rate is None, formula
    assert rates[Formula.ON_TIME].rate == Decimal("100.00")
    assert rates[Formula.ONLINE_SHARE].rate == Decimal("0.00")  # the channel is always known
    assert Dossier.objects.get().e_result is None


def test_a_supplementation_finished_before_it_was_requested_is_a_row_error(import_dossiers):
    report = import_dossiers(
        [
            dossier("BAD", count="1", requested="05/06/2025", completed="03/06/2025"),
            dossier("GOOD", count="1", requested="03/06/2025", completed="05/06/2025"),
        ],
        columns=("count", "requested", "completed"),
        errors=True,
    )
    assert report.error_rows == 1
    assert report.errors_sample[0]["column"] == "Ngày hoàn thành bổ sung"
    assert list(Dossier.objects.values_list("receipt_number", flat=True)) == ["GOOD"]


def test_a_payment_on_a_free_procedure_is_a_row_error(import_dossiers):
    report = import_dossiers(
        [dossier("FREE-PAID", fee="Miễn phí", paid="Cổng DVC quốc gia"), dossier("OK", fee="Có", paid="Có")],
        columns=("fee", "paid"),
        errors=True,
    )
    assert report.error_rows == 1
    assert report.errors_sample[0]["column"] == "Thanh toán trực tuyến"
    assert list(Dossier.objects.values_list("receipt_number", flat=True)) == ["OK"]
