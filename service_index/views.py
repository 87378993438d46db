import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.scoping import primary_province_id, scope_for
from cchc_portal.cache import cached, generations
from cchc_portal.lib.workdays import add_months
from dossiers.models import (
    Dossier,
    DossierSummary,
    HandlingTimeSummary,
    ProvinceHandlingTimeSummary,
    local_today,
)
from dossiers.stats import STATS_CACHE
from provinces.models import AdministrativeUnit, Agency, AgencyKind, UnitLevel

from .figures import (
    PERIOD_LABELS,
    Period,
    grouped_sums,
    handling_times,
    monthly_sums,
    ranked,
    rolled_up_sums,
    score,
    worst_handling_times,
)
from .forms import PublishedUploadForm
from .importing import PUBLISHED_CACHE, FileRefused, commit, preview
from .models import Methodology, PublishedScore


def _get_province_for_user(request: HttpRequest) -> AdministrativeUnit:
    provinces = AdministrativeUnit.objects.provinces().filter(valid_to__isnull=True)
    scope = scope_for(request.user)
    if not scope.all:
        provinces = provinces.filter(pk__in=scope.province_ids)
    code = request.GET.get("province")
    if code:
        return get_object_or_404(provinces, code=code)
    pk = primary_province_id(request.user)
    province = provinces.filter(pk=pk).first() if pk else provinces.order_by("code").first()
    if province is None:
        raise Http404
    return province


def _period(request: HttpRequest) -> Period:
    try:
        return Period.parse(request.GET.get("period", ""))
    except ValueError:
        return Period.containing("month", local_today())


def _methodology(period: Period) -> Methodology:
    methodology = Methodology.objects.prefetch_related("groups__indicators").in_force(period.last)
    if methodology is None:
        raise Http404
    return methodology


def _period_choices(today: dt.date) -> list[tuple[str, list[Period]]]:
    months = [Period.containing("month", add_months(today, -n)) for n in range(12)]
    quarters = [Period.containing("quarter", add_months(today, -3 * n)) for n in range(4)]
    halves = [Period.containing("half", add_months(today, -6 * n)) for n in range(2)]
    years = [Period.containing("year", add_months(today, -12 * n)) for n in range(2)]
    return [(PERIOD_LABELS[k], p) for k, p in zip(PERIOD_LABELS, (months, quarters, halves, years), strict=True)]


def unit_rows(province, summaries, period, methodology, group_by: str, sums_by_id: dict | None = None) -> list[dict]:
    """Every current department or commune of the province, scored and ranked; those without dossiers last.

    `sums_by_id`: the period's sums per agency (or receiving unit) already read (`rolled_up_sums`)."""
    if group_by == "agency":
        # Departments: the province's agencies outside the communes.
        units = Agency.objects.current().filter(province=province, commune__isnull=True)
        units = units.exclude(kind=AgencyKind.COMMUNE_COMMITTEE).values_list("pk", "short_name", "name")
        queryset, key = summaries.filter(agency__isnull=False), "agency_id"
    else:
        units = AdministrativeUnit.objects.current().filter(province=province, level=UnitLevel.COMMUNE)
        units = units.values_list("pk", "code", "name")
        queryset, key = summaries.filter(receiving_unit__level=UnitLevel.COMMUNE), "receiving_unit_id"
    if sums_by_id is None:
        sums_by_id = {sums[key]: sums for sums in grouped_sums(queryset, period, key)}
    empty = None
    rows = []
    for pk, code, name in units.order_by("name"):
        sums = sums_by_id.get(pk)
        if sums is None:
            empty = empty or {"has_dossiers": False, "share": None, "total": None}
        rows.append(
            {"id": pk, "code": code, "name": name, "score": empty if sums is None else score(methodology, sums)}
        )
    return ranked(rows)


PAGE_CACHE = STATS_CACHE  # bumped by imports, recomputes and the overdue job
WARM_LANGUAGES = ("vi",)  # the portal's language; an English reader still renders their own body
WHOLE_PROVINCE = "province"  # the body's readers: everyone who reads the whole province sees the same body


def _page_parts(province_ref: tuple, period: Period, readers) -> tuple:
    """The cache key parts of the 766 page's body: the province asked for (("code", ?province=) or ("pk",
    the user's own)), the period, the language, who reads it (WHOLE_PROVINCE or a narrower scope), the day
    and the published figures' generation."""
    return ("service-index-page", province_ref, period.code, get_language(), readers, local_today(),
            generations(PUBLISHED_CACHE))  # fmt: skip


