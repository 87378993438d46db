"""The reporting pages' dates are typed day-first (20/09/2026) in text inputs, not <input type="date">,
which Chromium shows in the browser's language (mm/dd/yyyy on an English browser)."""

import datetime as dt

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from cchc_portal.lib.periods import ReportingPeriod
from cchc_portal.widgets import DateInputError, parse_date_input
from reports.models import ReportRound

BAD_DATES = ["31/02/2026", "09/20/2026", "20/9", "hôm nay", ""]
YEAR_MESSAGE = "Năm phải từ 1900 đến 2100 (nhập ngày theo dạng dd/mm/yyyy, ví dụ 20/09/2026)."


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
    assert (
        'name="document_date" id="id_document_date" value="05/07/2026" placeholder="dd/mm/yyyy" inputmode="numeric">'
        in province
    )
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
    response = client.post(reverse("reports:open"), data)
    assert response.status_code == 400  # the list again with the form as typed (tests/reports/test_kept_forms.py)
    assert "Chưa mở đợt báo cáo; xem thông báo trong biểu mẫu." in _messages(response)
    assert "Hạn nộp của đơn vị không phải là ngày hợp lệ (nhập dd/mm/yyyy)." in _messages(response)
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
    # the board's own message: it has no period to choose, unlike the round-opening form
    assert "Hạn nộp của đơn vị không phải là ngày hợp lệ (nhập dd/mm/yyyy)." in _messages(response)
    assert "kỳ báo cáo" not in _messages(response)
    rnd.refresh_from_db()
    assert rnd.internal_deadline == dt.date(2026, 6, 10)


@pytest.mark.parametrize("typed", ["20/06/0026", "01/01/1899", "01/01/2101"])
def test_the_board_refuses_a_year_out_of_range(client, rnd, province_admin, typed):
    client.force_login(province_admin)
    url = reverse("reports:deadline", args=[rnd.pk])
    response = client.post(url, {"internal_deadline": typed, "version": rnd.version}, follow=True)
    assert f"Hạn nộp của đơn vị: {YEAR_MESSAGE}" in _messages(response)
    rnd.refresh_from_db()
    assert rnd.internal_deadline == dt.date(2026, 6, 10)


def test_opening_a_round_refuses_a_year_out_of_range(client, province, agency, province_admin):
    client.force_login(province_admin)
    data = {"period": ReportingPeriod(2026, "m9").slug, "internal_deadline": "20/09/0026"}
    response = client.post(reverse("reports:open"), data)
    assert response.status_code == 400
    assert f'<small class="error" id="error_internal_deadline" role="alert">{YEAR_MESSAGE}</small>' in _messages(
        response
    )
    assert not ReportRound.objects.exists()


def _save_province_report(client, rnd, document_date):
    data = {"version": rnd.version, "document_number": "215", "document_date": document_date}
    return client.post(reverse("reports:consolidated", args=[rnd.pk]), data, follow=True)


def test_the_provinces_report_takes_a_day_first_document_date_or_none(client, rnd, province_admin):
    client.force_login(province_admin)
    response = _save_province_report(client, rnd, "20/09/2026")
    assert "Đã lưu báo cáo của tỉnh." in _messages(response)
    rnd.refresh_from_db()
    assert rnd.document_date == dt.date(2026, 9, 20)
    assert 'name="document_date" id="id_document_date" value="20/09/2026"' in _messages(response)
    _save_province_report(client, rnd, "")
    rnd.refresh_from_db()
    assert rnd.document_date is None


TYPED_REPORT = {
    "document_number": "215",
    "signer_title": "KT. CHỦ TỊCH",
    "signer_position": "PHÓ CHỦ TỊCH",
    "signer_name": "Nguyễn Văn Bình",
    "recipients": "- Bộ Nội vụ;\n- Lưu: VT, SNV.",
}


