"""The weekly 766 digest reaches leaders and province administrators once per ISO week."""

import datetime as dt

import pytest

from dossiers.generate import write_export
from dossiers.importing import import_file
from notifications.models import Notification
from service_index.digest import DIGEST_KIND, province_facts, send_weekly_digest

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 9, 7)


@pytest.fixture
def imported(province, communes, agency, tmp_path):
    path = tmp_path / "gen.csv"
    write_export(str(path), province=province, rows=1500, end=dt.date(2026, 9, 6), seed=9)
    import_file(str(path), today=MONDAY)


def test_leaders_and_province_admins_get_the_digest_once_per_week(
    imported, leader, province_admin, outsider, agency_officer, mailoutbox
):
    with_email = [leader, province_admin]
    for user in with_email:
        user.email = f"{user.username}@example.vn"
        user.save()
    assert send_weekly_digest(MONDAY) == 2
    assert send_weekly_digest(MONDAY + dt.timedelta(days=2)) == 0  # the same ISO week
    notes = Notification.objects.filter(kind=DIGEST_KIND)
    assert set(notes.values_list("user_id", flat=True)) == {leader.pk, province_admin.pk}
    note = notes.first()
    assert "Bộ chỉ số" in note.title and "period=2026-09" in note.url
    assert "Năm sở, ngành yếu nhất" in note.body
    assert send_weekly_digest(MONDAY + dt.timedelta(days=7)) == 2  # next week


def test_the_digest_facts_are_the_pages_figures(imported, province):
    facts = province_facts(province, dt.date(2026, 9, 6))
    assert facts.period.code == "2026-09"
    assert facts.share is not None and facts.change is not None
    assert len(facts.weakest_agencies) <= 5
    assert all(r["score"]["share"] < 80 for r in facts.communes_below_80)
