import datetime as dt

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from provinces.models import SteeringCommittee, SteeringCommitteeMember


@pytest.fixture
def committee(province):
    return SteeringCommittee.objects.create(province=province, name="Ban Chỉ đạo CCHC tỉnh Gia Lai")


def committee_data(committee, **changes):
    data = {
        "name": committee.name,
        "establishing_decision_number": "Quyết định số 156/QĐ-UBND",
        "establishing_decision_date": "15/07/2025",
        "establishing_decision_signer": "Chủ tịch UBND tỉnh",
        "regulation_decision_number": "Quyết định số 01/QĐ-BCĐCCHC",
        "regulation_decision_date": "18/9/2019",
        "version": committee.version,
    }
    return {**data, **changes}


def test_home_affairs_records_the_committees_decisions_with_day_first_dates(client, province_admin, committee):
    client.force_login(province_admin)
    response = client.post(reverse("provinces:committee_edit", args=[committee.pk]), committee_data(committee))
    assert response.status_code == 302
    committee.refresh_from_db()
    assert committee.regulation_decision_date == dt.date(2019, 9, 18)
    page = client.get(committee.get_absolute_url()).content.decode()
    assert "Quyết định số 01/QĐ-BCĐCCHC" in page
    assert "18/09/2019" in page


def test_a_stale_committee_form_is_refused_and_shows_the_current_values(client, province_admin, committee):
    client.force_login(province_admin)
    stale_version = committee.version
    first = client.post(
        reverse("provinces:committee_edit", args=[committee.pk]),
        committee_data(committee, regulation_decision_number="QĐ 02/QĐ-BCĐCCHC"),
    )
    assert first.status_code == 302
    second = client.post(
        reverse("provinces:committee_edit", args=[committee.pk]),
        committee_data(committee, regulation_decision_number="QĐ 03/QĐ-BCĐCCHC", version=stale_version),
    )
    assert second.status_code == 409
    committee.refresh_from_db()
    assert committee.regulation_decision_number == "QĐ 02/QĐ-BCĐCCHC"
    assert "QĐ 02/QĐ-BCĐCCHC" in second.content.decode()


def test_adding_and_ending_a_members_term_is_recorded_in_the_history(client, province_admin, committee, home_affairs):
    client.force_login(province_admin)
    client.post(
        reverse("provinces:member_create", args=[committee.pk]),
        {
            "person_name": "Lê Văn Cường",
            "position": "Giám đốc Sở Nội vụ",
            "agency": home_affairs.pk,
            "role": "vice_chair",
            "term_start": "15/07/2025",
            "order": 30,
        },
    )
    member = SteeringCommitteeMember.objects.get(person_name="Lê Văn Cường")
    assert member.is_current
    client.post(reverse("provinces:member_end_term", args=[committee.pk, member.pk]))
    member.refresh_from_db()
    assert member.term_end is not None and not member.is_current
    events = AuditEvent.objects.for_object(member)
    assert [e.action for e in events] == ["update", "create"]
    assert events[0].actor == province_admin
    assert events[0].changes["term_end"][0] is None
    history = client.get(reverse("provinces:committee_history", args=[committee.pk])).content.decode()
    assert "Lê Văn Cường" in history


def test_working_group_members_are_listed_apart_from_the_committee(client, leader, committee):
    SteeringCommitteeMember.objects.create(
        committee=committee, person_name="Nguyễn Văn An", position="Chủ tịch UBND tỉnh", role="chair"
    )
    SteeringCommitteeMember.objects.create(
        committee=committee, person_name="Ngô Thị Lan", position="Trưởng phòng CCHC", role="wg_member"
    )
    client.force_login(leader)
    response = client.get(committee.get_absolute_url())
    assert [m.person_name for m in response.context["committee_members"]] == ["Nguyễn Văn An"]
    assert [m.person_name for m in response.context["working_group"]] == ["Ngô Thị Lan"]
    assert reverse("provinces:committee_edit", args=[committee.pk]) not in response.content.decode()


def test_a_province_admin_without_a_committee_is_offered_to_record_one(client, province_admin, province):
    client.force_login(province_admin)
    response = client.get(reverse("provinces:committee_mine"))
    assert response["Location"] == reverse("provinces:committee_create", args=[province.pk])
    client.post(response["Location"], {"name": "Ban Chỉ đạo CCHC tỉnh Gia Lai"})
    assert SteeringCommittee.objects.get(province=province).name == "Ban Chỉ đạo CCHC tỉnh Gia Lai"


def test_committee_page_query_count_does_not_grow_with_members(
    client, leader, committee, home_affairs, django_assert_num_queries
):
    for i in range(12):
        SteeringCommitteeMember.objects.create(
            committee=committee, person_name=f"Thành viên {i}", position="Giám đốc", agency=home_affairs
        )
    client.force_login(leader)
    client.get(committee.get_absolute_url())
    # session, user, scope (units, agencies), committee, members with agencies
    with django_assert_num_queries(6):
        assert client.get(committee.get_absolute_url()).status_code == 200
