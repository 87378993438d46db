"""Committee members: two simultaneous edits never lose one silently; rule breaks read as words on the field."""

import pytest
from django.urls import reverse

from provinces.models import SteeringCommittee, SteeringCommitteeMember, today


@pytest.fixture
def member(province):
    committee = SteeringCommittee.objects.create(province=province, name="Ban Chỉ đạo CCHC tỉnh")
    return SteeringCommitteeMember.objects.create(
        committee=committee, person_name="Trần Thị Bình", position="Phó Chủ tịch UBND tỉnh", role="vice_chair"
    )


def _payload(member, **changes):
    data = {
        "version": member.version, "person_name": member.person_name, "position": member.position, "agency": "",
        "role": member.role, "term_start": "", "term_end": "", "decision_number": "", "order": member.order,
    }  # fmt: skip
    return {**data, **changes}


def test_the_second_of_two_simultaneous_member_edits_is_refused_and_keeps_what_was_typed(
    client, province_admin, member
):
    client.force_login(province_admin)
    url = reverse("provinces:member_edit", args=[member.committee_id, member.pk])
    first = client.post(url, _payload(member, position="Chủ tịch UBND tỉnh"))
    assert first.status_code == 302
    second = client.post(url, _payload(member, decision_number="123/QĐ-UBND"))  # started from the old version
    assert second.status_code == 409
    form = second.context["form"]
    assert form["decision_number"].value() == "123/QĐ-UBND"
    assert {d.label: d.saved for d in form.conflict}["Chức vụ"] == "Chủ tịch UBND tỉnh"
    member.refresh_from_db()
    assert member.position == "Chủ tịch UBND tỉnh" and member.decision_number == ""
    again = client.post(url, {k: form[k].value() or "" for k in _payload(member)})
    assert again.status_code == 302
    member.refresh_from_db()
    assert member.decision_number == "123/QĐ-UBND" and member.version == 2


def test_a_term_ending_before_it_starts_is_explained_on_the_end_date(client, province_admin, member):
    client.force_login(province_admin)
    url = reverse("provinces:member_edit", args=[member.committee_id, member.pk])
    response = client.post(url, _payload(member, term_start="01/03/2025", term_end="28/02/2025"))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["term_end"] == ["Ngày thôi tham gia không thể trước ngày bắt đầu nhiệm kỳ."]
    assert "Constraint" not in response.content.decode() and "__all__" not in errors
    member.refresh_from_db()
    assert member.term_end is None


def test_ending_a_term_from_today_is_recorded_and_counts_as_an_edit(client, province_admin, member):
    client.force_login(province_admin)
    client.post(reverse("provinces:member_end_term", args=[member.committee_id, member.pk]))
    member.refresh_from_db()
    assert member.term_end == today() and member.version == 1


def test_ending_a_term_can_be_undone_once_from_the_history(client, province_admin, viewer, member):
    client.force_login(province_admin)
    committee = member.committee
    client.post(reverse("provinces:member_end_term", args=[committee.pk, member.pk]))
    history = client.get(reverse("provinces:committee_history", args=[committee.pk]))
    (row,) = [r for r in history.context["rows"] if r.undo_url]
    assert 'data-testid="undo"' in history.content.decode()
    viewer_client = client.__class__()
    viewer_client.force_login(viewer)
    assert viewer_client.post(row.undo_url).status_code == 403  # only Home Affairs may undo
    assert client.post(row.undo_url).status_code == 302
    member.refresh_from_db()
    assert member.term_end is None and member.version == 2
    client.post(row.undo_url)  # a second undo changes nothing
    member.refresh_from_db()
    assert member.version == 2
    rows = client.get(reverse("provinces:committee_history", args=[committee.pk])).context["rows"]
    assert not [r for r in rows if r.undo_url]
