"""Template versions in the administration: a province makes its own copy; a used version stays as it was."""

from django.urls import reverse

from reports.models import ReportTemplate


def test_a_province_admin_copies_the_national_template_for_their_province(client, province_admin, province):
    national = ReportTemplate.objects.get(province__isnull=True, version=1)
    client.force_login(province_admin)
    url = reverse("admin:reports_reporttemplate_changelist")
    response = client.post(url, {"action": "make_new_version", "_selected_action": [national.pk]})
    assert response.status_code == 302
    own = ReportTemplate.objects.get(province=province)
    assert own.version == 1 and own.figures.count() == national.figures.count()
    change = reverse("admin:reports_reporttemplate_change", args=[own.pk])
    assert b'name="figures-0-label"' in client.get(change).content  # its own, unused copy: editable
    national_page = client.get(reverse("admin:reports_reporttemplate_change", args=[national.pk]))
    assert national_page.status_code == 200 and b'name="figures-0-label"' not in national_page.content


def test_another_provinces_template_is_not_found(client, outsider, province):
    own = ReportTemplate.objects.get(province__isnull=True, version=1).new_version(province=province)
    client.force_login(outsider)
    assert client.get(reverse("admin:reports_reporttemplate_change", args=[own.pk])).status_code == 302


def test_a_template_used_by_a_round_is_read_only_even_for_its_province(client, rnd, province_admin, province):
    own = rnd.template.new_version(province=province)
    rnd.template = own
    rnd.save()
    client.force_login(province_admin)
    page = client.get(reverse("admin:reports_reporttemplate_change", args=[own.pk]))
    assert b'name="figures-0-label"' not in page.content
