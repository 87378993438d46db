import datetime as dt
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from audit.log import record_change
from cchc_portal.lib.numbers import format_percent
from cchc_portal.lib.workdays import add_months, first_of_month
from cchc_portal.queue import send_after_commit
from cchc_portal.scoping import primary_province_id, scope_for
from provinces.models import AdministrativeUnit, Agency

from . import stats
from .exporting import late_period
from .forms import UploadForm
from .importing import RefusedFile, inspect_file
from .jobs import enqueue_import
from .models import Dossier, DossierSummary, ExportStatus, ImportJob, JobStatus, LateExportJob, default_period


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


def month_choices(first: dt.date, last: dt.date) -> list[tuple[str, str]]:
    """The months a period picker offers, newest first: five years back to this month, and the chosen ones.

    A select of "11/2026" options rather than <input type="month">, which the browser renders in
    its own language ("November 2026" in an English browser) on a Vietnamese page."""
    current = first_of_month(timezone.localdate())
    months = {add_months(current, -n) for n in range(60)} | {first_of_month(first), first_of_month(last)}
    return [(f"{month:%Y-%m}", f"{month:%m/%Y}") for month in sorted(months, reverse=True)]


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
    summaries = DossierSummary.objects.for_user(request.user)
    data = stats.page_data(province, first, last, summaries, stats.data_scope(request.user, province.pk))
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
            "months": month_choices(first, last),
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
    summaries = DossierSummary.objects.for_user(request.user)
    rows = stats.chart_data(province, first, last, summaries, stats.data_scope(request.user, province.pk))
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


LATE_FILTERS = ("outcome", "agency", "unit", "q")


def _late_filters(request: HttpRequest) -> dict:
    return {name: request.GET.get(name, "").strip() for name in LATE_FILTERS if request.GET.get(name, "").strip()}


def _late_queryset(request: HttpRequest, province: AdministrativeUnit, first: dt.date, last: dt.date):
    queryset = Dossier.objects.for_user(request.user).late_list(province.pk, first, last, _late_filters(request))
    return queryset.select_related("procedure", "receiving_unit", "agency")


LATE_PER_PAGE = 50


def _list_key(value: str) -> tuple[dt.date, int] | None:
    """A late-list position from the query ("2026-03-15.123456": due day and id), None if malformed."""
    day, _dot, pk = value.partition(".")
    if not pk.isdigit() or len(pk) > 18:
        return None
    try:
        return dt.date.fromisoformat(day), int(pk)
    except ValueError:
        return None


