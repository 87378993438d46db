from decimal import Decimal

from dashboards.formatting import change_phrase, rank_change_text, rate_sentence, score_change_text


def test_a_score_gain_with_the_same_rank_reads_as_leaders_write_it():
    assert change_phrase(Decimal("1.82"), 0, "vi") == "+1,82 điểm; giữ nguyên"
    assert change_phrase(Decimal("1.82"), 0, "en") == "+1.82 points; unchanged"


def test_rank_moves_are_places_up_or_down():
    assert rank_change_text(7, "vi") == "tăng 7 bậc"
    assert rank_change_text(-3, "vi") == "giảm 3 bậc"
    assert rank_change_text(1, "en") == "up 1 place"
    assert rank_change_text(-3, "en") == "down 3 places"


def test_a_score_loss_keeps_its_sign_and_two_decimals():
    assert score_change_text(Decimal("-0.5"), "vi") == "-0,50 điểm"
    assert score_change_text(Decimal("0"), "vi") == "0,00 điểm"
    assert change_phrase(Decimal("-2.125"), -3, "vi") == "-2,13 điểm; giảm 3 bậc"


def test_nothing_to_compare_with_gives_no_phrase():
    assert change_phrase(None, None, "vi") == ""


def test_plan_completion_reads_as_in_provincial_reports():
    assert rate_sentence(26, 34, Decimal("76.47"), "vi") == "26/34 nhiệm vụ — 76,47%"
    assert rate_sentence(26, 34, Decimal("76.47"), "en") == "26/34 tasks — 76.47%"
