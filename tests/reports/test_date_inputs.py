"""The reporting pages' dates are typed day-first (20/09/2026) in text inputs, not <input type="date">,
which Chromium shows in the browser's language (mm/dd/yyyy on an English browser)."""

import datetime as dt

import pytest
from django.urls import reverse

from cchc_portal.lib.periods import ReportingPeriod
from cchc_portal.widgets import parse_date_input
from reports.models import ReportRound

BAD_DATES = ["31/02/2026", "09/20/2026", "20/9", "hôm nay", ""]


def _messages(response) -> str:
    return response.content.decode()


def test_the_pages_show_day_first_text_inputs(client, rnd, province_admin):
    client.force_login(province_admin)
    board = client.get(reverse("reports:board", args=[rnd.pk])).content.decode()
    assert 'type="date"' not in board
    assert 'name="internal_deadline" value="10/06/2026" placeholder="dd/mm/yyyy" inputmode="numeric" required' in board
    rnd.document_date = dt.date(2026, 7, 5)
    rnd.save(update_fields=["document_date"])
    province = client.get(reverse("reports:consolidated", args=[rnd.pk])).content.decode()
    assert 'type="date"' not in province
    assert 'name="document_date" value="05/07/2026" placeholder="dd/mm/yyyy" inputmode="numeric">' in province
    rounds = client.get(reverse("reports:rounds")).content.decode()
    assert 'type="date"' not in rounds
    assert 'id="id_internal_deadline" value="" placeholder="dd/mm/yyyy" inputmode="numeric" required' in rounds


def test_a_round_opens_with_a_day_first_deadline(client, province, agency, commune_committee, province_admin):
    client.force_login(province_admin)
    data = {"period": ReportingPeriod(2026, "m9").slug, "internal_deadline": "20/09/2026"}
    response = client.post(reverse("reports:open"), data, follow=True)
    rnd = ReportRound.objects.get()
    assert rnd.internal_deadline == dt.date(2026, 9, 20)
    assert "Đã mở đợt báo cáo: 2 đơn vị phải nộp." in _messages(response)


@pytest.mark.parametrize("typed", BAD_DATES)
def test_a_bad_deadline_when_opening_a_round_says_so(client, province, agency, province_admin, typed):
    client.force_login(province_admin)
    data = {"period": ReportingPeriod(2026, "m9").slug, "internal_deadline": typed}
    response = client.post(reverse("reports:open"), data, follow=True)
    assert response.status_code == 200
    assert "Hãy chọn kỳ báo cáo và hạn nộp hợp lệ cho các đơn vị." in _messages(response)
    assert not ReportRound.objects.exists()


def test_the_board_moves_the_deadline_typed_day_first(client, rnd, province_admin):
    client.force_login(province_admin)
    url = reverse("reports:deadline", args=[rnd.pk])
    response = client.post(url, {"internal_deadline": "05/06/2026", "version": rnd.version}, follow=True)
    rnd.refresh_from_db()
    assert rnd.internal_deadline == dt.date(2026, 6, 5)  # the 5th of June, not the 6th of May
    assert "Hạn nộp của đơn vị đã đổi thành 05/06/2026." in _messages(response)
    assert 'name="internal_deadline" value="05/06/2026"' in _messages(response)


def test_the_board_still_refuses_a_deadline_after_the_ministrys_due_date(client, rnd, province_admin):
    client.force_login(province_admin)
    url = reverse("reports:deadline", args=[rnd.pk])
    response = client.post(url, {"internal_deadline": "20/09/2026", "version": rnd.version}, follow=True)
    assert "Hạn nộp của đơn vị không được sau hạn báo cáo Bộ Nội vụ (20/06/2026)." in _messages(response)
    rnd.refresh_from_db()
    assert rnd.internal_deadline == dt.date(2026, 6, 10)


@pytest.mark.parametrize("typed", BAD_DATES)
def test_a_bad_deadline_on_the_board_says_so(client, rnd, province_admin, typed):
    client.force_login(province_admin)
    url = reverse("reports:deadline", args=[rnd.pk])
    response = client.post(url, {"internal_deadline": typed, "version": rnd.version}, follow=True)
    assert response.status_code == 200
    assert "Hãy chọn kỳ báo cáo và hạn nộp hợp lệ cho các đơn vị." in _messages(response)
    rnd.refresh_from_db()
    assert rnd.internal_deadline == dt.date(2026, 6, 10)


def _save_province_report(client, rnd, document_date):
    data = {"version": rnd.version, "document_number": "215", "document_date": document_date}
    return client.post(reverse("reports:consolidated", args=[rnd.pk]), data, follow=True)


def test_the_provinces_report_takes_a_day_first_document_date_or_none(client, rnd, province_admin):
    client.force_login(province_admin)
    response = _save_province_report(client, rnd, "20/09/2026")
    assert "Đã lưu báo cáo của tỉnh." in _messages(response)
    rnd.refresh_from_db()
    assert rnd.document_date == dt.date(2026, 9, 20)
    assert 'name="document_date" value="20/09/2026"' in _messages(response)
    _save_province_report(client, rnd, "")
    rnd.refresh_from_db()
    assert rnd.document_date is None


@pytest.mark.parametrize("typed", ["31/02/2026", "09/20/2026", "hôm nay"])
def test_a_bad_document_date_says_so_and_saves_nothing(client, rnd, province_admin, typed):
    client.force_login(province_admin)
    response = _save_province_report(client, rnd, typed)
    assert response.status_code == 200
    assert "Hãy nhập ngày văn bản theo dạng ngày/tháng/năm." in _messages(response)
    rnd.refresh_from_db()
    assert rnd.document_number == "" and rnd.document_date is None


def test_iso_dates_are_still_read_and_the_english_ui_reads_day_first_too(english):
    assert parse_date_input("20/09/2026") == dt.date(2026, 9, 20)
    assert parse_date_input(" 2026-09-20 ") == dt.date(2026, 9, 20)
    with pytest.raises(ValueError):
        parse_date_input("09/20/2026")
