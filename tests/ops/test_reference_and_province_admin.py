"""From an empty database to a province administrator: load_reference, create_province_admin."""

import io
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from accounts.models import Role, User
from audit.models import AuditEvent
from dossiers.models import Holiday
from indices.models import Index, Region
from provinces.models import AdministrativeUnit


@pytest.mark.slow
@pytest.mark.django_db
def test_load_reference_loads_everything_once_and_is_idempotent():
    call_command("load_reference", stdout=io.StringIO())
    counts = (
        AdministrativeUnit.objects.count(),
        Index.objects.count(),
        Region.objects.count(),
        Holiday.objects.count(),
    )
    assert AdministrativeUnit.objects.provinces().current().count() == 34
    assert counts[1] >= 3 and counts[2] == 6 and counts[3] > 30
    call_command("load_reference", stdout=io.StringIO())
    assert (
        AdministrativeUnit.objects.count(),
        Index.objects.count(),
        Region.objects.count(),
        Holiday.objects.count(),
    ) == counts


def _create(**options) -> str:
    out = io.StringIO()
    call_command("create_province_admin", stdout=out, **options)
    return out.getvalue()


def test_create_province_admin_invites_by_email_and_the_link_sets_the_first_password(client, province):
    output = _create(province="52", username="gialai.admin", email="admin@gialai.gov.vn")
    user = User.objects.get(username="gialai.admin")
    assert (user.role, user.is_staff, user.has_usable_password()) == (Role.PROVINCE_ADMIN, True, False)
    assert list(user.units.all()) == [province]
    assert AuditEvent.objects.filter(note="create_province_admin").exists()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["admin@gialai.gov.vn"]
    assert "Tên đăng nhập: gialai.admin" in mail.outbox[0].body
    link = re.search(r"http\S+/accounts/welcome/\S+", output).group(0)
    assert link in mail.outbox[0].body

    path = link.split("8000", 1)[1]
    response = client.get(path, follow=True)
    form_url = response.redirect_chain[-1][0]
    assert "Chọn mật khẩu" in response.content.decode()
    client.post(form_url, {"new_password1": "Quy-Nhon-2025-moi", "new_password2": "Quy-Nhon-2025-moi"})
    signed_in = client.post(reverse("login"), {"username": "gialai.admin", "password": "Quy-Nhon-2025-moi"})
    assert signed_in.status_code == 302
    # The link works once.
    assert 'data-testid="invalid-link"' in client.get(path, follow=True).content.decode()


def test_create_province_admin_refuses_an_old_province_code(make_province):
    make_province("37", "Tỉnh Bình Định", valid_from="1976-01-01", valid_to="2025-06-30")
    with pytest.raises(CommandError, match="load_reference"):
        _create(province="37", username="x", email="x@example.gov.vn")


def test_create_province_admin_refuses_a_taken_username(province, province_admin):
    with pytest.raises(CommandError, match="already exists"):
        _create(province="52", username=province_admin.username.upper(), email="x@example.gov.vn")
