from __future__ import annotations

import datetime as dt
import uuid
from collections import OrderedDict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from audit.log import record_change, snapshot
from audit.models import AuditAction, AuditEvent
from cchc_portal.concurrency import save_versioned, versioned_save
from cchc_portal.lib.periods import ReportingPeriod, period_for, periods_of_year
from cchc_portal.lib.text import fold
from cchc_portal.scoping import home_unit_id, primary_province_id, scope_for
from provinces.models import AdministrativeUnit, Agency

from . import importing
from .exporting import plan_export_xlsx
from .forms import ImportUploadForm, PlanForm, ProgressForm, TaskForm
from .jobs import enqueue_figures
from .models import (
    Evidence,
    Plan,
    PlanArea,
    ProgressUpdate,
    Task,
    TaskCriterion,
    TaskStatus,
    private_storage,
    today,
)
from .progress import progress_record

STATUS_FILTERS = [(s.value, s.label) for s in TaskStatus] + [("overdue", _("Overdue"))]


def _get_plan_for_user(request: HttpRequest, pk: int) -> Plan:
    return get_object_or_404(Plan.objects.for_user(request.user).select_related("unit", "agency", "figures"), pk=pk)


def _get_task_for_user(request: HttpRequest, pk: int) -> Task:
    return get_object_or_404(Task.objects.for_user(request.user).select_related("plan", "area", "lead_agency"), pk=pk)


def _get_task_for_update(request: HttpRequest, pk: int) -> Task:
    """Only tasks the user may enter progress on; any other task is simply not found."""
    return get_object_or_404(
        Task.objects.editable_by(request.user).select_related("plan", "area", "lead_agency"), pk=pk
    )


def _require_manager(request: HttpRequest, province_id: int, unit_id: int | None = None) -> None:
    if not request.user.can_manage_unit(unit_id, province_id):
        raise PermissionDenied(_("Only the Department of Home Affairs of this province can change this."))


def _filter_tasks(tasks, params, on: dt.date):
    status = params.get("status", "")
    if status == "overdue":
        tasks = tasks.overdue(on)
    elif status in TaskStatus.values:
        tasks = tasks.filter(status=status)
    if params.get("area", "").isdigit():
        tasks = tasks.filter(area_id=int(params["area"]))
    if params.get("agency", "").isdigit():
        tasks = tasks.filter(lead_agency_id=int(params["agency"]))
    due = params.get("due", "")
    if due == "30":
        tasks = tasks.filter(deadline__gte=on, deadline__lte=on + dt.timedelta(days=30)).exclude(
            status=TaskStatus.COMPLETED
        )
    elif due == "quarter":
        tasks = tasks.filter(deadline__gte=on, deadline__lte=on + dt.timedelta(days=92)).exclude(
            status=TaskStatus.COMPLETED
        )
    query = params.get("q", "").strip()
    if query:
        tasks = tasks.filter(Q(title_folded__contains=fold(query)) | Q(number=query))
    return tasks


# --- plans ------------------------------------------------------------------------------


@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    plans = Plan.objects.for_user(request.user).select_related("unit", "agency", "figures")
    year = request.GET.get("year", "")
    if year.isdigit():
        plans = plans.filter(year=int(year))
    query = request.GET.get("q", "").strip()
    if query:
        plans = plans.filter(Q(title_folded__contains=fold(query)) | Q(unit__name_folded__contains=fold(query)))
    page = Paginator(plans.order_by("-year", "unit__name", "pk"), 50).get_page(request.GET.get("page"))
    province_id = primary_province_id(request.user)
    years = sorted(set(Plan.objects.for_user(request.user).values_list("year", flat=True)), reverse=True)
    return render(
        request,
        "tasks/plan_list.html",
        {
            "page": page,
            "year": year,
            "years": years,
            "query": query,
            "can_create": _can_create_plan(request.user),
            "province_id": province_id,
        },
    )


def _can_create_plan(user) -> bool:
    """Whether the user keeps their own unit's plans (their province, or a commune-scoped user's commune)."""
    unit_id = home_unit_id(user)
    if unit_id is None:
        return False
    scope = scope_for(user)
    return user.can_manage_unit(unit_id, unit_id if unit_id in scope.province_ids else None)


