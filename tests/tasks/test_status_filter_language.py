"""The plan page's status filter is in the language of each request, not of the process's first import."""

import importlib

from django.urls import reverse
from django.utils import translation

import tasks.views


def test_the_overdue_filter_label_follows_the_requests_language(client, province_admin, plan):
    with translation.override("en"):
        importlib.reload(tasks.views)  # as if the module were first imported while English was active
    client.force_login(province_admin)
    url = reverse("tasks:plan_detail", args=[plan.pk])
    client.cookies["django_language"] = "vi"
    assert '<option value="overdue">Quá hạn</option>' in client.get(url).content.decode()
    client.cookies["django_language"] = "en"
    assert '<option value="overdue">Overdue</option>' in client.get(url).content.decode()
