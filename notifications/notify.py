"""The one way to tell users something happened: `notify(users, kind=..., title=..., url=..., dedupe_key=...)`.

Idempotent per (user, dedupe_key): a job that runs twice, or two reviewers
clicking at once, notify each user once. Mail goes out after the transaction
commits, only for rows this call created.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction

from .models import Notification

log = logging.getLogger(__name__)


def _absolute(url: str) -> str:
    base = getattr(settings, "PORTAL_BASE_URL", "") or ""
    return f"{base.rstrip('/')}{url}" if url.startswith("/") else url


def _send(notification_ids: list[int]) -> None:
    for note in Notification.objects.filter(pk__in=notification_ids).select_related("user"):
        address = note.user.email
        if not address:
            continue
        try:
            body = f"{note.body}\n\n{_absolute(note.url)}".strip()
            send_mail(note.title, body, None, [address])
        except Exception:  # an SMTP outage must not lose the in-app notification
            log.exception("could not e-mail notification %s", note.pk)
            continue
        Notification.objects.filter(pk=note.pk).update(emailed_to=address)


def notify(
    users: Iterable, *, kind: str, title: str, url: str = "", dedupe_key: str, body: str = ""
) -> list[Notification]:
    """Store a notification for each active user who has not had this event yet; returns the new ones."""
    created: list[Notification] = []
    for user in users:
        if user is None or not user.is_active:
            continue
        if Notification.objects.filter(user=user, dedupe_key=dedupe_key).exists():
            continue
        try:
            with transaction.atomic():
                created.append(
                    Notification.objects.create(
                        user=user, kind=kind, title=title[:255], body=body, url=url, dedupe_key=dedupe_key[:200]
                    )
                )
        except IntegrityError:
            continue  # a concurrent call stored it first
    if created:
        ids = [n.pk for n in created]
        transaction.on_commit(lambda: _send(ids))
    return created