def _as_of_statuses(plan: Plan, tasks: list[Task], period: ReportingPeriod) -> None:
    """Set `as_of_status` on each task: its status at the end of the period's data window."""
    end = period.window_end
    latest: dict[int, ProgressUpdate] = {}
    for update in ProgressUpdate.objects.filter(task__plan=plan, created_at__date__lte=end).order_by(
        "created_at", "id"
    ):
        latest[update.task_id] = update
    for task in tasks:
        if task.status == TaskStatus.COMPLETED and task.completion_date and task.completion_date <= end:
            task.as_of_status = TaskStatus.COMPLETED
        elif task.pk in latest:
            status = latest[task.pk].status
            task.as_of_status = TaskStatus.IN_PROGRESS if status == TaskStatus.COMPLETED else status
        else:
            task.as_of_status = TaskStatus.NOT_STARTED
        task.as_of_overdue = task.as_of_status != TaskStatus.COMPLETED and task.is_overdue(end + dt.timedelta(days=1))


def _as_of_figures(tasks: list[Task]) -> dict:
    counts = {s.value: 0 for s in TaskStatus}
    for task in tasks:
        counts[task.as_of_status] += 1
    from cchc_portal.lib.numbers import percent

    return {
        "total": len(tasks),
        "completed": counts[TaskStatus.COMPLETED],
        "in_progress": counts[TaskStatus.IN_PROGRESS],
        "ongoing": counts[TaskStatus.ONGOING],
        "not_started": counts[TaskStatus.NOT_STARTED],
        "overdue": sum(1 for t in tasks if t.as_of_overdue),
        "completion_rate": percent(counts[TaskStatus.COMPLETED], len(tasks)),
    }


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _get_plan_for_user(request, pk)
    on = today()
    areas = list(plan.areas.all())
    tasks_qs = _filter_tasks(
        plan.tasks.select_related("lead_agency").order_by("area__order", "order", "id"), request.GET, on
    )
    period = ReportingPeriod.from_slug(request.GET.get("period", ""))
    tasks = list(tasks_qs)
    as_of = None
    if period is not None:
        _as_of_statuses(plan, tasks, period)
        as_of = _as_of_figures(tasks)
    area_by_id = {a.pk: a for a in areas}
    groups: OrderedDict[int, dict] = OrderedDict((a.pk, {"area": a, "tasks": []}) for a in areas)
    for task in tasks:
        task.area = area_by_id[task.area_id]
        groups[task.area_id]["tasks"].append(task)
    agencies = Agency.objects.filter(led_tasks__plan=plan).distinct().order_by("name").only("pk", "name")
    figures = getattr(plan, "figures", None)
    filter_params = request.GET.copy()
    filter_params.pop("period", None)
    return render(
        request,
        "tasks/plan_detail.html",
        {
            "plan": plan,
            "groups": [g for g in groups.values() if g["tasks"]],
            "task_count": len(tasks),
            "areas": areas,
            "agencies": agencies,
            "figures": figures,
            "status_filters": STATUS_FILTERS,
            "params": request.GET,
            "filter_query": filter_params.urlencode(),
            "periods": periods_of_year(plan.year),
            "period": period,
            "as_of": as_of,
            "can_manage": request.user.can_manage_unit(plan.unit_id, plan.province_id),
        },
    )


