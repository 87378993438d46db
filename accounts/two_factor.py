"""Optional TOTP two-factor sign-in for administrators, on django-otp (maintained, RFC 6238).

A user with a confirmed TOTP device is asked for a code after their password; the admin site
requires a verified session from such users (cchc_portal.admin_site). Users without a device
sign in as before.
"""

from __future__ import annotations

import base64

import qrcode
import qrcode.image.svg
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

DEVICE_NAME = "Ứng dụng xác thực"


def confirmed_device(user) -> TOTPDevice | None:
    if user is None or not user.is_authenticated:
        return None
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def may_enrol(user) -> bool:
    """Two-factor is offered to administrators (national and province)."""
    return user.is_authenticated and (user.is_national_admin or user.is_province_admin)


def pending_device(user) -> TOTPDevice:
    """The unconfirmed device being enrolled (one per user; a new secret only when none is pending)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def secret_text(device: TOTPDevice) -> str:
    """The key in base32, grouped by four, for typing into an app by hand."""
    text = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def qr_svg(device: TOTPDevice) -> str:
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    return image.to_string(encoding="unicode")


def refusal(device: TOTPDevice | None, token: str) -> str | None:
    """Why `token` is not accepted for `device` (None: accepted). django-otp throttles repeated failures
    and refuses a code already used."""
    if device is None:
        return _("Two-factor sign-in is not set up for this account.")
    allowed, _info = device.verify_is_allowed()
    if not allowed:
        return _("Too many wrong codes. Wait a few seconds, then enter the code your app shows now.")
    token = "".join(ch for ch in (token or "") if ch.isdigit())
    if len(token) == 6 and device.verify_token(token):
        return None
    return _("The code is wrong or has expired. Enter the code your app shows now.")


def confirm(request, device: TOTPDevice) -> None:
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=device.user, confirmed=False).delete()
    otp_login(request, device)
