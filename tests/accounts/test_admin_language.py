"""The admin's own chrome and third-party apps read in Vietnamese (Django's `vi` catalogue lacks
the 5.x admin strings; django-axes and DRF's tokens ship none)."""

import re

import pytest

ENGLISH = [
    "Skip to main content",
    "Toggle theme",
    "Toggle navigation",
    "Filter navigation items",
    "Auth Token",
    "Axes",
    "Access attempts",
    "Access logs",
    "Breadcrumbs",
]


def _visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


@pytest.mark.parametrize("url", ["/admin/", "/admin/axes/accessattempt/", "/admin/authtoken/tokenproxy/"])
def test_admin_pages_have_no_english_chrome(client, national_admin, url):
    client.force_login(national_admin)
    response = client.get(url)
    assert response.status_code == 200
    text = _visible_text(response.content.decode())
    found = [word for word in ENGLISH if word.lower() in text.lower()]
    assert found == []
    assert "Khóa đăng nhập" in text or url != "/admin/"


# django-otp's TOTP device: field names, help texts, fieldset titles and its QR column are plain English there.
TOTP_ENGLISH = [
    "TOTP device",
    "Throttling failure",
    "Last used at",
    "Created at",
    "Confirmed",
    "Tolerance",
    "Drift",
    "Digits",
    "Identity",
    "Timestamps",
    "Configuration",
    "The time step in seconds",
    "The user that this device belongs to",
    "QR Code",
    "qrcode",
    "Search by user",
    "The date and time when this device",
    "The most recent date and time",
]


@pytest.fixture
def totp_device(province_admin):
    """Another user's device: the admin itself would be asked for its own code first."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.create(user=province_admin, name="Điện thoại", confirmed=True)


@pytest.mark.parametrize("screen", ["list", "add", "change"])  # not "page": that is Playwright's fixture
def test_the_totp_device_admin_reads_in_vietnamese(client, national_admin, totp_device, screen):
    client.force_login(national_admin)
    url = {
        "list": "/admin/otp_totp/totpdevice/",
        "add": "/admin/otp_totp/totpdevice/add/",
        "change": f"/admin/otp_totp/totpdevice/{totp_device.pk}/change/",
    }[screen]
    response = client.get(url)
    assert response.status_code == 200
    text = _visible_text(response.content.decode())
    assert [word for word in TOTP_ENGLISH if word.lower() in text.lower()] == []
    expected = {"list": "Dùng lần cuối", "add": "Bước thời gian (giây)", "change": "Mã QR"}[screen]
    assert expected in text
