"""The dashboards' blocks: each reads precomputed figures only, cached per (filters, data generation).

- Index cards and the national view read `indices.Ranking` (written by the rankings job,
  which bumps the "indices" generation).
- The plan block reads `tasks.PlanFigures` (written by the figures job, which bumps
  `tasks.figures.CACHE_NAME`); its task lists read the tasks of one plan (40–150 rows) by
  indexed columns, never the tasks of every plan.
- The dossier block reads `dossiers.DossierSummary` only (monthly flows; the dossier jobs
  bump "dossier-stats"), never the dossier table.

Every function returns plain, picklable, language-neutral data (numbers, dates, codes,
both Vietnamese and English names); templates and JSON views format it for the reader's
language. Each one runs a fixed number of queries whatever the data size.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Exists, OuterRef, Q

from cchc_portal.cache import cached, generation
from indices.models import FIRST_YEAR_AFTER_REORGANISATION, Component, Edition, Index, Ranking
from indices.rankings import CACHE_NAME as INDICES_CACHE
from provinces.models import AdministrativeUnit, UnitLevel
from tasks.figures import CACHE_NAME as TASKS_CACHE
from tasks.models import Plan, Task, TaskCriterion, TaskStatus

UNITS_CACHE = "dashboards.units"  # reference data: nobody bumps it, entries expire after an hour
LIST_LIMIT = 50  # rows shown in a task list (the count is always the full one)
DUE_SOON_DAYS = 30


def _q2(value: Decimal | None) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# --- the province ------------------------------------------------------------------


def province_id_for_code(code: str) -> int | None:
    """The id of the province `?province=<code>` names (AdministrativeUnit.objects.province_for_code), cached."""

    def compute():
        unit = AdministrativeUnit.objects.province_for_code(code)
        return unit.pk if unit else 0

    return cached(UNITS_CACHE, ("province-code", code[:10]), compute, timeout=3600) or None


def province_info(province_id: int) -> dict | None:
    """The province and its predecessors (before 1/7/2025), or None if it is not a province."""

    def compute():
        unit = AdministrativeUnit.objects.filter(pk=province_id, level=UnitLevel.PROVINCE).first()
        if unit is None:
            return None
        predecessors = [
            {"id": p.pk, "code": p.code, "name": p.short_name}
            for p in AdministrativeUnit.objects.filter(successions_out__successor=unit)
            .exclude(pk=unit.pk)
            .order_by("code")
        ]
        return {
            "id": unit.pk,
            "code": unit.code,
            "name": unit.name,
            "short_name": unit.short_name,
            "current": unit.valid_to is None,
            "predecessors": predecessors,
        }

    return cached(UNITS_CACHE, ("province", province_id), compute, timeout=3600)


# --- index cards ---------------------------------------------------------------------


def index_cards(province: dict) -> dict:
    """Per national index: latest score, rank, change since last year, and the trend (with predecessors)."""
    return cached(INDICES_CACHE, ("dash.cards", province["id"]), lambda: _index_cards(province))


def _index_cards(province: dict) -> dict:
    indices = list(Index.objects.filter(owner_province__isnull=True).order_by("order", "code"))
    names = {province["id"]: province["short_name"], **{p["id"]: p["name"] for p in province["predecessors"]}}
    rows = list(
        Ranking.objects.filter(edition__index__owner_province__isnull=True, unit_id__in=list(names))
        .values(
            "edition_id",
            "edition__index_id",
            "edition__year",
            "edition__unit_label",
            "edition__maximum",
            "unit_id",
            "score",
            "rank",
            "ranked_count",
            "previous_rank",
            "previous_score",
            "previous_ranked_count",
            "rank_change",
            "score_change",
            "predecessors",
            "group",
            "computed_at",
        )
        .order_by("edition__year")
    )
    by_index = defaultdict(list)
    for row in rows:
        by_index[row["edition__index_id"]].append(row)
    cards = []
    computed_at = None
    for index in indices:
        own = [r for r in by_index[index.pk] if r["unit_id"] == province["id"]]
        if not own and not by_index[index.pk]:
            continue
        years = sorted({r["edition__year"] for r in by_index[index.pk]})
        series = []
        for unit_id in names:
            points = {r["edition__year"]: r for r in by_index[index.pk] if r["unit_id"] == unit_id}
            if points:
                series.append(
                    {
                        "name": names[unit_id],
                        "own": unit_id == province["id"],
                        "scores": [float(points[y]["score"]) if y in points else None for y in years],
                        "ranks": [
                            f"{points[y]['rank']}/{points[y]['ranked_count']}" if y in points else None for y in years
                        ],
                    }
                )
        latest = own[-1] if own else None
        card = {
            "code": index.code,
            "name_vi": index.name_vi,
            "name_en": index.name_en,
            "trend": {"labels": years, "series": series},
            "latest": None,
        }
        if latest is not None:
            computed_at = max(filter(None, [computed_at, latest["computed_at"]]))
            card["latest"] = {
                "year": latest["edition__year"],
                "unit_label": latest["edition__unit_label"],
                "maximum": latest["edition__maximum"],
                "score": latest["score"],
                "rank": latest["rank"],
                "ranked_count": latest["ranked_count"],
                "previous_rank": latest["previous_rank"],
                "previous_ranked_count": latest["previous_ranked_count"],
                "rank_change": latest["rank_change"],
                "score_change": latest["score_change"],
                # A merged province: its predecessors' results, never an invented change.
                "predecessors": latest["predecessors"] or [],
                "group": latest["group"],
                "computed_at": latest["computed_at"],
                "across_reorganisation": latest["edition__year"] == FIRST_YEAR_AFTER_REORGANISATION
                and latest["previous_rank"] is not None,
            }
        cards.append(card)
    return {"cards": cards, "computed_at": computed_at}


# --- the province's own index ------------------------------------------------------------


def own_index_block(province: dict) -> dict:
    """The latest published result of each of the province's own indices (departments, communes):
    every unit's rank, percent of its own maximum, points and band."""
    return cached(INDICES_CACHE, ("dash.own", province["id"]), lambda: _own_index_block(province))


