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
