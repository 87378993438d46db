"""The 766 numerators and denominators kept by deltas equal a full recompute."""

import datetime as dt

import pytest

from dossiers.generate import write_export
from dossiers.importing import import_file, recompute_all_summaries, refresh_overdue
from dossiers.models import DossierSummary, HandlingTimeSummary, ProvinceHandlingTimeSummary

pytestmark = pytest.mark.django_db


def _snapshot():
    tables = []
    for model in (DossierSummary, HandlingTimeSummary, ProvinceHandlingTimeSummary):
        fields = [f.attname for f in model._meta.concrete_fields if f.attname != "id"]
        tables.append(sorted(model.objects.values_list(*fields), key=repr))
    return tables


def test_incremental_service_columns_and_handling_times_equal_a_full_recompute(province, communes, agency, tmp_path):
    first = tmp_path / "a.csv"
    write_export(str(first), province=province, rows=700, end=dt.date(2025, 10, 31), seed=11)
    import_file(str(first), today=dt.date(2025, 11, 1))
    later = tmp_path / "b.csv"  # the same receipt numbers in a later state, plus new ones
    write_export(str(later), province=province, rows=1000, end=dt.date(2025, 11, 30), seed=11)
    import_file(str(later), today=dt.date(2025, 12, 1))
    refresh_overdue(dt.date(2025, 12, 20))
    incremental = _snapshot()
    assert sum(row.svc_paid_online for row in DossierSummary.objects.all()) > 0
    assert sum(row.handling_working_days for row in HandlingTimeSummary.objects.all()) > 0
    # The repair path rebuilds from the dossiers alone: start it from an empty handling table.
    HandlingTimeSummary.objects.all().delete()
    ProvinceHandlingTimeSummary.objects.all().delete()
    recompute_all_summaries()
    assert _snapshot() == incremental
