"""The whole dashboard page is cached per user: CSRF tokens, scope changes and messages stay right."""

from django.contrib.messages import constants
from django.contrib.messages.storage.cookie import CookieStorage
from django.middleware.csrf import CSRF_SESSION_KEY, _unmask_cipher_token
from django.urls import reverse

from dashboards.views import CSRF_PLACEHOLDER


def csrf_in_page(body: str) -> str:
    start = body.index('data-csrf="') + len('data-csrf="')
    return body[start : body.index('"', start)]


def test_a_cached_page_carries_the_requesting_clients_own_csrf_token(client, gia_lai_leader, index_results):
    client.force_login(gia_lai_leader)
    url = reverse("dashboards:leader")
    client.get(url)
    body = client.get(url).content.decode()  # served from the page cache
    assert CSRF_PLACEHOLDER not in body
    token = csrf_in_page(body)
    secret = client.cookies["csrftoken"].value if CSRF_SESSION_KEY not in client.session else None
    assert _unmask_cipher_token(token) == (secret or client.session[CSRF_SESSION_KEY])
    assert f'name="csrfmiddlewaretoken" value="{token}"' in body


def test_two_users_of_one_province_each_see_their_own_name(client, gia_lai_leader, gia_lai_admin, index_results):
    url = reverse("dashboards:leader")
    for user in (gia_lai_leader, gia_lai_admin, gia_lai_leader):
        client.force_login(user)
        body = client.get(url).content.decode()
        other = gia_lai_admin if user == gia_lai_leader else gia_lai_leader
        assert f">{user.get_full_name() or user.username}</span>" in body
        assert f">{other.get_full_name() or other.username}</span>" not in body


def test_a_leader_who_loses_their_province_no_longer_gets_its_cached_dashboard(
    client, gia_lai_leader, gia_lai, khanh_hoa, index_results
):
    client.force_login(gia_lai_leader)
    url = reverse("dashboards:leader")
    assert gia_lai.name in client.get(url).content.decode()
    gia_lai_leader.units.set([khanh_hoa])
    body = client.get(url).content.decode()
    assert khanh_hoa.name in body and f"— {gia_lai.short_name}</title>" not in body
    gia_lai_leader.units.clear()
    assert client.get(url).status_code == 302  # no province: the national view


def test_pending_messages_are_shown_on_the_dashboard_and_not_lost(client, gia_lai_leader, index_results):
    client.force_login(gia_lai_leader)
    url = reverse("dashboards:leader")
    client.get(url)  # the page is cached
    request = client.get(url).wsgi_request
    storage = CookieStorage(request)
    storage.add(constants.SUCCESS, "Đã lưu kế hoạch")
    client.cookies["messages"] = storage._encode(list(storage._queued_messages))
    assert "Đã lưu kế hoạch" in client.get(url).content.decode()
    assert "Đã lưu kế hoạch" not in client.get(url).content.decode()


def test_a_page_locked_by_a_request_that_never_finished_is_still_served(
    client, gia_lai_leader, gia_lai, index_results, monkeypatch
):
    from django.core.cache import cache

    from cchc_portal.cache import generations_with
    from dashboards import views

    monkeypatch.setattr(views, "PAGE_LOCK_WAIT", 0.05)
    client.force_login(gia_lai_leader)
    url = reverse("dashboards:leader")
    request = client.get(url).wsgi_request
    key = views._page_key(request, "leader")
    current, stored = generations_with(views.PAGE_GENERATIONS, key)
    assert stored[0] == current
    cache.delete(key)
    assert cache.add(views._lock_key(key, current), 1, 60)  # a request computing the page died holding the lock
    response = client.get(url)
    assert response.status_code == 200 and gia_lai.name in response.content.decode()
    assert cache.get(key) is not None
