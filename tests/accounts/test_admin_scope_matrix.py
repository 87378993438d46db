"""The Django admin, scoped like the pages: role × province over every registered admin.

The loop runs over `admin.site._registry`, so a new admin is covered without a new test:
for each role it opens the add and change forms; where a form opens, it rebuilds what a
browser would post (main form and inlines) from a record of the user's own province and
then points each foreign key, one at a time, at the same kind of record in another
province. Every such post must be refused with an error on that field (or the scope
error), and nothing may be written.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django import forms
from django.contrib import admin
from django.forms.models import InlineForeignKeyField
from django.test import RequestFactory
from django.urls import reverse

from accounts.models import User
from assessments.models import Assessment, Methodology, Round, Score
from assessments.scoring import round_open as assessment_round_open
from assessments.trees import sample_methodology
from audit.models import AuditEvent
from cchc_portal.lib.periods import ReportingPeriod
from dossiers.models import Holiday, ImportSource, Procedure
from indices.models import Edition, Index, Region
from provinces.models import (
    AdministrativeUnit,
    Agency,
    AgencySuccession,
    SteeringCommittee,
    SteeringCommitteeMember,
    UnitSuccession,
)
from reports.models import ReportRound, ReportTemplate, round_open
from tasks.models import Plan, PlanArea, Task, TaskCriterion, TaskStatus

ROLES = ["province_admin", "agency_officer", "leader", "viewer"]
PROJECT_APPS = {
    "accounts",
    "audit",
    "provinces",
    "tasks",
    "indices",
    "dossiers",
    "reports",
    "notifications",
    "assessments",
}


def _world(province, make_commune, make_agency, name: str) -> dict:
    """One province's records of every kind the admin edits."""
    commune = make_commune(province, f"{province.code}001", f"Xã {name}")
    agency = make_agency(province, f"Sở Tư pháp {name}")
    former = make_agency(province, f"Sở Kế hoạch và Đầu tư {name}")
    succession = AgencySuccession.objects.create(
        predecessor=former, successor=agency, effective_date=dt.date(2025, 3, 1)
    )
    committee = SteeringCommittee.objects.create(province=province, name=f"BCĐ CCHC {name}")
    member = SteeringCommitteeMember.objects.create(
        committee=committee, person_name="Nguyễn Văn A", position="Giám đốc", agency=agency
    )
    plan = Plan.objects.create(unit=province, year=2026, title=f"Kế hoạch CCHC 2026 {name}")
    plan.ensure_default_areas()
    task = Task.objects.create(
        plan=plan,
        area=plan.areas.get(code="I"),
        number="1",
        order=1,
        title="Rà soát thủ tục hành chính",
        lead_agency=agency,
        status=TaskStatus.NOT_STARTED,
        deadline=dt.date(2026, 12, 31),
    )
    criterion = TaskCriterion.objects.create(task=task, index_code="PAR", component_code="1.1")
    index = Index.objects.create(
        code=f"DDCI-{province.code}", name_vi=f"DDCI {name}", name_en="DDCI", owner_province=province
    )
    edition = Edition.objects.create(index=index, year=2025, subject_level="agency", maximum=100)
    source = ImportSource.objects.create(name=f"Một cửa {name}", province=province)
    report_round = round_open(
        province=province, period=ReportingPeriod(2026, "h1"), internal_deadline=dt.date(2026, 6, 10)
    )
    template = ReportTemplate.objects.latest_for(province).new_version(province=province)
    methodology = sample_methodology(province, 2026)
    today = dt.date(2026, 3, 1)
    scoring_round = assessment_round_open(
        methodology,
        deadlines={
            "self_opens": today,
            "self_closes": today + dt.timedelta(days=10),
            "appraisal1_closes": today + dt.timedelta(days=20),
            "explanation_closes": today + dt.timedelta(days=30),
            "appraisal2_closes": today + dt.timedelta(days=40),
        },
    )
    assessment = scoring_round.assessments.filter(agency=agency).first() or scoring_round.assessments.first()
    return {
        AdministrativeUnit: province,
        "commune": commune,
        Agency: agency,
        AgencySuccession: succession,
        SteeringCommittee: committee,
        SteeringCommitteeMember: member,
        TaskCriterion: criterion,
        Plan: plan,
        PlanArea: plan.areas.get(code="I"),
        Task: task,
        Index: index,
        Edition: edition,
        ImportSource: source,
        ReportRound: report_round,
        ReportTemplate: template,
        Methodology: methodology,
        Round: scoring_round,
        Assessment: assessment,
        Score: assessment.scores.first(),
    }