def _own_index_block(province: dict) -> dict:
    rows = list(
        Ranking.objects.filter(edition__index__owner_province_id=province["id"])
        .values(
            "edition_id",
            "edition__year",
            "edition__index__code",
            "edition__index__name_vi",
            "edition__index__name_en",
            "agency__name",
            "unit__name",
            "score",
            "points",
            "points_max",
            "rank",
            "ranked_count",
            "rank_change",
            "score_change",
            "group",
        )
        .order_by("edition__index__order", "edition__index__code", "-edition__year", "rank", "pk")
    )
    latest: dict[str, int] = {}
    tables: dict[str, dict] = {}
    for row in rows:
        code = row["edition__index__code"]
        latest.setdefault(code, row["edition__year"])
        if row["edition__year"] != latest[code]:
            continue
        table = tables.setdefault(
            code,
            {
                "code": code,
                "edition_year": row["edition__year"],
                "name_vi": row["edition__index__name_vi"],
                "name_en": row["edition__index__name_en"],
                "rows": [],
                "more": False,
            },
        )
        if len(table["rows"]) >= LIST_LIMIT:
            table["more"] = True
            continue
        table["rows"].append(
            {
                "name": row["agency__name"] or row["unit__name"],
                "percent": row["score"],
                "points": row["points"],
                "points_max": row["points_max"],
                "rank": row["rank"],
                "ranked_count": row["ranked_count"],
                "rank_change": row["rank_change"],
                "score_change": row["score_change"],
                "group": row["group"],
            }
        )
    return {"tables": list(tables.values())}


# --- the annual plan -------------------------------------------------------------------


def _task_row(row: dict) -> dict:
    return {
        "id": row["id"],
        "number": f"{row['area__code']}.{row['number']}",
        "title": row["title"],
        "agency": row["lead_agency__name"],
        "deadline": row["deadline"],
        "status": row["status"],
    }


