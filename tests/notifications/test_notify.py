"""notify(): stored per user, e-mailed where there is an address, once per event."""

from django.core import mail
from django.urls import reverse

from notifications.models import Notification
from notifications.notify import notify


def test_each_user_is_notified_once_per_event_and_mailed_if_they_have_an_address(
    make_user, django_capture_on_commit_callbacks
):
    with_mail = make_user("a", "viewer", email="a@example.vn")
    without = make_user("b", "viewer")
    with django_capture_on_commit_callbacks(execute=True):
        created = notify([with_mail, without], kind="test", title="Xin chào", url="/x", dedupe_key="event-1")
    assert len(created) == 2
    assert [m.to for m in mail.outbox] == [["a@example.vn"]]
    with django_capture_on_commit_callbacks(execute=True):
        again = notify([with_mail, without], kind="test", title="Xin chào", url="/x", dedupe_key="event-1")
    assert again == [] and len(mail.outbox) == 1
    assert Notification.objects.get(user=with_mail).emailed_to == "a@example.vn"


def test_inactive_users_are_not_notified(make_user):
    gone = make_user("gone", "viewer", is_active=False)
    assert notify([gone], kind="t", title="t", dedupe_key="k") == []


def test_a_user_reads_only_their_own_notifications(client, make_user):
    me, other = make_user("me", "viewer"), make_user("other", "viewer")
    notify([me], kind="t", title="Của tôi", url="/reports/", dedupe_key="k1")
    theirs = notify([other], kind="t", title="Của người khác", dedupe_key="k2")[0]
    client.force_login(me)
    page = client.get(reverse("notifications:list"))
    assert "Của tôi" in page.content.decode() and "Của người khác" not in page.content.decode()
    assert client.get(reverse("notifications:unread_count")).content == b"1"
    assert client.post(reverse("notifications:open", args=[theirs.pk])).status_code == 404
    mine = Notification.objects.get(user=me)
    response = client.post(reverse("notifications:open", args=[mine.pk]))
    assert response.status_code == 302 and response["Location"] == "/reports/"
    mine.refresh_from_db()
    assert mine.is_read
