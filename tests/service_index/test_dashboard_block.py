"""The 766 block of the leader's dashboard: score, change, weakest departments, communes by band."""

import datetime as dt

import pytest
from django.urls import reverse

from dossiers.generate import write_export
from dossiers.importing import import_file
from dossiers.models import local_today

pytestmark = pytest.mark.django_db


def test_the_leader_dashboard_loads_the_766_block(client, leader, province, communes, agency, tmp_path):
    path = tmp_path / "gen.csv"
    write_export(str(path), province=province, rows=800, end=local_today() - dt.timedelta(days=1), months=2, seed=5)
    import_file(str(path))
    client.force_login(leader)
    dashboard = client.get(reverse("dashboards:leader")).content.decode()
    assert reverse("service_index:dashboard_block") in dashboard
    block = client.get(reverse("service_index:dashboard_block"), {"province": province.code})
    assert block.status_code == 200
    assert 'data-testid="service-index-block"' in block.content.decode()
    assert block.context["facts"].share is not None


def test_another_provinces_block_is_not_found(client, outsider, province):
    client.force_login(outsider)
    assert client.get(reverse("service_index:dashboard_block"), {"province": province.code}).status_code == 404