TASK_FIELDS = ("id", "area__code", "number", "title", "lead_agency__name", "deadline", "status")


def plan_block(province: dict, today: dt.date) -> dict:
    """The province's plan for this year (or the latest before it) from PlanFigures, its overdue tasks,
    tasks due in the next 30 days and the index criteria at risk."""
    parts = ("dash.plan", province["id"], today.isoformat(), generation(INDICES_CACHE))
    return cached(TASKS_CACHE, parts, lambda: _plan_block(province, today))


def _plan_block(province: dict, today: dt.date) -> dict:
    plan = (
        Plan.objects.filter(unit_id=province["id"], agency__isnull=True, year__lte=today.year)
        .select_related("figures")
        .order_by("-year")
        .first()
    )
    if plan is None:
        return {"plan": None}
    figures = getattr(plan, "figures", None)
    as_of = figures.as_of if figures else today
    tasks = Task.objects.filter(plan=plan)
    overdue = list(
        tasks.overdue(as_of).values(*TASK_FIELDS).order_by("deadline", "area__order", "order")[: LIST_LIMIT + 1]
    )
    due_soon = list(
        tasks.filter(recurring=False, deadline__gte=today, deadline__lte=today + dt.timedelta(days=DUE_SOON_DAYS))
        .exclude(status=TaskStatus.COMPLETED)
        .values(*TASK_FIELDS)
        .order_by("deadline", "area__order", "order")[: LIST_LIMIT + 1]
    )
    block = {
        "plan": {"id": plan.pk, "year": plan.year, "title": plan.title, "current": plan.year == today.year},
        "figures": None,
        "overdue": [_task_row(r) for r in overdue[:LIST_LIMIT]],
        "overdue_more": len(overdue) > LIST_LIMIT,
        "due_soon": [_task_row(r) for r in due_soon[:LIST_LIMIT]],
        "due_soon_more": len(due_soon) > LIST_LIMIT,
        "due_soon_days": DUE_SOON_DAYS,
        "criteria": _criteria_at_risk(plan, as_of),
    }
    if figures is not None:
        block["figures"] = {
            "computed_at": figures.computed_at,
            "as_of": figures.as_of,
            "total": figures.total,
            "completed": figures.completed,
            "completed_late": figures.completed_late,
            "in_progress": figures.in_progress,
            "ongoing": figures.ongoing,
            "not_started": figures.not_started,
            "overdue": figures.overdue,
            "completion_rate": figures.completion_rate,
            "by_area": figures.by_area,
            "by_agency": sorted(
                figures.by_agency, key=lambda a: (a["completion_rate"] is None, a["completion_rate"] or 0, a["name"])
            ),
        }
    return block


