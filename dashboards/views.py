"""The leader's dashboard of a province and the national view (map, ranking, groups, regions).

Pages render HTML from the cached blocks (`blocks.py`); each chart gets its data from its own
JSON endpoint, drawn by one script per page (static/dashboards/). Every table exports to .xlsx.
"""

from __future__ import annotations

import functools
import hashlib
import time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from cchc_portal.cache import cached, generations, generations_with, is_cached
from cchc_portal.lib.numbers import format_decimal, format_percent
from cchc_portal.lib.text import fold
from cchc_portal.scoping import primary_province_id, scope_for
from tasks.models import TaskStatus

from . import blocks, dossier_block, tables
from .apps import SCOPE_CACHE
from .exporting import xlsx_response

# --- scoping -----------------------------------------------------------------------


def _requested_province_id(request: HttpRequest) -> int | None:
    """?province=<official code> as on every page (any province for national admins, one of theirs for
    everyone else), else the user's own province. Outside the user's scope is a 404, as everywhere."""
    scope = scope_for(request.user)
    raw = request.GET.get("province")
    if raw:
        province_id = blocks.province_id_for_code(raw)
        if province_id is None:
            raise Http404("no province with this code")
        if not scope.all and province_id not in scope.published_province_ids:
            raise Http404("province outside the user's scope")
        return province_id
    return primary_province_id(request.user)


def _get_province_for_user(request: HttpRequest, *, required: bool = True) -> dict | None:
    """The province the request asks for (or the user's own); 404 when it is out of scope,
    and when there is none unless `required` is false."""
    province_id = _requested_province_id(request)
    if province_id is None:
        if required:
            raise Http404("no province")
        return None
    province = blocks.province_info(province_id)
    if province is None:
        raise Http404("not a province")
    return province


def _lang() -> str:
    return get_language() or "vi"


def _is_en() -> bool:
    return _lang().startswith("en")


def _name(obj: dict, field: str = "name") -> str:
    return (obj.get(f"{field}_en") or obj.get(f"{field}_vi")) if _is_en() else obj.get(f"{field}_vi")


# --- rendered pages -------------------------------------------------------------------------

HTML_CACHE = "dashboards.html"


def _body_key(parts: tuple) -> tuple:
    return (
        *parts,
        _lang(),
        timezone.localdate().isoformat(),
        generations(blocks.INDICES_CACHE, blocks.TASKS_CACHE, dossier_block.DOSSIERS_CACHE),
    )


def _cached_body(parts: tuple, template: str, make_context) -> str:
    """The page body rendered once per (filters, language, day, data generations): a warm request
    renders only the frame (menu, CSRF token) around it. Any feeding job's bump makes a new key."""
    return mark_safe(cached(HTML_CACHE, _body_key(parts), lambda: render_to_string(template, make_context())))


# --- whole pages, per user ----------------------------------------------------------------

PAGE_CACHE = "dashboards.page"
PAGE_TIMEOUT = 3600
PAGE_LOCK_TIMEOUT = 10  # s: a crashed computation frees the lock on its own
PAGE_LOCK_WAIT = 2.0  # s: then a waiting request computes the page itself
# Rendered in place of the CSRF token; the request's own token replaces it on every response.
CSRF_PLACEHOLDER = "cchcCsrfPlaceholder0000000000000000000000000000000000000000000000"


PAGE_GENERATIONS = (SCOPE_CACHE, HTML_CACHE, blocks.INDICES_CACHE, blocks.TASKS_CACHE, dossier_block.DOSSIERS_CACHE)


def _page_key(request: HttpRequest, view: str) -> str:
    """What the whole page depends on besides the data generations (stored beside the page): the
    user (their scope only changes with their units/agencies, which bump SCOPE_CACHE; their name,
    role and staff flag are in the frame), the full path (filters), language and day."""
    user = request.user
    parts = (
        view,
        request.get_full_path(),
        _lang(),
        timezone.localdate().isoformat(),
        user.pk,
        user.get_full_name() or user.get_username(),
        user.effective_role,
        user.is_staff,
    )
    return f"{PAGE_CACHE}:{hashlib.sha1(repr(parts).encode()).hexdigest()[:24]}"


