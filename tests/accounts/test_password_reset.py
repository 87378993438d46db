"""Password reset by e-mail, in Vietnamese; a link stops working once the password changes."""

import re

from django.core import mail
from django.urls import reverse

NEW_PASSWORD = "mat-khau-moi-rat-dai-2026"


def _ask_for_a_link(client, user) -> str:
    response = client.post(reverse("password_reset"), {"email": user.email})
    assert response["Location"] == reverse("password_reset_done")
    message = mail.outbox[-1]
    assert message.to == [user.email]
    assert "đặt lại mật khẩu" in message.subject.lower() or "mật khẩu mới" in message.subject.lower()
    return re.search(r"https?://[^/]+(/accounts/password/reset/\S+/)", message.body).group(1)


def test_the_login_page_offers_a_password_reset(client):
    body = client.get(reverse("login")).content.decode()
    assert reverse("password_reset") in body and "Quên mật khẩu?" in body


def test_a_user_resets_their_password_through_the_emailed_link_in_vietnamese(client, viewer):
    viewer.email = "nguoixem@example.gov.vn"
    viewer.save()
    link = _ask_for_a_link(client, viewer)
    body = mail.outbox[-1].body
    assert "Xin chào" in body and viewer.username in body
    form = client.get(link, follow=True)
    assert "Chọn mật khẩu mới" in form.content.decode()
    set_url = form.redirect_chain[-1][0]
    response = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response["Location"] == reverse("password_reset_complete")
    viewer.refresh_from_db()
    assert viewer.check_password(NEW_PASSWORD)
    # The same link does not work twice.
    again = client.get(link, follow=True).content.decode()
    assert "không còn hiệu lực" in again


def test_a_link_stops_working_when_the_password_is_changed_another_way(client, viewer):
    viewer.email = "nguoixem@example.gov.vn"
    viewer.save()
    link = _ask_for_a_link(client, viewer)
    viewer.set_password("doi-bang-cach-khac-2026")
    viewer.save()
    response = client.get(link, follow=True)
    assert "không còn hiệu lực" in response.content.decode()
    viewer.refresh_from_db()
    assert viewer.check_password("doi-bang-cach-khac-2026")


def test_an_unknown_address_gets_the_same_answer_and_no_email(client, db):
    response = client.post(reverse("password_reset"), {"email": "khong-ai@example.gov.vn"})
    assert response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []
