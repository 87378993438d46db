"""The round's dates are typed day-first (20/09/2026) in text inputs (VnDateInput), not <input type="date">,
which Chromium shows in the browser's language (mm/dd/yyyy on an English browser)."""

import datetime as dt

import pytest
from django.urls import reverse

from assessments.forms import PublishForm
from assessments.models import DeadlineExtension, Round, Stage
from audit.models import AuditEvent

from .conftest import set_stage

OPENING = {
    "self_opens": "01/09/2026",
    "self_closes": "20/09/2026",
    "appraisal1_closes": "05/10/2026",
    "explanation_closes": "12/10/2026",
    "appraisal2_closes": "20/10/2026",
}
YEAR_MESSAGE = "Năm phải từ 1900 đến 2100 (nhập ngày theo dạng dd/mm/yyyy, ví dụ 20/09/2026)."
INVALID = "Nhập một ngày hợp lệ theo dạng dd/mm/yyyy."


def test_the_round_forms_show_day_first_text_inputs(client, methodology, criteria, province_admin, round_):
    client.force_login(province_admin)
    url = reverse("assessments:round_detail", args=[round_.pk])
    for stage, name in ((Stage.SELF, "new_date"), (Stage.FINALISING, "decision_date")):
        set_stage(round_, stage)
        page = client.get(url).content.decode()
        assert 'type="date"' not in page
        assert f'type="text" name="{name}" placeholder="dd/mm/yyyy" inputmode="numeric" required' in page


def test_the_opening_form_shows_day_first_text_inputs(client, methodology, criteria, province_admin):
    client.force_login(province_admin)
    page = client.get(reverse("assessments:methodology_detail", args=[methodology.pk])).content.decode()
    assert 'type="date"' not in page
    for name in OPENING:
        assert f'type="text" name="{name}" placeholder="dd/mm/yyyy" inputmode="numeric" required' in page


def test_a_round_opens_with_day_first_dates(client, methodology, criteria, agency, finance, province_admin):
    client.force_login(province_admin)
    response = client.post(reverse("assessments:round_create", args=[methodology.pk]), OPENING, follow=True)
    round_ = Round.objects.get(methodology=methodology)
    assert round_.self_opens == dt.date(2026, 9, 1)
    assert round_.self_closes == dt.date(2026, 9, 20)
    assert round_.appraisal2_closes == dt.date(2026, 10, 20)
    assert "(01/09/2026 – 20/09/2026)" in response.content.decode()


@pytest.mark.parametrize(
    "typed, message",
    [("31/02/2026", INVALID), ("09/20/2026", INVALID), ("hôm nay", INVALID), ("20/09/0026", YEAR_MESSAGE)],
)
def test_a_bad_opening_date_keeps_the_dates_typed_and_opens_nothing(client, methodology, criteria, province_admin,
                                                                    typed, message):  # fmt: skip
    client.force_login(province_admin)
    events = AuditEvent.objects.count()
    data = {**OPENING, "self_closes": typed}
    response = client.post(reverse("assessments:round_create", args=[methodology.pk]), data)
    assert response.status_code == 400  # the page again with the form as typed, not a redirect
    page = response.content.decode()
    assert "Chưa mở đợt chấm điểm; xem thông báo bên cạnh các ngày." in page
    # the button is the scoring round's ("Open the round" alone was the reporting round's "Mở đợt báo cáo")
    assert '<button type="submit" class="primary">Mở đợt chấm điểm</button>' in page
    assert f'name="self_closes" value="{typed}"' in page
    assert f'<small class="error" role="alert">{message}</small>' in page
    for name, value in OPENING.items():
        if name != "self_closes":
            assert f'name="{name}" value="{value}"' in page
    assert not Round.objects.filter(methodology=methodology).exists()
    assert AuditEvent.objects.count() == events


def test_dates_out_of_order_keep_the_form_and_say_why(client, methodology, criteria, province_admin):
    client.force_login(province_admin)
    data = {**OPENING, "self_closes": "20/10/2027"}
    response = client.post(reverse("assessments:round_create", args=[methodology.pk]), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert 'name="self_closes" value="20/10/2027"' in page
    assert "Các thời hạn phải theo đúng thứ tự các giai đoạn." in page
    assert not Round.objects.filter(methodology=methodology).exists()
    response = client.post(reverse("assessments:round_create", args=[methodology.pk]), OPENING)
    round_ = Round.objects.get(methodology=methodology)
    assert response.status_code == 302 and response.url == round_.get_absolute_url()
    assert AuditEvent.objects.for_object(round_).exists()


def test_a_second_round_is_still_refused_on_the_methodology_page(client, methodology, criteria, province_admin,
                                                                 round_):  # fmt: skip
    client.force_login(province_admin)
    response = client.post(reverse("assessments:round_create", args=[methodology.pk]), OPENING, follow=True)
    assert "Bộ tiêu chí này đã có đợt chấm điểm." in response.content.decode()
    assert Round.objects.filter(methodology=methodology).count() == 1


def test_a_deadline_is_extended_to_a_day_first_date(client, round_, province_admin):
    client.force_login(province_admin)
    new_date = round_.self_closes + dt.timedelta(days=3)
    data = {"stage": "self", "new_date": new_date.strftime("%d/%m/%Y"), "reason": "Nghỉ lễ"}
    response = client.post(reverse("assessments:round_extend", args=[round_.pk]), data, follow=True)
    assert "Đã gia hạn." in response.content.decode()
    round_.refresh_from_db()
    assert round_.self_closes == new_date
    assert DeadlineExtension.objects.get(round=round_).new_date == new_date


def test_a_bad_extension_date_says_so(client, round_, province_admin):
    client.force_login(province_admin)
    before = round_.self_closes
    data = {"stage": "self", "new_date": "31/02/2026", "reason": "Nghỉ lễ"}
    response = client.post(reverse("assessments:round_extend", args=[round_.pk]), data, follow=True)
    assert response.status_code == 200
    assert "Hạn mới: Nhập một ngày hợp lệ theo dạng dd/mm/yyyy." in response.content.decode()
    round_.refresh_from_db()
    assert round_.self_closes == before and not DeadlineExtension.objects.exists()


def test_the_decision_date_is_read_day_first():
    data = {"version": 1, "decision_number": "123/QĐ-UBND", "decision_date": "05/12/2026", "signer": "Nguyễn Văn A"}
    form = PublishForm(data)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["decision_date"] == dt.date(2026, 12, 5)
    assert not PublishForm({**data, "decision_date": "12/31/2026"}).is_valid()
    refused = PublishForm({**data, "decision_date": "05/12/0026"})
    assert not refused.is_valid()
    assert refused.errors["decision_date"] == [YEAR_MESSAGE]


def test_a_bad_decision_date_says_so_and_publishes_nothing(client, round_, province_admin):
    set_stage(round_, Stage.FINALISING)
    client.force_login(province_admin)
    data = {"version": round_.version, "decision_number": "123/QĐ-UBND", "decision_date": "32/12/2026",
            "signer": "Nguyễn Văn A"}  # fmt: skip
    response = client.post(reverse("assessments:round_publish", args=[round_.pk]), data, follow=True)
    assert response.status_code == 200
    assert "Ngày quyết định: Nhập một ngày hợp lệ theo dạng dd/mm/yyyy." in response.content.decode()
    round_.refresh_from_db()
    assert not round_.is_published
