"""Password rules read in Vietnamese, one per line, under the new password."""

from django.urls import reverse

from conftest import PASSWORD


def test_a_weak_new_password_is_explained_under_the_new_password_in_vietnamese(client, viewer):
    client.force_login(viewer)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "123", "new_password2": "123"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "new_password2" not in errors
    messages = errors["new_password1"]
    assert len(messages) >= 2
    body = response.content.decode()
    for message in messages:
        assert "password" not in message.lower()  # Vietnamese, not English
        assert f'<small class="error" role="alert">{message}</small>' in body