@pytest.mark.parametrize(
    "typed, message",
    [
        ("31/02/2026", "Hãy nhập ngày văn bản theo dạng ngày/tháng/năm."),
        ("09/20/2026", "Hãy nhập ngày văn bản theo dạng ngày/tháng/năm."),
        ("hôm nay", "Hãy nhập ngày văn bản theo dạng ngày/tháng/năm."),
        ("20/09/0026", YEAR_MESSAGE),
    ],
)
def test_a_bad_document_date_keeps_what_was_typed_and_saves_nothing(client, rnd, province_admin, typed, message):
    client.force_login(province_admin)
    section = rnd.template.active_sections()[0]
    events = AuditEvent.objects.count()
    data = {**TYPED_REPORT, f"text-{section.code}": "Tỉnh đã hoàn thành kế hoạch.", "document_date": typed,
            "version": rnd.version}  # fmt: skip
    response = client.post(reverse("reports:consolidated", args=[rnd.pk]), data)
    assert response.status_code == 400  # the page again, not a redirect that drops the form
    page = _messages(response)
    assert "Chưa lưu báo cáo của tỉnh; xem thông báo bên cạnh ngày văn bản." in page
    assert (f'id="id_document_date" value="{typed}" placeholder="dd/mm/yyyy" inputmode="numeric" '
            'aria-invalid="true" aria-describedby="error_document_date">') in page  # fmt: skip
    assert f'<small class="error" id="error_document_date" role="alert">{message}</small>' in page
    assert 'name="document_number" id="id_document_number" value="215"' in page
    assert 'value="Nguyễn Văn Bình"' in page and 'value="KT. CHỦ TỊCH"' in page
    assert "- Bộ Nội vụ;\n- Lưu: VT, SNV.</textarea>" in page
    assert "Tỉnh đã hoàn thành kế hoạch.</textarea>" in page
    assert f'name="version" value="{rnd.version}"' in page
    rnd.refresh_from_db()
    assert rnd.document_number == "" and rnd.document_date is None and not rnd.texts
    assert AuditEvent.objects.count() == events


def test_the_kept_form_saves_once_the_date_is_corrected(client, rnd, province_admin):
    client.force_login(province_admin)
    url = reverse("reports:consolidated", args=[rnd.pk])
    data = {**TYPED_REPORT, "document_date": "20/09/0026", "version": rnd.version}
    assert client.post(url, data).status_code == 400
    response = client.post(url, {**data, "document_date": "20/09/2026"}, follow=True)
    assert "Đã lưu báo cáo của tỉnh." in _messages(response)
    rnd.refresh_from_db()
    assert rnd.document_date == dt.date(2026, 9, 20) and rnd.signer_name == "Nguyễn Văn Bình"


def test_the_province_report_still_refuses_a_stale_version(client, rnd, province_admin):
    client.force_login(province_admin)
    url = reverse("reports:consolidated", args=[rnd.pk])
    stale = rnd.version
    client.post(url, {**TYPED_REPORT, "document_date": "20/09/2026", "version": stale})
    response = client.post(url, {**TYPED_REPORT, "signer_name": "Người khác", "version": stale})
    assert response.status_code == 409  # shown again, kept, beside what is saved (tests/reports/test_kept_forms.py)
    assert 'name="signer_name" id="id_signer_name" value="Người khác"' in _messages(response)
    rnd.refresh_from_db()
    assert rnd.signer_name == "Nguyễn Văn Bình"


def test_iso_dates_are_still_read_and_the_english_ui_reads_day_first_too(english):
    assert parse_date_input("20/09/2026") == dt.date(2026, 9, 20)
    assert parse_date_input(" 2026-09-20 ") == dt.date(2026, 9, 20)
    with pytest.raises(ValueError):
        parse_date_input("09/20/2026")


def test_a_year_before_1900_or_after_2100_is_refused():
    assert parse_date_input("01/01/1900") == dt.date(1900, 1, 1)
    assert parse_date_input("31/12/2100") == dt.date(2100, 12, 31)
    for typed in ("20/09/0026", "0026-09-20", "31/12/1899", "01/01/2101"):
        with pytest.raises(DateInputError) as refused:
            parse_date_input(typed)
        assert refused.value.code == "year_range" and refused.value.message == YEAR_MESSAGE
    with pytest.raises(DateInputError) as refused:
        parse_date_input("31/02/2026")
    assert refused.value.code == "invalid" and refused.value.message == "Nhập một ngày hợp lệ theo dạng dd/mm/yyyy."
