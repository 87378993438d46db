"""Inviting a new user: no password is chosen for them; the e-mail carries a one-time link to set one."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import override


def set_password_url(user, base_url: str | None = None) -> str:
    """A link valid until the password is set or PASSWORD_RESET_TIMEOUT passes (Django's reset tokens)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    path = reverse("invitation_confirm", args=[uid, default_token_generator.make_token(user)])
    return f"{(base_url or settings.PORTAL_URL).rstrip('/')}{path}"


def invitation_send(user, *, invited_by=None, base_url: str | None = None) -> str:
    """E-mail the invitation (in Vietnamese) and return the link, for an operator to pass on by hand."""
    url = set_password_url(user, base_url)
    with override("vi"):
        subject = _("Your account on the CCHC portal")
        body = _(
            "Hello,\n\nAn account has been created for you on the CCHC portal.\n"
            "User name: %(username)s\n\nChoose your password with this link (it can be used once, "
            "within %(days)s days):\n%(url)s\n\nIf you did not expect this e-mail, ignore it."
        ) % {"username": user.username, "url": url, "days": settings.PASSWORD_RESET_TIMEOUT // 86400}
    if user.email:
        send_mail(subject, body, None, [user.email], fail_silently=False)
    return url