@pytest.fixture
def worlds(province, other_province, make_commune, make_agency, province_admin):
    own = _world(province, make_commune, make_agency, "Gia Lai")
    other = _world(other_province, make_commune, make_agency, "Khánh Hòa")
    # Records every admin lists; national reference data has no province.
    Holiday.objects.get_or_create(date=dt.date(2026, 9, 2), defaults={"name": "Quốc khánh"})
    Procedure.objects.update_or_create(
        code="1.001193", defaults={"name": "Đăng ký khai sinh", "level": "commune", "allowance_days": 3}
    )
    UnitSuccession.objects.create(
        predecessor=own["commune"], successor=own[AdministrativeUnit], kind="merged", effective_date=dt.date(2025, 7, 1)
    )
    Region.objects.create(code="TN", name_vi="Tây Nguyên", name_en="Central Highlands")
    own[User] = User.objects.create_user("own-viewer", role="viewer")
    own[User].units.add(province)
    other[User] = User.objects.create_user("other-viewer", role="viewer")
    other[User].units.add(other_province)
    return own, other


def _widget(field):
    widget = field.widget
    return getattr(widget, "widget", widget)  # admin's RelatedFieldWidgetWrapper


def _form_data(form, data: dict) -> None:
    for name, field in form.fields.items():
        if field.disabled:
            continue
        bound = form[name]
        key = bound.html_name
        value = bound.value()
        widget = _widget(field)
        if isinstance(widget, forms.MultiWidget):
            parts = value if isinstance(value, list | tuple) else widget.decompress(value)
            for i, (sub, part) in enumerate(zip(widget.widgets, parts, strict=False)):
                data[f"{key}_{i}"] = "" if part is None else sub.format_value(part)
        elif isinstance(field, forms.ModelMultipleChoiceField):
            data[key] = [str(v) for v in (value or [])]
        elif isinstance(field, forms.BooleanField):
            if value:
                data[key] = "on"
        elif value is None:
            data[key] = ""
        elif isinstance(value, dt.date):
            data[key] = widget.format_value(value)
        else:
            data[key] = str(value)


def post_data(response, *, inlines: bool = True) -> dict:
    """What the browser would post for the form on an admin add or change page
    (`inlines=False`: the inline rows left out, as on an add page)."""
    data: dict = {}
    _form_data(response.context["adminform"].form, data)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        initial = formset.initial_form_count() if inlines else 0
        prefix = formset.prefix
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": str(initial),
                f"{prefix}-INITIAL_FORMS": str(initial),
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
        for form in formset.initial_forms[:initial]:
            _form_data(form, data)
    return data


def _foreign_keys(response, *, inlines: bool) -> list[tuple[str, object, bool]]:
    """(posted name, related model, is a row id) of every choice of a record: main form, and inline rows
    (whose `id` names the row itself: pointing it at another province's row must change nothing)."""
    forms_ = [response.context["adminform"].form]
    if inlines:
        forms_ += [f for inline in response.context["inline_admin_formsets"] for f in inline.formset.initial_forms]
    return [
        (form[name].html_name, field.queryset.model, name == form._meta.model._meta.pk.name)
        for form in forms_
        for name, field in form.fields.items()
        if isinstance(field, forms.ModelChoiceField)
        and not isinstance(field, InlineForeignKeyField)
        and not field.disabled
    ]


def _out_of_scope(model, other: dict):
    if model is AdministrativeUnit:
        return other[AdministrativeUnit]
    return other.get(model)


def _snapshot(model):
    return sorted(model._default_manager.values_list(), key=repr)


def _refused_on(response, field: str) -> bool:
    """403, or the form shows an error on `field` (its posted name) or the scope error."""
    if response.status_code == 403:
        return True
    if response.status_code != 200 or "adminform" not in (response.context or {}):
        return False
    main = response.context["adminform"].form
    if field in main.errors or any(e.code == "out_of_scope" for e in main.errors.as_data().get("__all__", [])):
        return True
    for inline in response.context["inline_admin_formsets"]:
        for form in inline.formset.forms:
            if any(form[name].html_name == field for name in form.errors if name in form.fields):
                return True
    return False


def _urls(model, obj=None):
    info = model._meta.app_label, model._meta.model_name
    if obj is None:
        return reverse("admin:{}_{}_add".format(*info))
    return reverse("admin:{}_{}_change".format(*info), args=[obj.pk])


def _registry():
    return sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


