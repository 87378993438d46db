"""The 766 page's body is rendered once per (province, period, language, scope) until an import."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from .conftest import import_generated
from .test_published_import import _csv

pytestmark = pytest.mark.django_db
URL = reverse("service_index:page") + "?period=2026-08"


def _body(response) -> str:
    """The page's own content, without the frame (its CSRF token changes per response)."""
    html = response.content.decode()
    return html[html.index('<header class="pagehead">') :]


@pytest.fixture
def imported(province, communes, agency, tmp_path):
    import_generated(province, tmp_path, 300, 7)


def test_a_national_admins_warm_page_runs_only_the_session_and_user_queries(
    client, national_admin, province, imported, django_assert_num_queries
):
    client.force_login(national_admin)
    client.get(URL + f"&province={province.code}")
    with django_assert_num_queries(2):
        response = client.get(URL + f"&province={province.code}")
    assert response.status_code == 200
    assert f"?province={province.code}" in response.content.decode()  # the import link, outside the cached body


def test_a_dossier_import_shows_the_new_figures_at_once(client, leader, province, imported, tmp_path):
    client.force_login(leader)
    before = _body(client.get(URL))
    assert _body(client.get(URL)) == before  # from the cache
    import_generated(province, tmp_path, 900, 8)
    after = client.get(URL)
    assert _body(after) != before
    assert after.context["result"]["has_dossiers"]  # rendered again, not read from the cache


def test_a_published_figures_import_shows_them_at_once(
    client, leader, province, communes, imported, tmp_path, django_capture_on_commit_callbacks
):
    client.force_login(leader)
    assert "86,50" not in client.get(URL).content.decode()
    path = _csv(tmp_path, f"{province.code};{province.name};15,5;19,5;10;6;18;17,5;97,5;12345")
    with django_capture_on_commit_callbacks(execute=True):  # the bump follows the commit
        call_command("import_service_index", str(path), province=province.code, period="2026-08")
    assert "86,50" in client.get(URL).content.decode()


def test_each_language_has_its_own_cached_body(client, leader, imported):
    client.force_login(leader)
    vietnamese = client.get(URL, headers={"accept-language": "vi"}).content.decode()
    client.cookies["django_language"] = "en"
    english = client.get(URL, headers={"accept-language": "en"}).content.decode()
    assert "Chỉ số phục vụ" in vietnamese or "Điểm" in vietnamese
    assert "Communes" in english and "Communes" not in vietnamese


def test_another_provinces_page_stays_not_found_after_its_body_is_cached(
    client, national_admin, outsider, province, imported
):
    client.force_login(national_admin)
    assert client.get(URL + f"&province={province.code}").status_code == 200
    client.force_login(outsider)
    assert client.get(URL + f"&province={province.code}").status_code == 404
