"""Every audit event carries the province of its object, so the log can be scoped like the rest."""

import datetime as dt
from importlib import import_module

from django.apps import apps
from django.contrib.contenttypes.models import ContentType

from audit.log import record_change, snapshot
from audit.models import AuditAction, AuditEvent
from dossiers.models import Procedure
from provinces.models import AgencySuccession, SteeringCommittee, SteeringCommitteeMember
from tasks.models import Plan, ProgressUpdate, Task, TaskStatus


def _task(province, agency) -> Task:
    plan = Plan.objects.create(unit=province, year=2026, title="Kế hoạch CCHC 2026")
    plan.ensure_default_areas()
    return Task.objects.create(
        plan=plan, area=plan.areas.get(code="I"), number="1", title="Nhiệm vụ", lead_agency=agency,
        status=TaskStatus.NOT_STARTED, deadline=dt.date(2026, 12, 31),
    )  # fmt: skip


def test_an_event_is_filed_under_the_province_of_its_object(province, agency, make_agency):
    task = _task(province, agency)
    committee = SteeringCommittee.objects.create(province=province, name="BCĐ")
    member = SteeringCommitteeMember.objects.create(committee=committee, person_name="A", agency=agency)
    update = ProgressUpdate.objects.create(task=task, status=TaskStatus.ONGOING, percent=10)
    succession = AgencySuccession.objects.create(
        predecessor=make_agency(province, "Sở Kế hoạch và Đầu tư"), successor=agency, effective_date=dt.date(2025, 3, 1)
    )
    for obj in (province, agency, task.plan, task, committee, member, update, succession):
        event = record_change(obj, action=AuditAction.CREATE)
        assert event.province_id == province.pk, type(obj).__name__


def test_national_reference_data_has_no_province(db):
    procedure = Procedure.objects.create(code="1.0", name="Khai sinh", level="commune", allowance_days=3)
    assert record_change(procedure, action=AuditAction.CREATE).province_id is None


def test_a_deleted_objects_event_keeps_its_province(province, agency):
    task = _task(province, agency)
    before = snapshot(task)
    pk = task.pk
    task.delete()
    task.pk = pk
    assert record_change(task, action=AuditAction.DELETE, before=before).province_id == province.pk


def test_bulk_written_events_get_their_province_in_one_query_per_kind(province, agency, django_assert_num_queries):
    tasks = [_task(province, agency)]
    content_type = ContentType.objects.get_for_model(Task)
    events = [
        AuditEvent(action="update", content_type=content_type, object_id=str(t.pk), object_repr="x") for t in tasks
    ]
    with django_assert_num_queries(2):  # the provinces, then the insert
        AuditEvent.objects.bulk_create(events)
    assert AuditEvent.objects.get().province_id == province.pk


def test_the_migration_fills_the_province_of_old_events(province, agency):
    task = _task(province, agency)
    record_change(task, action=AuditAction.CREATE)
    record_change(task.plan, action=AuditAction.CREATE)
    AuditEvent.objects.update(province=None)
    import_module("audit.migrations.0003_fill_auditevent_province").fill(apps, None)
    assert set(AuditEvent.objects.values_list("province_id", flat=True)) == {province.pk}