@login_required
def index_page(request: HttpRequest) -> HttpResponse:
    """The 766 page: its body (scores, trend, the department and commune tables) is rendered once per
    (province asked for, period, language, readers, day) until an import bumps the dossier or the
    published-figures generation; a warm request reads the scope and one cache entry, nothing else.

    A user who reads the whole province (its own province users, national administrators) shares the
    body with every such user: that is the entry `warm_pages` fills after an import. A commune user's
    body is keyed by their scope."""
    period = _period(request)
    scope = scope_for(request.user)
    code = request.GET.get("province", "")
    if code:
        province_ref, readers = ("code", code), WHOLE_PROVINCE if scope.all else scope
    else:
        own = primary_province_id(request.user)
        province_ref = ("pk", own)
        readers = WHOLE_PROVINCE if own is not None and own in scope.province_ids else scope

    def render_body() -> tuple[int, str, str]:
        province = _get_province_for_user(request)  # 404s are not cached
        summaries = DossierSummary.objects.for_user(request.user).filter(province=province)
        return _render_body(province, period, summaries, handling_summaries(request.user, province))

    province_id, province_code, body = cached(PAGE_CACHE, _page_parts(province_ref, period, readers), render_body)
    return render(
        request,
        "service_index/page.html",
        {
            "body": mark_safe(body),  # rendered by our template (auto-escaped)
            "province_code": province_code,
            "perms_import": request.user.can_manage_province(province_id),
        },
    )


def _render_body(province, period: Period, summaries, handling) -> tuple[int, str, str]:
    context = _page_context(province, period, summaries, handling)
    return province.pk, province.code, render_to_string("service_index/_page_body.html", context)


def warm_pages(province_ids: list[int]) -> None:
    """After a write (cchc_portal.warming): each touched province's page for the current month, as its
    leaders open it (no ?province=, no ?period=), so the first leader after an import reads the cache."""
    from django.utils import translation

    period = Period.containing("month", local_today())
    provinces = AdministrativeUnit.objects.provinces().filter(pk__in=province_ids, valid_to__isnull=True)
    for province in provinces:
        summaries = DossierSummary.objects.filter(province=province)
        handling = ProvinceHandlingTimeSummary.objects.filter(province=province)
        for language in WARM_LANGUAGES:
            with translation.override(language):
                parts = _page_parts(("pk", province.pk), period, WHOLE_PROVINCE)
                cached(PAGE_CACHE, parts, lambda: _render_body(province, period, summaries, handling))  # noqa: B023


def page_is_cached(province_id: int) -> bool:
    """Whether a leader of the province opening the page now reads its body from the cache (tests)."""
    from django.utils import translation

    from cchc_portal.cache import is_cached

    with translation.override(WARM_LANGUAGES[0]):
        parts = _page_parts(("pk", province_id), Period.containing("month", local_today()), WHOLE_PROVINCE)
        return is_cached(PAGE_CACHE, parts)


HANDLING_ON_PAGE = 10


def _page_context(province, period: Period, summaries, handling) -> dict:
    """`summaries` and `handling`: the province's rows as its reader sees them (`handling_summaries`)."""
    methodology = _methodology(period)
    total, by_agency, by_unit = rolled_up_sums(summaries, period)
    context = {
        "methodology": methodology,
        "result": score(methodology, total),
        "agencies": unit_rows(province, summaries, period, methodology, "agency", by_agency),
        "communes": unit_rows(province, summaries, period, methodology, "commune", by_unit),
        "trend": [
            {"month": month, "score": score(methodology, sums)}
            for month, sums in monthly_sums(summaries, add_months(period.last, -11), period.last)
        ],
    }
    context["handling"], context["handling_count"] = worst_handling_times(handling, period, HANDLING_ON_PAGE)
    published = published_by_key(province, period)
    for rows, kind in ((context["agencies"], "agency"), (context["communes"], "unit")):
        for row in rows:
            row["published"] = published.get((kind, row["id"]))
    return {
        **context,
        "province": province,
        "period": period,
        "published": published.get(("unit", province.pk)),
        "period_choices": _period_choices(local_today()),
    }


def handling_summaries(user, province):
    """The handling-time rows of a whole province the user reads: its totals, or the user's communes' rows."""
    scope = scope_for(user)
    if scope.all or province.pk in scope.province_ids:
        return ProvinceHandlingTimeSummary.objects.filter(province=province)
    return HandlingTimeSummary.objects.for_user(user).filter(province=province)


