import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from audit.log import record_change
from cchc_portal.cache import cached
from cchc_portal.lib.numbers import format_percent
from cchc_portal.lib.spreadsheets import neutralise
from cchc_portal.lib.workdays import add_months, first_of_month
from cchc_portal.scoping import primary_province_id, scope_for
from provinces.models import AdministrativeUnit, Agency

from . import stats
from .forms import UploadForm
from .importing import RefusedFile, inspect_file
from .jobs import enqueue_import
from .models import Dossier, DossierSummary, ImportJob, JobStatus, Outcome, default_period

EXPORT_LIMIT = 200_000


def _province_for_user(request: HttpRequest) -> AdministrativeUnit:
    code = request.GET.get("province")
    provinces = AdministrativeUnit.objects.provinces().filter(valid_to__isnull=True)
    scope = scope_for(request.user)
    if not scope.all:
        provinces = provinces.filter(pk__in=scope.published_province_ids)
    if code:
        province = AdministrativeUnit.objects.province_for_code(code)
        if province is None or not provinces.filter(pk=province.pk).exists():
            raise Http404("no province with this code in scope")
        return province
    pk = primary_province_id(request.user)
    if pk is None:
        province = provinces.order_by("code").first()
        if province is None:
            raise Http404
        return province
    return get_object_or_404(provinces, pk=pk)


def _get_job_for_user(request: HttpRequest, pk: int) -> ImportJob:
    return get_object_or_404(ImportJob.objects.for_user(request.user).select_related("created_by", "province"), pk=pk)


def _require_importer(request: HttpRequest) -> None:
    if not (request.user.is_national_admin or request.user.is_province_admin):
        raise PermissionDenied(_("Only administrators can import dossiers."))


def _parse_month(text: str | None, default: dt.date) -> dt.date:
    if text:
        try:
            return first_of_month(dt.date.fromisoformat(f"{text[:7]}-01"))
        except ValueError:
            pass
    return default


def _period(request: HttpRequest) -> tuple[dt.date, dt.date]:
    first, last = default_period()
    first = _parse_month(request.GET.get("from"), first)
    last = _parse_month(request.GET.get("to"), last)
    if last < first:
        first, last = last, first
    return first, add_months(last, 0)


@login_required
def stats_page(request: HttpRequest) -> HttpResponse:
    province = _province_for_user(request)
    first, last = _period(request)
    summaries = stats.summaries_for_unit(province, DossierSummary.objects.for_user(request.user))

    def compute():
        return {
            "totals": stats.period(summaries, first, last),
            "by_agency": stats.grouped(summaries, first, last, "agency"),
            "by_commune": stats.grouped(summaries, first, last, "commune"),
        }

    data = cached("dossier-stats", ("page", province.pk, first, last, scope_for(request.user)), compute)
    for row in [data["totals"], *data["by_agency"], *data["by_commune"]]:
        row["on_time_text"] = format_percent(row["on_time_rate"]) if row["on_time_rate"] is not None else "–"
        row["late_text"] = format_percent(row["late_rate"]) if row["late_rate"] is not None else "–"
    query = {"province": province.code, "from": f"{first:%Y-%m}", "to": f"{last:%Y-%m}"}
    return render(
        request,
        "dossiers/stats.html",
        {
            "province": province,
            "first": first,
            "last": last,
            "query": query,
            "chart_url": f"{reverse('dossiers:stats_chart')}?{urlencode(query)}",
            "late_url": f"{reverse('dossiers:late_list')}?{urlencode(query)}",
            "can_import": request.user.is_national_admin or request.user.is_province_admin,
            **data,
        },
    )


@login_required
def stats_chart(request: HttpRequest) -> JsonResponse:
    province = _province_for_user(request)
    first, last = _period(request)
    summaries = stats.summaries_for_unit(province, DossierSummary.objects.for_user(request.user))
    rows = cached("dossier-stats", ("chart", province.pk, first, last), lambda: stats.monthly(summaries, first, last))
    return JsonResponse(
        {
            "labels": [f"{row['month']:%m/%Y}" for row in rows],
            "series": [
                {"name": _("On-time rate (%)"), "type": "line", "data": [_float(r["on_time_rate"]) for r in rows]},
                {"name": _("Late rate (%)"), "type": "line", "data": [_float(r["late_rate"]) for r in rows]},
                {"name": _("Received"), "type": "bar", "axis": 1, "data": [r["received"] for r in rows]},
            ],
        }
    )