def page_cached(view_func):
    """Caches a page's whole HTML (frame included) per user, filters, language and generations, so a
    warm request runs no query beyond the session and the user and makes one cache round-trip (the
    generations and the page, stored as (generations, html), in one `get_many`). The page is
    rendered with a placeholder CSRF token (`_render`), replaced by the request's own token on the
    way out. A request with pending messages renders normally (they would be consumed)."""

    @functools.wraps(view_func)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if len(messages.get_messages(request)):
            return view_func(request, *args, **kwargs)
        key = _page_key(request, view_func.__name__)
        current, stored = generations_with(PAGE_GENERATIONS, key)
        html = stored[1] if stored is not None and stored[0] == current else None
        if html is None:
            # One request computes a missing page; the same user's simultaneous requests (a cold
            # cache, several tabs, a reload storm) wait for it instead of computing it again.
            lock = _lock_key(key, current)
            owner = cache.add(lock, 1, PAGE_LOCK_TIMEOUT)
            if not owner:
                html = _wait_for(key, current)
            if html is None:
                try:
                    request._dashboards_page_cache = True
                    response = view_func(request, *args, **kwargs)
                    if response.status_code != 200 or not getattr(request, "_dashboards_placeholder_used", False):
                        return response
                    html = response.content.decode(response.charset)
                    cache.set(key, (current, html), PAGE_TIMEOUT)
                finally:
                    if owner:
                        cache.delete(lock)
        return HttpResponse(html.replace(CSRF_PLACEHOLDER, get_token(request)))

    return wrapper


def _lock_key(key: str, current: tuple) -> str:
    return f"{key}:{'-'.join(map(str, current))}:lock"


def _wait_for(key: str, current: tuple) -> str | None:
    """The page another request is computing, or None if it is not there within PAGE_LOCK_WAIT."""
    deadline = time.monotonic() + PAGE_LOCK_WAIT
    while time.monotonic() < deadline:
        time.sleep(0.01)
        stored = cache.get(key)
        if stored is not None and stored[0] == current:
            return stored[1]
    return None