@login_required
def handling_time_list(request: HttpRequest) -> HttpResponse:
    """Every procedure's average handling time in the period, worst first; of a commune or a department too."""
    province = _get_province_for_user(request)
    period = _period(request)
    handling = HandlingTimeSummary.objects.for_user(request.user).filter(province=province)
    unit = request.GET.get("unit", "")
    agency = request.GET.get("agency", "")
    subject = ""
    if not unit.isdigit() and not agency.isdigit():
        handling = handling_summaries(request.user, province)
    elif unit.isdigit():
        handling = handling.filter(receiving_unit_id=int(unit))
        subject = AdministrativeUnit.objects.filter(pk=int(unit), province=province).values_list("name", flat=True)
        subject = subject.first() or ""
    elif agency.isdigit():
        handling = handling.filter(agency_id=int(agency))
        subject = Agency.objects.filter(pk=int(agency), province=province).values_list("name", flat=True).first() or ""
    # Rebuilt only when an import or the overdue job bumps the dossier figures ("dossier-stats").
    rows = cached(
        "dossier-stats",
        ("handling-times", province.pk, period.code, unit, agency, scope_for(request.user), local_today()),
        lambda: handling_times(handling, period),
    )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "service_index/handling_times.html",
        {"province": province, "period": period, "page": page, "subject": subject, "query_string": query.urlencode()},
    )


DOSSIER_KINDS = {"late": _("late"), "online_no_eresult": _("online without an electronic result")}


@login_required
def dossier_list(request: HttpRequest) -> HttpResponse:
    """The dossiers behind a rate: late by the 766 rules, or online without an electronic result."""
    province = _get_province_for_user(request)
    period = _period(request)
    kind = request.GET.get("kind") if request.GET.get("kind") in DOSSIER_KINDS else "late"
    dossiers = Dossier.objects.for_user(request.user).filter(province=province)
    unit = request.GET.get("unit")
    agency = request.GET.get("agency")
    if unit and unit.isdigit():
        dossiers = dossiers.filter(receiving_unit_id=int(unit))
    if agency and agency.isdigit():
        dossiers = dossiers.filter(agency_id=int(agency))
    first, last = period.first, period.last
    if kind == "late":
        closed_late = Q(late_766=True, closed_month__gte=first, closed_month__lte=last)
        overdue_at_end = Q(overdue_month__lte=last) & (Q(closed_month__isnull=True) | Q(closed_month__gt=last))
        dossiers = dossiers.filter(closed_late | overdue_at_end)
    else:
        dossiers = dossiers.filter(
            received_month__gte=first,
            received_month__lte=last,
            channel__in=["online_full", "online_partial"],
            online_766=False,
        )
    dossiers = dossiers.select_related("procedure", "receiving_unit", "agency").order_by("due_date", "pk")
    page = Paginator(dossiers, 50).get_page(request.GET.get("page"))
    unit_name = (
        AdministrativeUnit.objects.filter(pk=int(unit)).values_list("name", flat=True).first()
        if unit and unit.isdigit()
        else ""
    )
    return render(
        request,
        "service_index/dossiers.html",
        {"province": province, "period": period, "page": page, "kind": kind, "kind_label": DOSSIER_KINDS[kind],
         "unit_name": unit_name, "query": request.GET.urlencode()},
    )  # fmt: skip


@login_required
def published_upload(request: HttpRequest) -> HttpResponse:
    """Upload the national portal's published figures: check first (preview, row errors), then import."""
    province = _get_province_for_user(request)
    if not request.user.can_manage_province(province.pk):
        raise PermissionDenied(_("Only the province's administrators can import published figures."))
    form = PublishedUploadForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        period = form.cleaned_data["period"]
        upload = form.cleaned_data["file"]
        try:
            result = preview(upload.read(), province=province, period=period)
        except FileRefused as refused:
            form.add_error("file", str(refused))
        else:
            if not form.cleaned_data["dry_run"] and result.rows:
                written = commit(result, province=province, period=period, user=request.user, source_name=upload.name)
                messages.success(request, _("%(n)d rows imported; %(e)d rows with errors were left out.")
                                 % {"n": written, "e": len(result.problems)})  # fmt: skip
    return render(
        request,
        "service_index/upload.html",
        {"province": province, "form": form, "result": result},
    )


def published_by_key(province, period) -> dict:
    """Published figures of the period: ("unit", id) / ("agency", id) → PublishedScore."""
    found = {}
    for item in PublishedScore.objects.filter(province=province, period=period.code):
        found[("unit", item.unit_id) if item.unit_id else ("agency", item.agency_id)] = item
    return found


@login_required
def dashboard_block(request: HttpRequest) -> HttpResponse:
    """The leader dashboard's 766 block (loaded after the cached dashboard): the digest's facts."""
    from .digest import province_facts

    province = _get_province_for_user(request)  # ?province=<official code>, as everywhere
    day = local_today()
    summaries = DossierSummary.objects.for_user(request.user)
    facts = cached(
        "dossier-stats",
        ("service-index-block", province.pk, day, scope_for(request.user)),
        lambda: province_facts(province, day, summaries),
    )
    published = PublishedScore.objects.filter(unit=province, period=facts.period.code).first()
    return render(
        request,
        "service_index/_dashboard_block.html",
        {"province": province, "facts": facts, "published": published},
    )