@pytest.mark.parametrize("role", ROLES)
def test_no_admin_form_accepts_a_foreign_key_outside_the_users_province(client, users_by_role, role, worlds):
    own, other = worlds
    user = users_by_role[role]
    user.is_staff = True
    user.save()
    client.force_login(user)
    checked = []
    request = RequestFactory().get("/admin/")
    request.user = user
    for model, _admin in _registry():
        if _admin.has_change_permission(request) and model._meta.app_label in PROJECT_APPS:
            assert model in own, (
                f"{model._meta.label}: {role} may change it; add an in-scope record to the world fixture"
            )
        for obj in (None, own.get(model)):
            url = _urls(model, obj)
            page = client.get(url)
            if page.status_code in (403, 302) or "adminform" not in (page.context or {}):
                continue
            if not page.context["has_change_permission" if obj else "has_add_permission"]:
                continue  # a read-only view
            source = own.get(model)
            assert source is not None, f"{model._meta.label}: add an in-scope record to the world fixture"
            base = post_data(client.get(_urls(model, source)), inlines=obj is not None)
            for name, related, row_id in _foreign_keys(page, inlines=obj is not None):
                target = _out_of_scope(related, other)
                if target is None:
                    continue  # national reference data (procedures, content types): no province
                # A row id: the parent may be saved as it was; no row may change.
                written = [*([] if row_id else [model]), *(inline.model for inline in _admin.inlines)]
                before = [_snapshot(m) for m in written]
                response = client.post(url, {**base, name: str(target.pk)})
                # Django's formsets skip a row outside the parent's rows; a real foreign key must be refused.
                assert row_id or _refused_on(response, name), f"{role} {url} accepted {name}={target}"
                assert [_snapshot(m) for m in written] == before, f"{role} {url} wrote with {name}={target}"
                checked.append((url, name))
    if role == "province_admin":
        # The matrix did run: the forms a province administrator edits were exercised.
        urls = {url for url, _ in checked}
        for model in (Agency, SteeringCommittee, Plan, Task, ImportSource, User):
            assert _urls(model) in urls and _urls(model, own[model]) in urls, model
        # Inline rows too: a member's agency, and rows of another province's records by id.
        names = {name for _, name in checked}
        assert {
            "members-0-agency",
            "members-0-id",
            "areas-0-id",
            "criteria-0-id",
            "successions_in-0-predecessor",
        } <= names
    else:
        assert checked == []


def test_the_same_post_with_in_scope_keys_is_accepted(client, province_admin, worlds):
    """The control: the data the matrix posts is valid, so the refusals above are the scope's."""
    own, _ = worlds
    province_admin.is_staff = True
    province_admin.save()
    client.force_login(province_admin)
    for model in (Agency, SteeringCommittee, Plan, Task, ImportSource):
        url = _urls(model, own[model])
        response = client.post(url, post_data(client.get(url)))
        assert response.status_code == 302, (
            model,
            response.context["adminform"].form.errors,
            [f.errors for i in response.context["inline_admin_formsets"] for f in i.formset.forms],
            [i.formset.non_form_errors() for i in response.context["inline_admin_formsets"]],
        )


@pytest.mark.parametrize("role", ROLES)
def test_no_role_below_national_admin_opens_another_provinces_records_in_the_admin(client, users_by_role, role, worlds):
    _, other = worlds
    user = users_by_role[role]
    user.is_staff = True
    user.save()
    client.force_login(user)
    for model, _ in _registry():
        obj = other.get(model)
        if obj is None or model is AdministrativeUnit:
            continue  # administrative units are public reference data (read-only below national admin)
        response = client.get(_urls(model, obj))
        # The admin redirects to its index when the object is not in the user's queryset.
        assert response.status_code in (302, 403, 404), (model, response.status_code)


def test_reference_data_is_read_only_below_national_admin(client, province_admin, worlds):
    province_admin.is_staff = True
    province_admin.save()
    client.force_login(province_admin)
    procedure = Procedure.objects.get(code="1.001193")
    response = client.post(
        _urls(Procedure, procedure),
        {"code": procedure.code, "name": procedure.name, "level": "commune", "allowance_days": 30},
    )
    assert response.status_code == 403
    procedure.refresh_from_db()
    assert procedure.allowance_days == 3
    for model in (Procedure, Holiday, AdministrativeUnit, UnitSuccession, Index, Edition, Region):
        assert client.get(_urls(model)).status_code == 403, model


def test_a_national_import_mapping_is_not_a_province_admins_to_change(client, province_admin, worlds):
    national = ImportSource.objects.create(name="Hệ thống quốc gia", header_mapping={"receipt_number": "Số"})
    province_admin.is_staff = True
    province_admin.save()
    client.force_login(province_admin)
    response = client.post(_urls(ImportSource, national), {"name": "Đổi tên", "province": "", "header_mapping": "{}"})
    assert response.status_code == 403
    national.refresh_from_db()
    assert national.name == "Hệ thống quốc gia"
    # Nor may they create one without a province (a national mapping).
    response = client.post(_urls(ImportSource), {"name": "Mới", "province": "", "header_mapping": "{}"})
    assert _refused_on(response, "province")
    assert not ImportSource.objects.filter(name="Mới").exists()


def test_dossiers_cannot_be_added_in_the_admin_by_anyone(client, national_admin, province_admin):
    for user in (national_admin, province_admin):
        user.is_staff = True
        user.save()
        client.force_login(user)
        assert client.get(reverse("admin:dossiers_dossier_add")).status_code == 403


