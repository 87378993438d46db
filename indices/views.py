"""Ranking pages, the per-subject page over years, its chart data and the .xlsx export."""

from __future__ import annotations

import io
import uuid
from collections import defaultdict
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import Avg, Count, Max
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.models import AuditSource
from cchc_portal.lib.numbers import format_decimal
from cchc_portal.lib.spreadsheets import neutralise
from cchc_portal.lib.text import fold
from provinces.models import AdministrativeUnit

from .forms import ScoreUploadForm
from .importing import import_scores, previous_totals
from .models import Component, Edition, Index, Ranking, Score

SORTS = {
    "rank": ("rank", "pk"),
    "-rank": ("-rank", "-pk"),
    "score": ("score", "pk"),
    "-score": ("-score", "pk"),
    "name": ("rank", "pk"),  # re-sorted by short name below
    "-name": ("rank", "pk"),
    "change": ("-rank_change", "rank"),
    "-change": ("rank_change", "rank"),
    "group": ("group", "rank"),
}


def _get_edition_for_user(request: HttpRequest, code: str, year: int) -> Edition:
    return get_object_or_404(
        Edition.objects.for_user(request.user).select_related("index"), index__code=code, year=year
    )


def _get_index_for_user(request: HttpRequest, code: str) -> Index:
    return get_object_or_404(Index.objects.for_user(request.user), code=code)


@login_required
def ranking_index(request: HttpRequest) -> HttpResponse:
    indices = list(Index.objects.for_user(request.user).order_by("order", "code"))
    editions = (
        Edition.objects.filter(index__in=indices)
        .annotate(ranked=Count("rankings"), computed_at=Max("rankings__computed_at"))
        .order_by("-year")
    )
    by_index = defaultdict(list)
    for edition in editions:
        by_index[edition.index_id].append(edition)
    rows = [{"index": index, "editions": by_index[index.pk]} for index in indices]
    from .admin import can_import

    context = {"rows": rows, "can_import": can_import(request.user)}
    return render(request, "indices/ranking_index.html", context)


def _top_components(edition: Edition) -> list[Component]:
    return list(edition.components.filter(parent__isnull=True).order_by("order", "code"))


@login_required
def ranking_detail(request: HttpRequest, code: str, year: int) -> HttpResponse:
    edition = _get_edition_for_user(request, code, year)
    sort = request.GET.get("sort", "rank")
    if sort not in SORTS:
        sort = "rank"
    show_components = request.GET.get("components") == "1"
    rankings = list(
        Ranking.objects.filter(edition=edition).select_related("unit", "agency", "region").order_by(*SORTS[sort])
    )
    if sort in ("name", "-name"):
        rankings.sort(key=lambda r: fold(r.subject_name), reverse=sort == "-name")
    components = _top_components(edition)
    if request.GET.get("format") == "xlsx":
        return _ranking_xlsx(edition, rankings, components)
    rows = [
        {"ranking": r, "components": [r.components.get(c.code) for c in components] if show_components else []}
        for r in rankings
    ]
    region_means = list(
        Ranking.objects.filter(edition=edition, region__isnull=False)
        .values("region__name_vi", "region__order")
        .annotate(mean=Avg("score"), count=Count("pk"))
        .order_by("region__order")
    )
    first = rankings[0] if rankings else None
    subject_count = first.subject_count if first else edition.subjects().count()
    years = list(Edition.objects.filter(index=edition.index).order_by("-year").values_list("year", flat=True))
    context = {
        "edition": edition,
        "rows": rows,
        "components": components if show_components else [],
        "show_components": show_components,
        "sort": sort,
        "ranked": len(rankings),
        "missing": max(subject_count - len(rankings), 0),
        "subject_count": subject_count,
        "computed_at": first.computed_at if first else None,
        "region_means": region_means,
        "groups": edition.group_labels(),
        "years": years,
        # A province's own index: percent of each unit's own maximum, with the points beside it.
        "has_points": any(r.points is not None for r in rankings),
    }
    return render(request, "indices/ranking_detail.html", context)


