"""A province administrator manages the officers, leaders and viewers of their own province."""

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import Role, User
from audit.models import AuditEvent

LIST = reverse("ops:user_list")
NEW = reverse("ops:user_create")


def _new_officer(client, agency, **extra):
    data = {"username": "nguyen.van.a", "first_name": "A", "last_name": "Nguyễn Văn", "email": "a@stp.gov.vn",
            "role": Role.AGENCY_OFFICER, "agencies": [agency.pk], **extra}  # fmt: skip
    return client.post(NEW, data)


def test_the_administrator_creates_an_officer_who_is_invited_by_email(client, province_admin, province, agency):
    client.force_login(province_admin)
    response = _new_officer(client, agency)
    assert response.status_code == 302
    user = User.objects.get(username="nguyen.van.a")
    assert (user.role, user.has_usable_password(), user.is_staff) == (Role.AGENCY_OFFICER, False, False)
    assert list(user.units.all()) == [province] and list(user.agencies.all()) == [agency]
    assert len(mail.outbox) == 1 and "/accounts/welcome/" in mail.outbox[0].body
    assert AuditEvent.objects.filter(note="province user", actor=province_admin).exists()
    listing = client.get(LIST).content.decode()
    assert "nguyen.van.a" in listing and "Đã mời, chưa đặt mật khẩu" in listing


def test_an_agency_of_another_province_cannot_be_given(client, province_admin, agency, other_agency):
    client.force_login(province_admin)
    response = _new_officer(client, agency, agencies=[other_agency.pk])
    assert response.status_code == 200
    assert not User.objects.filter(username="nguyen.van.a").exists()


def test_an_administrator_role_cannot_be_given(client, province_admin, agency):
    client.force_login(province_admin)
    for role in (Role.NATIONAL_ADMIN, Role.PROVINCE_ADMIN):
        assert _new_officer(client, agency, role=role).status_code == 200
    assert not User.objects.filter(username="nguyen.van.a").exists()


def test_an_officer_without_an_agency_is_refused_in_vietnamese(client, province_admin, agency):
    client.force_login(province_admin)
    response = _new_officer(client, agency, agencies=[])
    assert "Hãy chọn ít nhất một cơ quan" in response.content.decode()
    assert not User.objects.filter(username="nguyen.van.a").exists()


def test_disabling_a_user_is_audited(client, province_admin, leader):
    client.force_login(province_admin)
    data = {"first_name": "", "last_name": "", "email": "leader@gialai.gov.vn", "role": Role.LEADER}
    response = client.post(reverse("ops:user_edit", args=[leader.pk]), data)
    assert response.status_code == 302
    leader.refresh_from_db()
    assert not leader.is_active
    event = AuditEvent.objects.filter(note="province user").latest("pk")
    assert event.changes["is_active"] == [True, False]


def test_users_of_another_province_and_administrators_are_out_of_reach(
    client, province_admin, outsider, national_admin, make_user, other_province
):
    stranger = make_user("stranger", Role.VIEWER, units=[other_province])
    client.force_login(province_admin)
    for target in (stranger, outsider, national_admin):
        assert client.get(reverse("ops:user_edit", args=[target.pk])).status_code == 404
        assert client.post(reverse("ops:user_invite", args=[target.pk])).status_code == 404
    assert "stranger" not in client.get(LIST).content.decode()


@pytest.mark.parametrize("role", ["agency_officer", "leader", "viewer"])
def test_other_roles_cannot_open_the_page(client, users_by_role, role):
    client.force_login(users_by_role[role])
    assert client.get(LIST).status_code == 403


def test_the_list_costs_a_fixed_number_of_queries(client, province_admin, make_user, province, agency,
                                                   django_assert_num_queries):  # fmt: skip
    for n in range(5):
        make_user(f"officer{n}", Role.AGENCY_OFFICER, units=[province], agencies=[agency])
    client.force_login(province_admin)
    client.get(LIST)
    # session, user, scope (units, agencies), province, users, their agencies.
    with django_assert_num_queries(7):
        assert client.get(LIST).status_code == 200


def test_when_mail_fails_the_administrator_gets_the_link(client, province_admin, agency, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 1
    client.force_login(province_admin)
    response = _new_officer(client, agency)
    page = client.get(response["Location"]).content.decode()
    assert "/accounts/welcome/" in page


def test_the_province_administrators_home_links_to_the_users_page(client, province_admin):
    client.force_login(province_admin)
    page = client.get(reverse("home")).content.decode()
    assert 'data-testid="province-users-link"' in page and "Người dùng của tỉnh" in page