def _float(value):
    return None if value is None else float(value)


def _late_queryset(request: HttpRequest, province: AdministrativeUnit, first: dt.date, last: dt.date):
    queryset = (
        Dossier.objects.for_user(request.user)
        .filter(province=province, received_month__gte=first, received_month__lte=last)
        # Implied by the receipt month (a dossier is never due before it is received: the import refuses it),
        # but it starts the list-order index scan at the period: without it the first page walked every late
        # dossier due before the period, 245 ms instead of 1 ms at 10M dossiers (bench/dossiers_scale.py).
        .filter(due_date__gte=first)
        .late_or_overdue()
    )
    outcome = request.GET.get("outcome")
    if outcome in (Outcome.LATE, Outcome.OVERDUE):
        queryset = queryset.filter(outcome=outcome)
    if agency := request.GET.get("agency", "").strip():
        queryset = queryset.filter(agency_id=agency) if agency.isdigit() else queryset.none()
    if unit := request.GET.get("unit", "").strip():
        queryset = queryset.filter(receiving_unit_id=unit) if unit.isdigit() else queryset.none()
    if receipt := request.GET.get("q", "").strip():
        queryset = queryset.filter(receipt_number__icontains=receipt)
    return queryset.select_related("procedure", "receiving_unit", "agency").order_by("due_date", "id")


class _CountedPaginator(Paginator):
    """A paginator given its count (from the summaries) instead of counting the dossiers."""

    def __init__(self, object_list, per_page, *, count: int | None):
        super().__init__(object_list, per_page)
        if count is not None:
            self.__dict__["count"] = count  # the cached_property's slot


def _late_count(request: HttpRequest, province: AdministrativeUnit, first: dt.date, last: dt.date) -> int | None:
    """The late list's count from the summary table; None when a filter is not a summary key (receipt search)."""
    if request.GET.get("q", "").strip():
        return None
    summaries = DossierSummary.objects.for_user(request.user).filter(province=province)
    for field, parameter in (("agency_id", "agency"), ("receiving_unit_id", "unit")):
        if value := request.GET.get(parameter, "").strip():
            if not value.isdigit():
                return 0
            summaries = summaries.filter(**{field: value})
    return summaries.late_count(first, last, request.GET.get("outcome"))


@login_required
def late_list(request: HttpRequest) -> HttpResponse:
    province = _province_for_user(request)
    first, last = _period(request)
    queryset = _late_queryset(request, province, first, last)
    if request.GET.get("export") == "xlsx":
        return _export_xlsx(queryset)
    count = _late_count(request, province, first, last)
    page = _CountedPaginator(queryset, 50, count=count).get_page(request.GET.get("page"))
    params = {k: v for k, v in request.GET.items() if k != "page" and v}
    params.setdefault("province", province.code)
    params.setdefault("from", f"{first:%Y-%m}")
    params.setdefault("to", f"{last:%Y-%m}")
    agencies = Agency.objects.for_user(request.user).filter(province=province, commune__isnull=True).order_by("name")
    return render(
        request,
        "dossiers/late_list.html",
        {
            "province": province,
            "page": page,
            "first": first,
            "last": last,
            "filters": params,
            "agencies": agencies,
            "query_string": urlencode(params),
            "export_url": f"{reverse('dossiers:late_list')}?{urlencode({**params, 'export': 'xlsx'})}",
        },
    )