def _ranking_xlsx(edition: Edition, rankings: list[Ranking], components: list[Component]) -> HttpResponse:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(f"{edition.index.code} {edition.year}"[:31])
    sheet.append(
        [
            _("Rank"),
            _("Code"),
            _("Name"),
            _("Score"),
            _("Previous rank"),
            _("Rank change"),
            _("Score change"),
            _("Group"),
        ]
        + [neutralise(f"{c.code} {c.name_vi}") for c in components]
    )
    for r in rankings:
        sheet.append(
            [
                r.rank,
                neutralise(r.subject_code),
                neutralise(r.subject.name),
                float(r.score),
                r.previous_rank,
                r.rank_change,
                float(r.score_change) if r.score_change is not None else None,
                neutralise(r.group),
            ]
            + [float(r.components[c.code]) if c.code in r.components else None for c in components]
        )
    out = io.BytesIO()
    workbook.save(out)
    response = HttpResponse(
        out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{edition.index.code}-{edition.year}.xlsx"'
    return response


def _get_unit_for_user(request: HttpRequest, pk: int) -> AdministrativeUnit:
    return get_object_or_404(AdministrativeUnit.objects.for_user(request.user).provinces(), pk=pk)


def _lineage_ids(unit: AdministrativeUnit) -> list[AdministrativeUnit]:
    return list(unit.predecessors().exclude(pk=unit.pk))


@login_required
def unit_detail(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    index = _get_index_for_user(request, code)
    unit = _get_unit_for_user(request, pk)
    history = list(
        Ranking.objects.filter(edition__index=index, unit=unit)
        .select_related("edition__index")
        .order_by("-edition__year")
    )
    predecessors = _lineage_ids(unit)
    predecessor_history = list(
        Ranking.objects.filter(edition__index=index, unit__in=predecessors)
        .select_related("edition", "unit")
        .order_by("unit__code", "-edition__year")
    )
    latest = history[0].edition if history else None
    breakdown = []
    if latest is not None:
        components = list(latest.components.order_by("order", "code"))
        own = dict(
            Score.objects.filter(edition=latest, unit=unit, component__isnull=False).values_list(
                "component_id", "value"
            )
        )
        means = dict(
            Score.objects.filter(edition=latest, component__isnull=False, unit__isnull=False)
            .values("component_id")
            .annotate(mean=Avg("value"))
            .values_list("component_id", "mean")
        )
        children = defaultdict(list)
        for c in components:
            children[c.parent_id].append(c)

        def walk(parent_id, depth):
            for c in children.get(parent_id, []):
                breakdown.append(
                    {
                        "component": c,
                        "depth": depth,
                        "value": own.get(c.pk),
                        "mean": means.get(c.pk),
                        "max": c.max_score,
                    }
                )
                walk(c.pk, depth + 1)

        walk(None, 0)
    context = {
        "index": index,
        "unit": unit,
        "history": history,
        "predecessors": predecessors,
        "predecessor_history": predecessor_history,
        "latest": latest,
        "breakdown": breakdown,
        "has_provisional": any(b["component"].max_is_provisional for b in breakdown),
    }
    return render(request, "indices/unit_detail.html", context)


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


@login_required
def unit_chart(request: HttpRequest, code: str, pk: int) -> JsonResponse:
    """{"labels": [years], "series": [{"name", "kind": "score"|"rank", "data": [...]}]} for one subject."""
    index = _get_index_for_user(request, code)
    unit = _get_unit_for_user(request, pk)
    units = [unit, *_lineage_ids(unit)]
    rows = list(
        Ranking.objects.filter(edition__index=index, unit__in=units)
        .values_list("unit_id", "edition__year", "score", "rank")
        .order_by("edition__year")
    )
    years = sorted({year for _unit, year, _s, _r in rows})
    names = {u.pk: u.short_name for u in units}
    series = []
    for u in units:
        points = {year: (score, rank) for unit_id, year, score, rank in rows if unit_id == u.pk}
        if not points:
            continue
        series.append(
            {"name": names[u.pk], "kind": "score", "data": [_float(points.get(y, (None,))[0]) for y in years]}
        )
        series.append(
            {
                "name": names[u.pk],
                "kind": "rank",
                "data": [points[y][1] if y in points else None for y in years],
            }
        )
    return JsonResponse(
        {
            "labels": years,
            "series": series,
            "decimal": "," if (get_language() or "vi").startswith("vi") else ".",
            "example": format_decimal(Decimal("1.5"), 1),
        }
    )


# --- the score import as a portal page (upload → preview → confirm) ---------------------------

IMPORT_TIMEOUT = 3600


def _require_score_importer(request: HttpRequest):
    from .admin import can_import, importable_editions

    editions = importable_editions(request.user)
    if not can_import(request.user):
        raise PermissionDenied(_("Only administrators can import index results."))
    return editions


@login_required
def score_import(request: HttpRequest) -> HttpResponse:
    editions = _require_score_importer(request).order_by("index__order", "index__code", "-year")
    form = ScoreUploadForm(editions, request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        edition, upload = form.cleaned_data["edition"], form.cleaned_data["file"]
        content = upload.read()
        plan = import_scores(edition, content, upload.name, dry_run=True)
        token = uuid.uuid4().hex
        if plan.ok:
            cache.set(f"indices:upload:{token}", (request.user.pk, edition.pk, upload.name, content), IMPORT_TIMEOUT)
        old = previous_totals(plan)
        # Only what the import changes; the summary counts the unchanged rows.
        rows = [(row, old.get(row.subject.pk), row.cells.get(None)) for row in plan.rows if row.status != "skip"]
        context = {
            "form": form,
            "plan": plan,
            "rows": rows,
            "edition": edition,
            "token": token,
            "file_name": upload.name,
        }
        return render(request, "indices/score_import.html", context)
    return render(request, "indices/score_import.html", {"form": form})


@login_required
@require_POST
def score_import_confirm(request: HttpRequest, token: str) -> HttpResponse:
    editions = _require_score_importer(request)
    stored = cache.get(f"indices:upload:{token}")
    if stored is None or stored[0] != request.user.pk:
        messages.error(request, _("This preview has expired; upload the file again."))
        return redirect("indices:score_import")
    edition = get_object_or_404(editions.select_related("index"), pk=stored[1])
    plan = import_scores(edition, stored[3], stored[2], actor=request.user, source=AuditSource.IMPORT)
    cache.delete(f"indices:upload:{token}")
    if not plan.ok:
        messages.error(request, plan.summary())
        return redirect("indices:score_import")
    messages.success(request, plan.summary())
    return redirect(edition)