def test_the_audit_log_in_the_admin_lists_only_the_users_provinces_events(
    client, province_admin, worlds, national_admin
):
    from audit.log import record_change

    own, other = worlds
    record_change(own[Agency], actor=national_admin, action="update", changes={"name": ["a", "b"]})
    record_change(other[Agency], actor=national_admin, action="update", changes={"name": ["c", "d"]})
    assert set(AuditEvent.objects.values_list("province_id", flat=True)) >= {
        own[AdministrativeUnit].pk,
        other[AdministrativeUnit].pk,
    }
    province_admin.is_staff = True
    province_admin.save()
    client.force_login(province_admin)
    events = client.get(reverse("admin:audit_auditevent_changelist")).context["cl"].result_list
    assert {e.province_id for e in events} == {own[AdministrativeUnit].pk}


def test_the_ranking_filter_lists_only_the_indices_the_user_reads(client, province_admin, worlds):
    own, other = worlds
    province_admin.is_staff = True
    province_admin.save()
    client.force_login(province_admin)
    body = client.get(reverse("admin:indices_ranking_changelist")).content.decode()
    assert other[Index].name_vi not in body


def test_the_users_admin_opens_for_a_province_admin_and_lists_their_province_only(
    client, province_admin, worlds, national_admin
):
    own, other = worlds
    province_admin.is_staff = True
    province_admin.save()
    client.force_login(province_admin)
    response = client.get(reverse("admin:accounts_user_changelist"))
    assert response.status_code == 200
    listed = {u.username for u in response.context["cl"].result_list}
    assert "own-viewer" in listed and "other-viewer" not in listed and national_admin.username not in listed


def test_a_province_admin_cannot_make_a_superuser_or_a_national_admin(client, province_admin, worlds):
    own, _ = worlds
    province_admin.is_staff = True
    province_admin.save()
    client.force_login(province_admin)
    url = _urls(User, own[User])
    data = post_data(client.get(url))
    response = client.post(url, {**data, "role": "national_admin", "is_superuser": "on", "is_staff": "on"})
    assert _refused_on(response, "role")
    response = client.post(url, {**data, "is_superuser": "on", "is_staff": "on"})
    assert response.status_code == 302
    own[User].refresh_from_db()
    assert not own[User].is_superuser and not own[User].is_staff and own[User].role == "viewer"


def test_a_raw_id_input_does_not_reveal_the_name_of_another_provinces_record(client, province_admin, worlds):
    own, other = worlds
    province_admin.is_staff = True
    province_admin.save()
    client.force_login(province_admin)
    url = _urls(Task, own[Task])
    response = client.post(url, {**post_data(client.get(url)), "plan": str(other[Plan].pk)})
    body = response.content.decode()
    assert "Không có trong dữ liệu thuộc tỉnh hoặc xã của bạn" in body
    assert other[Plan].title not in body


def test_a_user_change_in_the_admin_is_audited_without_the_password(client, province_admin, worlds):
    own, _ = worlds
    province_admin.is_staff = True
    province_admin.save()
    client.force_login(province_admin)
    url = _urls(User, own[User])
    response = client.post(url, {**post_data(client.get(url)), "role": "leader", "units": [own["commune"].pk]})
    assert response.status_code == 302
    event = AuditEvent.objects.filter(object_id=str(own[User].pk), content_type__model="user").get()
    assert event.changes["role"] == ["viewer", "leader"]
    assert event.changes["units"][1] == [str(own["commune"])]
    assert "password" not in event.changes and event.actor == province_admin


def test_the_units_autocomplete_offers_only_units_a_province_admin_may_grant(client, province_admin, worlds):
    own, other = worlds
    province_admin.is_staff = True
    province_admin.save()
    client.force_login(province_admin)
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "accounts", "model_name": "user", "field_name": "units", "term": ""},
    )
    ids = {int(row["id"]) for row in response.json()["results"]}
    assert own[AdministrativeUnit].pk in ids and own["commune"].pk in ids
    assert other[AdministrativeUnit].pk not in ids and other["commune"].pk not in ids


def test_a_user_who_also_works_in_another_province_is_not_a_province_admins_to_manage(
    client, province_admin, worlds, province, other_province
):
    both = User.objects.create_user("two-provinces", role="viewer")
    both.units.add(province, other_province)
    province_admin.is_staff = True
    province_admin.save()
    client.force_login(province_admin)
    listed = {u.username for u in client.get(reverse("admin:accounts_user_changelist")).context["cl"].result_list}
    assert "two-provinces" not in listed and "own-viewer" in listed
    assert client.get(reverse("admin:auth_user_password_change", args=[both.pk])).status_code in (403, 404, 302)