@login_required
def plan_history(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _get_plan_for_user(request, pk)
    task_ids = list(plan.tasks.values_list("pk", flat=True))
    events = (
        AuditEvent.objects.filter(
            Q(pk__in=AuditEvent.objects.for_object(plan).values("pk"))
            | Q(pk__in=AuditEvent.objects.for_objects(Task, task_ids).values("pk"))
        )
        .select_related("actor")
        .order_by("-at", "-id")
    )
    page = Paginator(events, 100).get_page(request.GET.get("page"))
    return render(request, "tasks/plan_history.html", {"plan": plan, "page": page, "events": page.object_list})


@login_required
@require_http_methods(["GET", "POST"])
def plan_create(request: HttpRequest) -> HttpResponse:
    unit_id = request.GET.get("unit") or request.POST.get("unit") or home_unit_id(request.user)
    unit = get_object_or_404(AdministrativeUnit.objects.current(), pk=unit_id)
    _require_manager(request, unit.province_id_for_scope, unit.pk)
    year = today().year
    initial = {"year": year, "title": f"Kế hoạch cải cách hành chính năm {year} – {unit.name}"}
    form = PlanForm(request.POST or None, instance=Plan(unit=unit), initial=initial)
    if request.method == "POST" and form.is_valid():
        if Plan.objects.filter(unit=unit, year=form.cleaned_data["year"], agency__isnull=True).exists():
            form.add_error("year", _("This unit already has a plan for that year."))
        else:
            with transaction.atomic():
                plan = form.save()
                PlanArea.objects.bulk_create(
                    PlanArea(plan=plan, code=code, name=name, order=i)
                    for i, (code, name) in enumerate(form.cleaned_data["areas_text"], start=1)
                )
                record_change(plan, actor=request.user, action=AuditAction.CREATE)
                enqueue_figures(plan.pk)
            messages.success(request, _("Plan created. Import its task annex next."))
            return redirect("tasks:plan_import", pk=plan.pk)
    return render(request, "tasks/plan_form.html", {"form": form, "unit": unit})


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _get_plan_for_user(request, pk)
    _require_manager(request, plan.province_id, plan.unit_id)
    before = {**snapshot(plan), "areas": [f"{a.code}. {a.name}" for a in plan.areas.all()]}
    form = PlanForm(request.POST or None, instance=plan)
    if request.method == "POST" and form.is_valid():

        def write():
            saved = form.save(commit=False)
            saved.title_folded = fold(saved.title)
            fields = ["title", "title_folded", "decision_number", "decision_date"]
            save_versioned(saved, form.cleaned_data["version"], fields)
            _save_areas(saved, form.cleaned_data["areas_text"])
            after = {**snapshot(saved), "areas": [f"{a.code}. {a.name}" for a in saved.areas.all()]}
            record_change(saved, actor=request.user, before=before, after=after)

        try:
            saved = versioned_save(form, write, current=lambda: _get_plan_for_user(request, pk))
        except ValidationError as exc:
            form.add_error("areas_text", exc)
        else:
            if saved:
                messages.success(request, _("Changes saved."))
                return redirect(plan)
            return render(request, "tasks/plan_form.html", {"form": form, "unit": plan.unit}, status=409)
    return render(request, "tasks/plan_form.html", {"form": form, "unit": plan.unit})


def _save_areas(plan: Plan, areas: list[tuple[str, str]]) -> None:
    existing = {a.code: a for a in plan.areas.all()}
    for order, (code, name) in enumerate(areas, start=1):
        area = existing.pop(code, None)
        if area is None:
            PlanArea.objects.create(plan=plan, code=code, name=name, order=order)
        elif (area.name, area.order) != (name, order):
            area.name, area.order = name, order
            area.save(update_fields=["name", "order"])
    for area in existing.values():
        if area.tasks.exists():
            raise ValidationError(
                _("Area “%(code)s” still has tasks; move them before removing it.") % {"code": area.code}
            )
        area.delete()


@login_required
def plan_export(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _get_plan_for_user(request, pk)
    content = plan_export_xlsx(plan)
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="ke-hoach-cchc-{plan.year}-{plan.pk}.xlsx"'
    return response


# --- import ---------------------------------------------------------------------------------

SESSION_KEY = "tasks_imports"


@login_required
@require_http_methods(["GET", "POST"])
def plan_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload an annex and see the preview; nothing is written until confirmed."""
    plan = _get_plan_for_user(request, pk)
    _require_manager(request, plan.province_id, plan.unit_id)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    context = {"plan": plan, "form": form}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        try:
            rows = importing.read_rows(data, upload.name)
            preview = importing.plan_import_preview(plan, rows)
        except importing.ImportFileError as exc:
            form.add_error("file", str(exc))
            return render(request, "tasks/import_upload.html", context, status=400)
        token = uuid.uuid4().hex
        ext = ".xlsx" if data.startswith(b"PK") else ".csv"
        from django.core.files.base import ContentFile

        private_storage.save(f"imports/{token}{ext}", ContentFile(data))
        imports = request.session.get(SESSION_KEY, {})
        imports[token] = {"plan": plan.pk, "path": f"imports/{token}{ext}", "name": upload.name[:200]}
        request.session[SESSION_KEY] = dict(list(imports.items())[-5:])
        context.update(preview=preview, token=token, file_name=upload.name)
        return render(request, "tasks/import_preview.html", context)
    return render(request, "tasks/import_upload.html", context)


@login_required
@require_POST
def plan_import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _get_plan_for_user(request, pk)
    _require_manager(request, plan.province_id, plan.unit_id)
    token = request.POST.get("token", "")
    entry = request.session.get(SESSION_KEY, {}).get(token)
    if not entry or entry["plan"] != plan.pk:
        raise Http404(_("This import has expired; upload the file again."))
    with private_storage.open(entry["path"], "rb") as fh:
        data = fh.read()
    preview = importing.plan_import_preview(plan, importing.read_rows(data, entry["path"]))
    try:
        result = importing.plan_import_commit(preview, user=request.user, note=entry["name"])
    except importing.ImportRefused as exc:
        messages.error(request, str(exc))
        return render(
            request,
            "tasks/import_preview.html",
            {"plan": plan, "preview": preview, "token": token, "file_name": entry["name"]},
            status=400,
        )
    private_storage.delete(entry["path"])
    imports = request.session.get(SESSION_KEY, {})
    imports.pop(token, None)
    request.session[SESSION_KEY] = imports
    messages.success(
        request,
        _("Import done: %(created)d tasks added, %(updated)d changed, %(unchanged)d unchanged.") % result,
    )
    return redirect(plan)


# --- tasks ----------------------------------------------------------------------------------


def _task_context(request: HttpRequest, task: Task, form: ProgressForm | None) -> dict:
    updates = list(task.updates.select_related("author").prefetch_related("files").order_by("-created_at", "-id"))
    by_period: OrderedDict[tuple[int, str], dict] = OrderedDict()
    for update in updates:
        key = (update.period_year, update.period)
        by_period.setdefault(key, {"label": update.period_label, "updates": []})["updates"].append(update)
    update_ids = [u.pk for u in updates]
    events = (
        AuditEvent.objects.filter(
            Q(pk__in=AuditEvent.objects.for_object(task).values("pk"))
            | Q(pk__in=AuditEvent.objects.for_objects(ProgressUpdate, update_ids).values("pk"))
        )
        .select_related("actor")
        .order_by("-at", "-id")[:100]
    )
    can_update = Task.objects.editable_by(request.user).filter(pk=task.pk).exists()
    if can_update and form is None:
        form = ProgressForm(task=task)
    return {
        "task": task,
        "plan": task.plan,
        "coordinating": task.coordinating_agencies.all(),
        "criteria": task.criteria.all(),
        "periods": list(by_period.values()),
        "events": events,
        "form": form if can_update else None,
        "current_period": period_for(today()),
        "can_manage": request.user.can_manage_unit(task.plan.unit_id, task.plan.province_id),
    }


def _render_task(request: HttpRequest, task: Task, form=None, status: int = 200) -> HttpResponse:
    if request.htmx:
        # htmx 2 swaps only 2xx responses; the partial carries the error or conflict message itself.
        return render(request, "tasks/_progress_panel.html", _task_context(request, task, form))
    return render(request, "tasks/task_detail.html", _task_context(request, task, form), status=status)


@login_required
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_task(request, _get_task_for_user(request, pk))


@login_required
@require_http_methods(["GET", "POST"])
def task_update(request: HttpRequest, pk: int) -> HttpResponse:
    task = _get_task_for_update(request, pk)
    if request.method == "GET":
        return redirect(task)
    form = ProgressForm(request.POST, request.FILES, task=task)
    if not form.is_valid():
        return _render_task(request, task, form, status=400)
    data = form.cleaned_data

    def write():
        progress_record(
            task=task,
            user=request.user,
            expected_version=data["version"],
            status=data["status"],
            percent=data["percent"],
            completion_date=data["completion_date"],
            note=data["note"],
            document_number=data["document_number"],
            document_date=data["document_date"],
            files=data["files"],
        )

    try:
        saved = versioned_save(form, write, current=lambda: _get_task_for_update(request, pk))
    except ValidationError as exc:
        form.add_error("files", exc)
        return _render_task(request, task, form, status=400)
    if not saved:
        return _render_task(request, _get_task_for_update(request, pk), form, status=409)
    messages.success(request, _("Progress saved."))
    if request.htmx:
        return _render_task(request, _get_task_for_user(request, pk))
    return redirect(task)


TASK_FIELDS = ["area", "number", "title", "lead_agency", "coordinating_note", "deadline", "recurring", "deadline_text",
               "expected_output"]  # fmt: skip


def _task_extras(task: Task) -> dict:
    return {
        "coordinating_agencies": sorted(a.name for a in task.coordinating_agencies.all()),
        "criteria": sorted(f"{c.index_code} {c.component_code}".strip() for c in task.criteria.all()),
    }


def _save_task_extras(task: Task, form: TaskForm) -> None:
    task.coordinating_agencies.set(form.cleaned_data["coordinating_agencies"])
    wanted = form.cleaned_data["criteria_text"]
    task.criteria.exclude(
        pk__in=[c.pk for c in task.criteria.all() if (c.index_code, c.component_code) in wanted]
    ).delete()
    existing = set(task.criteria.values_list("index_code", "component_code"))
    TaskCriterion.objects.bulk_create(
        TaskCriterion(task=task, index_code=i, component_code=c) for i, c in wanted if (i, c) not in existing
    )


@login_required
@require_http_methods(["GET", "POST"])
def task_create(request: HttpRequest, plan_pk: int) -> HttpResponse:
    plan = _get_plan_for_user(request, plan_pk)
    _require_manager(request, plan.province_id, plan.unit_id)
    task = Task(plan=plan, order=(plan.tasks.count() + 1))
    form = TaskForm(request.POST or None, instance=task, plan=plan)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            task = form.save(commit=False)
            task.save()
            _save_task_extras(task, form)
            record_change(task, actor=request.user, action=AuditAction.CREATE,
                          after={**snapshot(task), **_task_extras(task)})  # fmt: skip
            enqueue_figures(plan.pk)
        messages.success(request, _("Task added."))
        return redirect(task)
    return render(request, "tasks/task_form.html", {"form": form, "plan": plan})


@login_required
@require_http_methods(["GET", "POST"])
def task_edit(request: HttpRequest, pk: int) -> HttpResponse:
    task = _get_task_for_user(request, pk)
    plan = task.plan
    _require_manager(request, plan.province_id, plan.unit_id)
    before = {**snapshot(task), **_task_extras(task)}
    form = TaskForm(request.POST or None, instance=task, plan=plan)
    if request.method == "POST" and form.is_valid():

        def write():
            saved = form.save(commit=False)
            saved.title_folded = fold(saved.title)
            save_versioned(saved, form.cleaned_data["version"], [*TASK_FIELDS, "title_folded"])
            _save_task_extras(saved, form)
            record_change(saved, actor=request.user, before=before, after={**snapshot(saved), **_task_extras(saved)})
            enqueue_figures(plan.pk)

        if versioned_save(form, write, current=lambda: _get_task_for_user(request, pk)):
            messages.success(request, _("Changes saved."))
            return redirect(task)
        return render(request, "tasks/task_form.html", {"form": form, "plan": plan}, status=409)
    return render(request, "tasks/task_form.html", {"form": form, "plan": plan})


@login_required
def evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    evidence = get_object_or_404(Evidence.objects.filter(task__in=Task.objects.for_user(request.user)), pk=pk)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404(_("The file is no longer stored.")) from exc
    response = FileResponse(handle, as_attachment=True, filename=evidence.original_name)
    response["Content-Type"] = evidence.content_type
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def my_tasks(request: HttpRequest) -> HttpResponse:
    """An agency officer's home: tasks their agencies lead (editable) and coordinate (read-only)."""
    scope = scope_for(request.user)
    agency_ids = sorted(scope.agency_ids)
    on = today()
    year = request.GET.get("year", "")
    year = int(year) if year.isdigit() else on.year
    base = (
        Task.objects.for_user(request.user)
        .filter(plan__year=year)
        .select_related("plan__unit", "area", "lead_agency")
        .order_by("deadline", "area__order", "order", "id")
    )
    led = _filter_tasks(base.filter(lead_agency_id__in=agency_ids), request.GET, on)
    coordinated = _filter_tasks(
        base.filter(coordinating_agencies__in=agency_ids).exclude(lead_agency_id__in=agency_ids).distinct(),
        request.GET,
        on,
    )
    led_list = list(led)
    areas = PlanArea.objects.filter(tasks__lead_agency_id__in=agency_ids, plan__year=year).distinct().order_by("order")
    return render(
        request,
        "tasks/my_tasks.html",
        {
            "led": led_list,
            "coordinated": list(coordinated),
            "agencies": Agency.objects.filter(pk__in=agency_ids).order_by("name"),
            "areas": areas,
            "status_filters": STATUS_FILTERS,
            "params": request.GET,
            "year": year,
            "overdue_count": sum(1 for t in led_list if t.is_overdue(on)),
            "current_period": period_for(on),
        },
    )