def _late_pages(count: int) -> int:
    return max(1, -(-count // LATE_PER_PAGE))


def _page_number(value: str | None) -> int:
    return int(value) if value and value.isdigit() and len(value) <= 9 and int(value) > 0 else 1


@dataclass
class _LatePage:
    """One page of the late list: its rows, its number (as carried in the links) and where the neighbours are."""

    rows: list
    number: int
    count: int
    has_next: bool
    has_previous: bool

    def __iter__(self):
        return iter(self.rows)

    @property
    def object_list(self) -> list:
        return self.rows

    @property
    def paginator(self) -> "_LatePage":
        """As Django's Page.paginator: `page.paginator.count` and `.num_pages` (the page knows both)."""
        return self

    @property
    def num_pages(self) -> int:
        return _late_pages(self.count)

    def next_query(self) -> str:
        last = self.rows[-1]
        return urlencode({"page": self.number + 1, "after": f"{last.due_date.isoformat()}.{last.pk}"})

    def previous_query(self) -> str:
        if self.number <= 2:
            return urlencode({"page": 1})
        first = self.rows[0]
        return urlencode({"page": self.number - 1, "before": f"{first.due_date.isoformat()}.{first.pk}"})


def _late_page(request: HttpRequest, queryset, count: int | None) -> _LatePage:
    """The page asked for: after or before a row's key (`after=`/`before=`, the Next / Previous links: a
    deep page costs what the first does), else by page number (OFFSET: cheap for the first pages, which
    is where a page number is typed or bookmarked)."""
    number = _page_number(request.GET.get("page"))
    if count is None:  # a receipt-number search: no summary key, the matches are counted
        count = queryset.count()
    after = _list_key(request.GET.get("after", ""))
    before = None if after else _list_key(request.GET.get("before", ""))
    if after:
        rows = list(queryset.after_in_list_order(*after)[: LATE_PER_PAGE + 1])
        if rows:
            return _LatePage(rows[:LATE_PER_PAGE], max(number, 2), count, len(rows) > LATE_PER_PAGE, True)
        number = 1  # a position past the end (the list changed since): back to the first page
    elif before:
        rows = list(queryset.before_in_list_order(*before)[: LATE_PER_PAGE + 1])
        if len(rows) > LATE_PER_PAGE:
            return _LatePage(rows[:LATE_PER_PAGE][::-1], max(number, 2), count, True, True)
        number = 1  # nothing before this page but the first page: shown whole
    number = min(number, _late_pages(count))
    start = (number - 1) * LATE_PER_PAGE
    rows = list(queryset[start : start + LATE_PER_PAGE + 1])
    return _LatePage(rows[:LATE_PER_PAGE], number, count, len(rows) > LATE_PER_PAGE, number > 1)


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
    count = _late_count(request, province, first, last)
    page = _late_page(request, queryset, count)
    params = {k: v for k, v in request.GET.items() if k not in ("page", "after", "before") and v}
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
            "months": month_choices(first, last),
            "filters": params,
            "agencies": agencies,
            "query_string": urlencode(params),
            "export_url": f"{reverse('dossiers:late_export_create')}?{urlencode(params)}",
        },
    )


@login_required
@require_POST
def late_export_create(request: HttpRequest) -> HttpResponse:
    """The list's "Export to Excel": a background job with the list's filters, then its page."""
    province = _province_for_user(request)
    first, last = _period(request)
    job = LateExportJob.objects.create(
        province=province,
        filters={**_late_filters(request), "from": f"{first:%Y-%m}", "to": f"{last:%Y-%m}"},
        language=(request.LANGUAGE_CODE or "vi")[:10],
        created_by=request.user,
    )
    send_after_commit(job)
    return redirect(job)


def _get_export_for_user(request: HttpRequest, pk: int) -> LateExportJob:
    return get_object_or_404(LateExportJob.objects.for_user(request.user).select_related("province"), pk=pk)


def _late_list_url(job: LateExportJob) -> str:
    params = {"province": job.province.code, **job.filters}
    return f"{reverse('dossiers:late_list')}?{urlencode(params)}"


@login_required
def late_export(request: HttpRequest, pk: int) -> HttpResponse:
    job = _get_export_for_user(request, pk)
    first, last = late_period(job.filters)
    context = {"job": job, "list_url": _late_list_url(job), "first": first, "last": last}
    return render(request, "dossiers/late_export.html", context)


@login_required
def late_export_progress(request: HttpRequest, pk: int) -> HttpResponse:
    job = _get_export_for_user(request, pk)
    response = render(request, "dossiers/_late_export_progress.html", {"job": job})
    if not job.is_active and request.htmx:
        response.status_code = 286  # htmx: stop polling
    return response


@login_required
@require_POST
def late_export_run_again(request: HttpRequest, pk: int) -> HttpResponse:
    job = _get_export_for_user(request, pk)
    if job.can_run_again and job.run_again():
        send_after_commit(job)
        messages.info(request, _("The export was queued again."))
    return redirect(job)


@login_required
def late_export_download(request: HttpRequest, pk: int) -> HttpResponse:
    job = _get_export_for_user(request, pk)
    if job.status != ExportStatus.SUCCEEDED or not job.result:
        raise Http404("no file (not ready or expired)")
    try:
        handle = job.result.open("rb")
    except FileNotFoundError:
        raise Http404("file gone") from None
    name = f"ho-so-tre-han-{job.province.code}-{timezone.localtime(job.finished_at):%Y%m%d-%H%M}.xlsx"
    return FileResponse(handle, as_attachment=True, filename=name)


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