def _export_xlsx(queryset) -> HttpResponse:
    import tempfile

    from django.utils import timezone
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Late and overdue"))
    sheet.append(
        [
            _("Receipt number"),
            _("Procedure"),
            _("Receiving unit"),
            _("Agency"),
            _("Received at"),
            _("Due day"),
            _("Finished at"),
            _("Classification"),
        ]
    )
    local = timezone.localtime
    for dossier in queryset[:EXPORT_LIMIT].iterator(chunk_size=2000):
        sheet.append(
            [
                neutralise(dossier.receipt_number),
                neutralise(f"{dossier.procedure.code} {dossier.procedure.name}"),
                neutralise(dossier.receiving_unit.name),
                neutralise(dossier.agency.name if dossier.agency else ""),
                local(dossier.received_at).strftime("%d/%m/%Y %H:%M"),
                dossier.due_date.strftime("%d/%m/%Y"),
                local(dossier.finished_at).strftime("%d/%m/%Y %H:%M") if dossier.finished_at else "",
                str(dossier.get_outcome_display()),
            ]
        )
    handle = tempfile.TemporaryFile()
    workbook.save(handle)
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename="ho-so-tre-han.xlsx")


@login_required
def import_index(request: HttpRequest) -> HttpResponse:
    _require_importer(request)
    form = UploadForm(request.user, request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        source = form.cleaned_data.get("source")
        path = upload.temporary_file_path() if hasattr(upload, "temporary_file_path") else None
        try:
            if path is None:
                import tempfile

                with tempfile.NamedTemporaryFile(suffix=".upload") as handle:
                    for chunk in upload.chunks():
                        handle.write(chunk)
                    handle.flush()
                    inspect_file(handle.name, upload.name, source.header_mapping if source else None)
            else:
                inspect_file(path, upload.name, source.header_mapping if source else None)
        except RefusedFile as refused:
            form.add_error("file", str(refused))
        else:
            job = ImportJob(
                province=form.cleaned_data["province"],
                source=source,
                original_name=upload.name[:255],
                dry_run=form.cleaned_data["dry_run"],
                created_by=request.user,
            )
            upload.seek(0)
            job.file.save(upload.name, upload, save=False)
            job.save()
            enqueue_import(job)
            return redirect(job)
    jobs = ImportJob.objects.for_user(request.user).select_related("created_by", "province")[:20]
    return render(request, "dossiers/import_index.html", {"form": form, "jobs": jobs})


@login_required
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    _require_importer(request)
    job = _get_job_for_user(request, pk)
    return render(request, "dossiers/import_job.html", {"job": job})


@login_required
def import_job_progress(request: HttpRequest, pk: int) -> HttpResponse:
    _require_importer(request)
    job = _get_job_for_user(request, pk)
    response = render(request, "dossiers/_job_progress.html", {"job": job})
    if not job.is_active and request.htmx:
        response.status_code = 286  # htmx: stop polling
    return response


@login_required
@require_POST
def import_job_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    _require_importer(request)
    job = _get_job_for_user(request, pk)
    if job.worker_gone:
        # Nobody would act on the request: finish the job here (nothing was written).
        ImportJob.objects.filter(pk=job.pk).update(cancel_requested=True)
        job.cancel_requested = True
        job.give_up()
        messages.info(request, _("Import cancelled."))
    elif job.can_cancel:
        ImportJob.objects.filter(pk=job.pk).update(cancel_requested=True)
        if job.status == JobStatus.QUEUED:
            ImportJob.objects.filter(pk=job.pk, status=JobStatus.QUEUED).update(status=JobStatus.CANCELLED)
        messages.info(request, _("Cancellation requested."))
    elif job.status == JobStatus.APPLYING:
        messages.warning(request, _("The rows are already being saved: this import can no longer be cancelled."))
    return redirect(job)


@login_required
@require_POST
def import_job_run_again(request: HttpRequest, pk: int) -> HttpResponse:
    _require_importer(request)
    job = _get_job_for_user(request, pk)
    previous = job.status
    if job.can_run_again and job.run_again():
        record_change(
            job, actor=request.user, changes={"status": [previous, job.status]}, note=gettext_noop("run again")
        )
        enqueue_import(job)
        messages.info(request, _("The import was queued again."))
    else:
        messages.warning(request, _("This import cannot be run again; upload the file again."))
    return redirect(job)


@login_required
def import_job_errors(request: HttpRequest, pk: int) -> HttpResponse:
    _require_importer(request)
    job = _get_job_for_user(request, pk)
    if not job.error_file:
        raise Http404
    return FileResponse(job.error_file.open("rb"), as_attachment=True, filename=f"loi-nhap-ho-so-{job.pk}.csv")
