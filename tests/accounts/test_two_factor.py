"""Optional TOTP two-factor sign-in for administrators, tested with codes computed here (RFC 6238)."""

import base64
import hashlib
import hmac
import re
import struct
import time

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import PASSWORD


def totp(key: bytes, at: float | None = None) -> str:
    """RFC 6238 with the defaults every authenticator app uses: SHA-1, 30 s, 6 digits."""
    counter = int((time.time() if at is None else at) // 30)
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    return f"{(struct.unpack('>I', mac[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


def enrol(client, user) -> bytes:
    """Turn two-factor on as the user would: read the key off the page, type the app's code."""
    client.force_login(user)
    page = client.get(reverse("two_factor")).content.decode()
    assert "<svg" in page  # the QR code to scan
    secret = re.search(r'data-testid="otp-secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    response = client.post(reverse("two_factor"), {"token": totp(key)})
    assert response.status_code == 302
    assert TOTPDevice.objects.get(user=user).confirmed
    client.logout()
    return key


def sign_in(client, user):
    return client.post(reverse("login"), {"username": user.username, "password": PASSWORD})


def test_an_administrator_turns_two_factor_on_and_is_then_asked_for_a_code(client, province_admin):
    key = enrol(client, province_admin)
    response = sign_in(client, province_admin)
    assert response["Location"] == reverse("login_otp")
    # The password alone does not sign in.
    assert client.get(reverse("home"))["Location"].startswith(reverse("login"))
    page = client.get(reverse("login_otp")).content.decode()
    assert "Mã xác thực" in page
    # The next time step: the code used to enrol may not be replayed.
    response = client.post(reverse("login_otp"), {"token": totp(key, time.time() + 30)})
    assert response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200


def test_a_wrong_code_does_not_sign_in_and_says_why_in_vietnamese(client, province_admin):
    key = enrol(client, province_admin)
    sign_in(client, province_admin)
    wrong = f"{(int(totp(key)) + 1) % 1_000_000:06d}"
    response = client.post(reverse("login_otp"), {"token": wrong})
    assert response.status_code == 200
    assert "Mã không đúng hoặc đã hết hạn" in response.content.decode()
    assert client.get(reverse("home"))["Location"].startswith(reverse("login"))


def test_the_code_step_without_a_password_first_sends_back_to_sign_in(client):
    assert client.get(reverse("login_otp"))["Location"] == reverse("login")


def test_the_admin_site_requires_the_code_from_a_user_with_a_device(client, province_admin):
    province_admin.is_staff = True
    province_admin.save()
    key = enrol(client, province_admin)
    client.force_login(province_admin)  # a session without the second factor
    response = client.get(reverse("admin:index"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("login_otp"))
    response = client.post(response.redirect_chain[-1][0], {"token": totp(key, time.time() + 30)})
    assert response["Location"] == reverse("admin:index")
    assert client.get(reverse("admin:index")).status_code == 200


def test_the_admin_site_is_unchanged_for_administrators_without_a_device(client, national_admin):
    client.force_login(national_admin)
    assert client.get(reverse("admin:index")).status_code == 200


@pytest.mark.parametrize("role", ["agency_officer", "leader", "viewer"])
def test_two_factor_is_offered_to_administrators_only(client, users_by_role, role):
    client.force_login(users_by_role[role])
    assert client.get(reverse("two_factor")).status_code == 403


def test_turning_two_factor_off_takes_a_current_code(client, province_admin, settings):
    key = enrol(client, province_admin)
    client.force_login(province_admin)
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # the wrong code below would otherwise delay the next try
    wrong = f"{(int(totp(key)) + 1) % 1_000_000:06d}"
    assert client.post(reverse("two_factor"), {"token": wrong}).status_code == 200
    assert TOTPDevice.objects.filter(user=province_admin).exists()
    assert client.post(reverse("two_factor"), {"token": totp(key, time.time() + 30)}).status_code == 302
    assert not TOTPDevice.objects.filter(user=province_admin).exists()


def test_repeated_wrong_codes_are_throttled_with_a_clear_message(client, province_admin):
    key = enrol(client, province_admin)
    sign_in(client, province_admin)
    wrong = f"{(int(totp(key)) + 1) % 1_000_000:06d}"
    client.post(reverse("login_otp"), {"token": wrong})
    response = client.post(reverse("login_otp"), {"token": totp(key, time.time() + 30)})
    assert "Nhập sai quá nhiều lần" in response.content.decode()
    assert client.get(reverse("home"))["Location"].startswith(reverse("login"))