def _norm(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def _index_resolver(indices: list[Index]) -> dict[str, Index]:
    """Soft-link index codes as staff type them ("PAR", "PAR INDEX", "par_index") → the Index."""
    resolver = {}
    for index in indices:
        resolver[_norm(index.code)] = index
        resolver.setdefault(_norm(index.code).removesuffix("INDEX"), index)
    return resolver


def _component_for(code: str, components: dict[str, Component]) -> Component | None:
    """Exact code, else the nearest listed ancestor ("3.2.1" → "3.2" → "3")."""
    parts = code.split(".")
    while parts:
        found = components.get(".".join(parts))
        if found is not None:
            return found
        parts.pop()
    return None


def _own_index_links(plan: Plan, at_risk: Q) -> list[tuple]:
    """Real links (assessments.CriterionTask) from the plan's tasks to criteria of this year's own index."""
    from assessments.models import CriterionTask

    rows = (
        CriterionTask.objects.filter(
            task__plan=plan,
            criterion__methodology__year=plan.year,
            criterion__methodology__province_id=plan.province_id,
        )
        .filter(at_risk)
        .values(
            "criterion__code",
            "criterion__name",
            "criterion__methodology__name",
            "criterion__methodology__year",
            "task_id",
            "task__area__code",
            "task__number",
            "task__title",
            "task__status",
            "task__deadline",
            "task__recurring",
            "task__lead_agency__name",
        )
        .order_by("criterion__methodology__name", "criterion__order", "task__area__order", "task__order")
    )
    result = []
    for row in rows:
        name = row["criterion__methodology__name"]
        header = {
            "index_code": name,
            "index_name_vi": name,
            "index_name_en": name,
            "component_code": row["criterion__code"],
            "component_name_vi": row["criterion__name"],
            "component_name_en": row["criterion__name"],
            "component_matched": row["criterion__code"],
            "edition_year": row["criterion__methodology__year"],
        }
        result.append(((name, row["criterion__code"]), header, row))
    return result


def _criteria_at_risk(plan: Plan, on: dt.date) -> list[dict]:
    """Index criteria (TaskCriterion soft links) whose tasks are overdue or not started, named from the
    latest edition of their index."""
    at_risk = Q(task__status=TaskStatus.NOT_STARTED) | (
        Q(task__deadline__lt=on, task__recurring=False) & ~Q(task__status=TaskStatus.COMPLETED)
    )
    links = list(
        TaskCriterion.objects.filter(task__plan=plan)
        .filter(at_risk)
        .values(
            "index_code",
            "component_code",
            "task_id",
            "task__area__code",
            "task__number",
            "task__title",
            "task__status",
            "task__deadline",
            "task__recurring",
            "task__lead_agency__name",
        )
        .order_by("index_code", "component_code", "task__area__order", "task__order")
    )
    indices = list(
        Index.objects.filter(Q(owner_province__isnull=True) | Q(owner_province_id=plan.province_id)).order_by(
            "order", "code"
        )
    )
    resolve = _index_resolver(indices)
    latest: dict[int, Edition] = {}
    for edition in Edition.objects.filter(index__in=indices).order_by("index_id", "year"):
        latest[edition.index_id] = edition
    components: dict[int, dict[str, Component]] = defaultdict(dict)
    # Each code and its ancestors ("3.2.1", "3.2", "3"): a code missing from the latest tree is
    # named by its nearest listed ancestor.
    codes = sorted(
        {
            ".".join(link["component_code"].split(".")[:depth])
            for link in links
            if link["component_code"]
            for depth in range(1, link["component_code"].count(".") + 2)
        }
    )
    for component in Component.objects.filter(edition__in=list(latest.values()), code__in=codes or [""]):
        components[component.edition_id][component.code] = component
    grouped: dict[tuple, dict] = {}
    headed = []
    for link in links:
        index = resolve.get(_norm(link["index_code"]))
        edition = latest.get(index.pk) if index else None
        component = (
            _component_for(link["component_code"], components[edition.pk])
            if edition and link["component_code"]
            else None
        )
        key = (index.code if index else link["index_code"], link["component_code"])
        header = {
            "index_code": key[0],
            "index_name_vi": index.name_vi if index else link["index_code"],
            "index_name_en": index.name_en if index else link["index_code"],
            "component_code": link["component_code"],
            "component_name_vi": component.name_vi if component else "",
            "component_name_en": (component.name_en or component.name_vi) if component else "",
            "component_matched": component.code if component else "",
            "edition_year": edition.year if edition else None,
        }
        headed.append((key, header, link))
    headed.extend(_own_index_links(plan, at_risk))
    for key, header, link in headed:
        entry = grouped.setdefault(key, {**header, "tasks": [], "overdue": 0, "not_started": 0})
        overdue = (
            link["task__status"] != TaskStatus.COMPLETED
            and not link["task__recurring"]
            and link["task__deadline"] is not None
            and link["task__deadline"] < on
        )
        entry["overdue"] += overdue
        entry["not_started"] += link["task__status"] == TaskStatus.NOT_STARTED
        entry["tasks"].append(
            {
                "id": link["task_id"],
                "number": f"{link['task__area__code']}.{link['task__number']}",
                "title": link["task__title"],
                "agency": link["task__lead_agency__name"],
                "deadline": link["task__deadline"],
                "status": link["task__status"],
                "overdue": overdue,
            }
        )
    return sorted(
        grouped.values(), key=lambda e: (-e["overdue"], -len(e["tasks"]), e["index_code"], e["component_code"])
    )


# --- the national view -----------------------------------------------------------------


def national_options() -> list[dict]:
    """National indices and the years that have rankings, newest first."""

    def compute():
        editions = (
            Edition.objects.filter(index__owner_province__isnull=True)
            .annotate(ranked=Exists(Ranking.objects.filter(edition=OuterRef("pk"))))
            .filter(ranked=True)
            .values("index__code", "index__name_vi", "index__name_en", "index__order", "year")
            .order_by("index__order", "index__code", "-year")
        )
        options: dict[str, dict] = {}
        for e in editions:
            option = options.setdefault(
                e["index__code"],
                {"code": e["index__code"], "name_vi": e["index__name_vi"], "name_en": e["index__name_en"], "years": []},
            )
            option["years"].append(e["year"])
        return list(options.values())

    return cached(INDICES_CACHE, ("dash.options",), compute)


def map_name(year: int) -> str:
    """The 63 old provinces for editions before 2025, the 34 new ones from 2025."""
    return "vn63" if year < FIRST_YEAR_AFTER_REORGANISATION else "vn34"


def national_view(index_code: str, year: int) -> dict | None:
    return cached(INDICES_CACHE, ("dash.national", index_code, year), lambda: _national_view(index_code, year))


def _national_view(index_code: str, year: int) -> dict | None:
    edition = (
        Edition.objects.filter(index__code=index_code, index__owner_province__isnull=True, year=year)
        .select_related("index")
        .first()
    )
    if edition is None:
        return None
    rankings = list(Ranking.objects.filter(edition=edition).select_related("unit", "region").order_by("rank", "pk"))
    rows = []
    regions: dict[int, dict] = {}
    groups = {str(t["code"]): 0 for t in edition.group_thresholds or []}
    for r in rankings:
        rows.append(
            {
                "unit_id": r.unit_id,
                "code": r.unit.code,
                "name": r.unit.short_name,
                "score": r.score,
                "rank": r.rank,
                "ranked_count": r.ranked_count,
                "rank_change": r.rank_change,
                "score_change": r.score_change,
                "previous_ranked_count": r.previous_ranked_count,
                "predecessors": r.predecessors or [],
                "group": r.group,
                "region_vi": r.region.name_vi if r.region_id else "",
                "region_en": r.region.name_en if r.region_id else "",
            }
        )
        if r.group in groups:
            groups[r.group] += 1
        elif r.group:
            groups[r.group] = 1
        if r.region_id:
            region = regions.setdefault(
                r.region_id,
                {"order": r.region.order, "name_vi": r.region.name_vi, "name_en": r.region.name_en, "scores": []},
            )
            region["scores"].append(r.score)
    region_means = [
        {
            "name_vi": reg["name_vi"],
            "name_en": reg["name_en"],
            "count": len(reg["scores"]),
            "mean": _q2(sum(reg["scores"], Decimal(0)) / len(reg["scores"])),
        }
        for reg in sorted(regions.values(), key=lambda reg: reg["order"])
    ]
    labels = edition.group_labels()
    first = rankings[0] if rankings else None
    subject_count = first.subject_count if first else 0
    scores = [r.score for r in rankings]
    return {
        "index": {"code": edition.index.code, "name_vi": edition.index.name_vi, "name_en": edition.index.name_en},
        "year": edition.year,
        "unit_label": edition.unit_label,
        "maximum": edition.maximum,
        "map": map_name(edition.year),
        "rows": rows,
        "ranked": len(rows),
        "subject_count": subject_count,
        "missing": max(subject_count - len(rows), 0),
        "groups": [{"code": code, "label": labels.get(code, code), "count": count} for code, count in groups.items()],
        "region_means": region_means,
        "national_mean": _q2(sum(scores, Decimal(0)) / len(scores)) if scores else None,
        "min": min(scores) if scores else None,
        "max": max(scores) if scores else None,
        "computed_at": first.computed_at if first else None,
    }
