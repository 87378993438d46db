"""The shipped holidays come back after a flush (transactional tests), so `--reuse-db` runs count working days right."""

import datetime as dt
import importlib

import pytest
from django.core.management import call_command
from django.core.management.sql import emit_post_migrate_signal

from cchc_portal.lib.workdays import add_working_days
from dossiers.apps import SHIPPED_HOLIDAYS
from dossiers.models import Holiday

SHIPPED = importlib.import_module(SHIPPED_HOLIDAYS).HOLIDAYS
NATIONAL_DAY = dt.date(2026, 9, 2)


@pytest.mark.django_db(transaction=True)
def test_a_flushed_database_gets_the_shipped_holidays_back():
    call_command("flush", interactive=False, verbosity=0)  # what a transactional test's teardown runs

    assert Holiday.objects.count() == len(SHIPPED)
    assert Holiday.objects.get(date=NATIONAL_DAY).name == "Quốc khánh"
    # Monday 31/8/2026 + 1 working day: Tuesday 1/9 and Wednesday 2/9 are National Day, so Thursday 3/9.
    assert add_working_days(dt.date(2026, 8, 31), 1, Holiday.dates()) == dt.date(2026, 9, 3)


@pytest.mark.django_db
def test_seeding_again_adds_nothing_and_keeps_an_operators_deletion():
    Holiday.objects.filter(date=NATIONAL_DAY).delete()  # a corrected annual notice
    before = set(Holiday.objects.values_list("date", "name"))

    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")

    assert set(Holiday.objects.values_list("date", "name")) == before
    assert not Holiday.objects.filter(date=NATIONAL_DAY).exists()


@pytest.mark.django_db
def test_seeding_an_empty_table_writes_each_shipped_day_once():
    Holiday.objects.all().delete()

    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")

    assert Holiday.objects.count() == len(SHIPPED) == len({day for day, _name in SHIPPED})