def _render(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    if getattr(request, "_dashboards_page_cache", False):
        request._dashboards_placeholder_used = True
        context = {**context, "csrf_token": CSRF_PLACEHOLDER}
    return render(request, template, context)


# --- the leader's dashboard ---------------------------------------------------------------


def _leader_data(province: dict) -> dict:
    today = timezone.localdate()
    return {
        "today": today,
        "cards": blocks.index_cards(province),
        "own_index": blocks.own_index_block(province),
        "plan": blocks.plan_block(province, today),
        "dossiers": dossier_block.dossier_block(province, today),
    }


def leader_body(province: dict) -> str:
    """The leader dashboard's body (every user of the province sees the same), cached per generations."""
    return _cached_body(
        ("leader", province["id"]),
        "dashboards/_leader_body.html",
        lambda: {"province": province, **_leader_data(province), "statuses": dict(TaskStatus.choices)},
    )


def leader_body_is_cached(province_id: int) -> bool:
    """Whether the province's dashboard body is cached for the current generations (in Vietnamese)."""
    from django.utils import translation

    with translation.override("vi"):
        return is_cached(HTML_CACHE, _body_key(("leader", province_id)))


WARM_LANGUAGES = ("vi",)  # the portal's language; an English reader still computes their own body


def warm_leader_bodies(province_ids: list[int]) -> None:
    """After a write (cchc_portal.warming): each touched province's dashboard body, so the first
    leader after an import renders only the frame around it."""
    from django.utils import translation

    for province_id in province_ids:
        province = blocks.province_info(province_id)
        if province is None:
            continue
        for language in WARM_LANGUAGES:
            with translation.override(language):
                leader_body(province)


@login_required
@page_cached
def leader(request: HttpRequest) -> HttpResponse:
    province = _get_province_for_user(request, required=False)
    if province is None:
        # A national administrator has no province of their own: the national view, where every
        # province's dashboard is one click away.
        return redirect("dashboards:national")
    context = {"province": province, "body": leader_body(province)}
    return _render(request, "dashboards/leader.html", context)


@login_required
def leader_export(request: HttpRequest, table: str) -> HttpResponse:
    province = _get_province_for_user(request)
    builders = tables.leader_tables()
    if table not in builders:
        raise Http404("unknown table")
    data = _leader_data(province)
    title, headers, rows = builders[table](province, data)
    return xlsx_response(f"{province['code']}-{table}", title, headers, rows)


def _chart(labels: list, series: list[dict], **extra) -> JsonResponse:
    return JsonResponse({"labels": labels, "series": series, **extra})


@login_required
def chart_trend(request: HttpRequest) -> JsonResponse:
    """One index's score over the years: the province and, before 2025, its predecessors."""
    province = _get_province_for_user(request)
    code = request.GET.get("index", "")
    card = next((c for c in blocks.index_cards(province)["cards"] if c["code"] == code), None)
    if card is None:
        raise Http404("no such index")
    trend = card["trend"]
    series = [
        {
            "name": s["name"] if s["own"] else _("%(name)s (before 1/7/2025)") % {"name": s["name"]},
            "own": s["own"],
            "data": s["scores"],
            "ranks": s["ranks"],
        }
        for s in trend["series"]
    ]
    return _chart(trend["labels"], series, decimal="," if not _is_en() else ".", rank_label=_("Rank"))


@login_required
def chart_plan_status(request: HttpRequest) -> JsonResponse:
    province = _get_province_for_user(request)
    figures = blocks.plan_block(province, timezone.localdate()).get("figures")
    if not figures:
        return _chart([], [])
    keys = ["completed", "in_progress", "ongoing", "not_started"]
    labels = [str(TaskStatus(k).label) for k in keys]
    on_time = figures["completed"] - figures["completed_late"]
    return _chart(
        labels,
        [{"name": _("Tasks"), "data": [figures[k] for k in keys]}],
        keys=keys,
        overdue={"label": _("Overdue"), "value": figures["overdue"]},
        completed_on_time=on_time,
    )


@login_required
def chart_plan_areas(request: HttpRequest) -> JsonResponse:
    province = _get_province_for_user(request)
    figures = blocks.plan_block(province, timezone.localdate()).get("figures")
    if not figures:
        return _chart([], [])
    areas = figures["by_area"]
    return _chart(
        [a["code"] for a in areas],
        [
            {"name": _("Completed"), "data": [a["completed"] for a in areas]},
            {"name": _("Not completed"), "data": [a["total"] - a["completed"] for a in areas]},
        ],
        names=[a["name"] for a in areas],
        rates=[format_percent(a["completion_rate"], lang=_lang()) for a in areas],
    )


@login_required
def chart_dossiers_monthly(request: HttpRequest) -> JsonResponse:
    province = _get_province_for_user(request)
    block = dossier_block.dossier_block(province, timezone.localdate())
    months = block.get("monthly") or []
    return _chart(
        [f"{m['month'].month}/{m['month'].year}" for m in months],
        [
            {"name": _("On-time rate (%)"), "kind": "rate", "data": [_float(m["on_time_rate"]) for m in months]},
            {"name": _("Received"), "kind": "count", "data": [m["received"] for m in months]},
            {"name": _("Finished"), "kind": "count", "data": [m["finished"] for m in months]},
        ],
        decimal="," if not _is_en() else ".",
    )


def _float(value) -> float | None:
    return None if value is None else float(value)


# --- the national view --------------------------------------------------------------------


def _national_selection(request: HttpRequest) -> tuple[list[dict], dict | None, int | None]:
    options = blocks.national_options()
    if not options:
        return options, None, None
    code = request.GET.get("index") or options[0]["code"]
    option = next((o for o in options if o["code"] == code), None)
    if option is None:
        raise Http404("no such index")
    raw_year = request.GET.get("year")
    try:
        year = int(raw_year) if raw_year else option["years"][0]
    except ValueError:
        raise Http404("bad year") from None
    if year not in option["years"]:
        raise Http404("no ranking for that year")
    return options, option, year


def _national_data(request: HttpRequest) -> tuple[list[dict], dict | None]:
    options, option, year = _national_selection(request)
    if option is None:
        return options, None
    data = blocks.national_view(option["code"], year)
    if data is None:
        raise Http404("no such edition")
    return options, data


def _national_data_or_404(request: HttpRequest) -> dict:
    """The national view's data for the chart endpoints: 404 when nothing is ranked yet."""
    _options, data = _national_data(request)
    if data is None:
        raise Http404("no rankings")
    return data


@login_required
@page_cached
def national(request: HttpRequest) -> HttpResponse:
    options, data = _national_data(request)
    scope = scope_for(request.user)
    query = urlencode({"index": data["index"]["code"], "year": data["year"]}) if data else ""

    def make_context():
        return {
            "options": options,
            "data": data,
            "query": query,
            "geo_url": static(f"geo/{data['map']}.geojson") if data else "",
            # Provinces whose dashboard this user may open from the table.
            "dashboard_all": scope.all,
            "dashboard_ids": scope.published_province_ids,
        }

    who = "all" if scope.all else tuple(sorted(scope.published_province_ids))
    body = _cached_body(("national", query, who), "dashboards/_national_body.html", make_context)
    context = {"data": data, "body": body}
    return _render(request, "dashboards/national.html", context)


@login_required
def national_map(request: HttpRequest) -> JsonResponse:
    """The choropleth's data, joined to the map by province code (never by name)."""
    data = _national_data_or_404(request)
    lang = _lang()
    code = data["index"]["code"]
    items = [
        {
            "name": row["code"],
            "value": float(row["score"]),
            "label": row["name"],
            "text": format_decimal(row["score"], 2, lang),
            "rank": f"{row['rank']}/{row['ranked_count']}",
            "url": reverse("indices:unit_detail", args=[code, row["unit_id"]]),
        }
        for row in data["rows"]
    ]
    return JsonResponse(
        {
            "map": data["map"],
            "geo": static(f"geo/{data['map']}.geojson"),
            "min": _float(data["min"]),
            "max": _float(data["max"]),
            "unit_label": data["unit_label"],
            "title": f"{_name(data['index'])} {data['year']}",
            "labels": {"rank": _("Rank"), "score": _("Score"), "no_data": _("No score")},
            "decimal": "," if not _is_en() else ".",
            # Labelled as on every official map of Viet Nam; their polygons belong to the two provinces.
            "archipelagos": [
                {"name": _("Hoàng Sa archipelago\n(Đà Nẵng)"), "coord": [112.0, 17.0]},
                {"name": _("Trường Sa archipelago\n(Khánh Hòa)"), "coord": [113.9, 11.5]},
            ],
            "data": items,
        }
    )


@login_required
def national_groups(request: HttpRequest) -> JsonResponse:
    data = _national_data_or_404(request)
    groups = data["groups"]
    return _chart(
        [f"{g['code']} ({g['label']})" if g["label"] != g["code"] else g["code"] for g in groups],
        [{"name": _("Provinces"), "data": [g["count"] for g in groups]}],
    )


@login_required
def national_regions(request: HttpRequest) -> JsonResponse:
    data = _national_data_or_404(request)
    regions = data["region_means"]
    return _chart(
        [_name(r) for r in regions],
        [{"name": _("Mean score"), "data": [_float(r["mean"]) for r in regions]}],
        national_mean=_float(data["national_mean"]),
        national_mean_label=_("National mean"),
        decimal="," if not _is_en() else ".",
    )


@login_required
def national_export(request: HttpRequest, table: str) -> HttpResponse:
    _options, data = _national_data(request)
    builders = tables.national_tables()
    if data is None or table not in builders:
        raise Http404("unknown table")
    title, headers, rows = builders[table](data)
    return xlsx_response(f"{data['index']['code']}-{data['year']}-{table}", title, headers, rows)


# --- search and help: composing pages across the apps ---------------------------------------

SEARCH_LIMIT = 20


@login_required
def search(request: HttpRequest) -> HttpResponse:
    """One box in the header: tasks, plans, agencies and units the user may see, without diacritics or case."""
    from provinces.models import AdministrativeUnit, Agency
    from tasks.models import Plan, Task

    query = request.GET.get("q", "").strip()[:200]
    folded = fold(query)
    groups = []
    if folded:
        user = request.user
        groups = [
            (_("Tasks"), Task.objects.for_user(user).filter(title_folded__contains=folded)
             .select_related("plan__unit", "area").order_by("-plan__year", "area__order", "order")[:SEARCH_LIMIT]),
            (_("Reform plans"), Plan.objects.for_user(user).filter(title_folded__contains=folded)
             .select_related("unit").order_by("-year")[:SEARCH_LIMIT]),
            (_("Agencies"), Agency.objects.for_user(user).current().filter(name_folded__contains=folded)
             .select_related("province").order_by("kind", "name")[:SEARCH_LIMIT]),
            (_("Administrative units"), AdministrativeUnit.objects.for_user(user).current()
             .filter(name_folded__contains=folded).select_related("parent").order_by("level", "name")[:SEARCH_LIMIT]),
        ]  # fmt: skip
        groups = [(label, list(items)) for label, items in groups]
    found = sum(len(items) for _label, items in groups)
    return render(request, "dashboards/search.html", {"query": query, "groups": groups, "found": found})


HELP_ROLES = ("agency_officer", "province_admin", "leader", "national_admin", "viewer")


@login_required
def help_page(request: HttpRequest) -> HttpResponse:
    role = request.GET.get("role") or request.user.effective_role
    return render(request, "dashboards/help.html", {"role": role if role in HELP_ROLES else "viewer"})


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico on every page, the error pages included."""
    from django.http import HttpResponsePermanentRedirect

    return HttpResponsePermanentRedirect(static("favicon.svg"))
