"""The methodology page's "not applicable to a unit" card: the province's Home Affairs staff mark a criterion
(and everything under it) as not applying to a unit before the round opens, see the marks, take one off;
every change audited; nobody else, and no other province, can."""

import pytest
from django.urls import reverse

from assessments.models import NotApplicable, Score
from assessments.scoring import round_open
from audit.models import AuditEvent

from .conftest import deadlines


@pytest.fixture
def na_url(methodology):
    return reverse("assessments:not_applicable_create", args=[methodology.pk])


def _card(response) -> str:
    page = response.content.decode()
    start = page.index('data-testid="not-applicable"')
    return page[start : page.index("</section>", start)]


def test_the_card_shows_its_form_with_the_criteria_and_the_units(client, methodology, criteria, agency, finance,
                                                                  province_admin):  # fmt: skip
    client.force_login(province_admin)
    card = _card(client.get(methodology.get_absolute_url()))
    assert 'action="' + reverse("assessments:not_applicable_create", args=[methodology.pk]) + '"' in card
    assert f'<option value="{criteria["1.1"].pk}">1.1 Kế hoạch CCHC</option>' in card
    assert f'<option value="{finance.pk}">Sở Tài chính</option>' in card
    assert f'<option value="{agency.pk}">' in card
    assert '<label for="id_na_reason">Lý do</label>' in card
    assert "Mọi tiêu chí đều áp dụng với mọi đơn vị." in card


def test_a_mark_is_added_listed_audited_and_taken_off(client, methodology, criteria, finance, province_admin, na_url):
    client.force_login(province_admin)
    response = client.post(na_url, {"criterion": criteria["2"].pk, "subject": finance.pk, "reason": "Không có TTHC"},
                           follow=True)  # fmt: skip
    exclusion = NotApplicable.objects.get()
    assert (exclusion.criterion, exclusion.agency, exclusion.reason) == (criteria["2"], finance, "Không có TTHC")
    page = response.content.decode()
    assert "Đã ghi nhận: tiêu chí 2 không áp dụng với Sở Tài chính." in page
    assert "2 — Sở Tài chính: Không có TTHC" in _card(response)
    created = AuditEvent.objects.for_object(exclusion).get()
    assert (created.action, created.actor) == ("create", province_admin)

    delete_url = reverse("assessments:not_applicable_delete", args=[methodology.pk, exclusion.pk])
    response = client.post(delete_url, follow=True)
    assert not NotApplicable.objects.exists()
    assert "Tiêu chí 2 áp dụng lại với Sở Tài chính." in response.content.decode()
    deleted = AuditEvent.objects.filter(action="delete", object_id=str(exclusion.pk)).get()
    assert deleted.actor == province_admin and deleted.changes["reason"] == ["Không có TTHC", None]


def test_the_mark_is_used_when_the_round_opens_and_the_card_then_only_lists(
    client, methodology, criteria, agency, finance, province_admin, na_url
):
    client.force_login(province_admin)
    client.post(na_url, {"criterion": criteria["2"].pk, "subject": finance.pk})
    round_ = round_open(methodology, deadlines=deadlines())
    finance_area_2 = Score.objects.get(assessment__round=round_, assessment__agency=finance, criterion=criteria["2"])
    assert not finance_area_2.applicable
    assert Score.objects.get(assessment__round=round_, assessment__agency=agency, criterion=criteria["2"]).applicable
    card = _card(client.get(methodology.get_absolute_url()))
    assert "2 — Sở Tài chính" in card and "<form" not in card  # listed; no more changes
    assert "Không thể sửa bộ tiêu chí khi đợt chấm điểm đã mở." in card
    exclusion = NotApplicable.objects.get()
    client.post(reverse("assessments:not_applicable_delete", args=[methodology.pk, exclusion.pk]))
    assert NotApplicable.objects.exists()  # refused once the round is open
    assert client.post(na_url, {"criterion": criteria["1"].pk, "subject": agency.pk}).status_code == 302
    assert NotApplicable.objects.count() == 1


def test_a_unit_of_another_province_cannot_be_chosen(client, methodology, criteria, other_agency, province_admin,
                                                     na_url):  # fmt: skip
    client.force_login(province_admin)
    client.post(na_url, {"criterion": criteria["2"].pk, "subject": other_agency.pk})
    assert not NotApplicable.objects.exists()


def test_another_provinces_administrator_gets_404(client, methodology, criteria, finance, outsider, na_url):
    exclusion = NotApplicable.objects.create(criterion=criteria["2"], agency=finance)
    client.force_login(outsider)
    assert client.get(methodology.get_absolute_url()).status_code == 404
    assert client.post(na_url, {"criterion": criteria["1"].pk, "subject": finance.pk}).status_code == 404
    delete_url = reverse("assessments:not_applicable_delete", args=[methodology.pk, exclusion.pk])
    assert client.post(delete_url).status_code == 404
    assert list(NotApplicable.objects.all()) == [exclusion]


def test_the_provinces_leader_and_the_units_see_no_form_and_get_403(client, methodology, criteria, finance, leader,
                                                                     finance_officer, na_url):  # fmt: skip
    exclusion = NotApplicable.objects.create(criterion=criteria["2"], agency=finance)
    delete_url = reverse("assessments:not_applicable_delete", args=[methodology.pk, exclusion.pk])
    for user in (leader, finance_officer):  # a unit does not excuse itself from a criterion
        client.force_login(user)
        page = client.get(methodology.get_absolute_url())
        assert page.status_code in (200, 404)
        assert 'data-testid="not-applicable"' not in page.content.decode()
        assert client.post(na_url, {"criterion": criteria["1"].pk, "subject": finance.pk}).status_code in (403, 404)
        assert client.post(delete_url).status_code in (403, 404)
    assert list(NotApplicable.objects.all()) == [exclusion]


def test_a_mark_of_another_methodology_is_not_found_through_this_one(client, methodology, criteria, finance,
                                                                     province_admin):  # fmt: skip
    from assessments.models import Methodology

    other = Methodology.objects.create(province=methodology.province, year=2027, group=methodology.group, name="X")
    exclusion = NotApplicable.objects.create(criterion=criteria["2"], agency=finance)
    client.force_login(province_admin)
    assert client.post(reverse("assessments:not_applicable_delete", args=[other.pk, exclusion.pk])).status_code == 404
    assert NotApplicable.objects.exists()
