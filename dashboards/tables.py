"""The dashboards' tables as (title, headers, rows) for the .xlsx export, from the same cached blocks
the pages show. Values stay numbers (percentages as numbers of percent, e.g. 76.47)."""

from __future__ import annotations

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from tasks.models import TaskStatus

from .formatting import change_phrase


def _en() -> bool:
    return (get_language() or "vi").startswith("en")


def _n(obj: dict, field: str) -> str:
    return (obj.get(f"{field}_en") or obj.get(f"{field}_vi")) if _en() else obj.get(f"{field}_vi")


def _status(code: str) -> str:
    return str(TaskStatus(code).label) if code in TaskStatus.values else code


def _indices(province, data):
    rows = []
    for card in data["cards"]["cards"]:
        latest = card["latest"]
        if latest is None:
            continue
        before = "; ".join(
            f"{p['name']} {p['rank']}/{p['ranked_count']} ({p['score']})" for p in latest["predecessors"]
        )
        rows.append(
            [
                _n(card, "name"),
                latest["year"],
                latest["score"],
                latest["unit_label"],
                f"{latest['rank']}/{latest['ranked_count']}",
                latest["score_change"],
                latest["rank_change"],
                change_phrase(latest["score_change"], latest["rank_change"], get_language()),
                before,
            ]
        )
    headers = [
        _("Index"),
        _("Year"),
        _("Score"),
        _("Unit"),
        _("Rank"),
        _("Change in score"),
        _("Change in rank"),
        _("Change"),
        _("Predecessors before 1/7/2025"),
    ]
    return _("Indices"), headers, rows


def _figure_rows(items: list[dict], key: str) -> list[list]:
    return [
        [
            item.get("code", "") if key == "area" else item["name"],
            item["name"] if key == "area" else None,
            item["total"],
            item["completed"],
            item["completed_late"],
            item["in_progress"],
            item["ongoing"],
            item["not_started"],
            item["overdue"],
            item["completion_rate"],
        ]
        for item in items
    ]


def _figure_headers(first: str) -> list[str]:
    return [
        first,
        _("Name"),
        _("Tasks"),
        _("Completed"),
        _("Completed late"),
        _("In progress"),
        _("Ongoing"),
        _("Not started"),
        _("Overdue"),
        _("Completion rate (%)"),
    ]


def _by_area(province, data):
    figures = (data["plan"] or {}).get("figures") or {"by_area": []}
    return _("Completion by area"), _figure_headers(_("Area")), _figure_rows(figures["by_area"], "area")


def _by_agency(province, data):
    figures = (data["plan"] or {}).get("figures") or {"by_agency": []}
    rows = [[r[0]] + r[2:] for r in _figure_rows(figures["by_agency"], "agency")]
    headers = _figure_headers(_("Lead agency"))
    return _("Completion by lead agency"), [headers[0]] + headers[2:], rows


def _task_table(key: str, title: str):
    def build(province, data):
        tasks = (data["plan"] or {}).get(key) or []
        headers = [_("No."), _("Task"), _("Lead agency"), _("Deadline"), _("Status")]
        rows = [[t["number"], t["title"], t["agency"], t["deadline"], _status(t["status"])] for t in tasks]
        return title, headers, rows

    return build


def _criteria(province, data):
    rows = []
    for c in (data["plan"] or {}).get("criteria") or []:
        for t in c["tasks"]:
            rows.append(
                [
                    c["index_code"],
                    c["component_code"],
                    _n(c, "component_name"),
                    t["number"],
                    t["title"],
                    t["agency"],
                    t["deadline"],
                    _("Overdue") if t["overdue"] else _status(t["status"]),
                ]
            )
    headers = [_("Index"), _("Criterion"), _("Name"), _("No."), _("Task"), _("Lead agency"), _("Deadline"), _("Status")]
    return _("Criteria at risk"), headers, rows


def _dossier_headers(first: str) -> list[str]:
    return [
        first,
        _("Received"),
        _("Carried over"),
        _("Finished"),
        _("Early"),
        _("On time"),
        _("Late"),
        _("In progress"),
        _("Overdue"),
        _("On-time rate (%)"),
    ]


def _dossier_row(name, r) -> list:
    return [
        name,
        r["received"],
        r["carried_over"],
        r["finished"],
        r["early"],
        r["on_time"],
        r["late"],
        r["in_progress"],
        r["overdue"],
        r["on_time_rate"],
    ]


def _dossier_table(key: str, title: str, first: str):
    def build(province, data):
        block = data["dossiers"] or {}
        rows = [_dossier_row(r["name"], r) for r in block.get(key) or []]
        return title, _dossier_headers(first), rows

    return build


def _dossier_monthly(province, data):
    block = data["dossiers"] or {}
    rows = [_dossier_row(f"{r['month'].month}/{r['month'].year}", r) for r in block.get("monthly") or []]
    return _("Dossiers by month"), _dossier_headers(_("Month")), rows


def leader_tables() -> dict:
    return {
        "indices": _indices,
        "by-area": _by_area,
        "by-agency": _by_agency,
        "overdue": _task_table("overdue", _("Overdue tasks")),
        "due-soon": _task_table("due_soon", _("Tasks due in the next 30 days")),
        "criteria": _criteria,
        "dossiers-agency": _dossier_table("by_agency", _("Dossiers by agency"), _("Agency")),
        "dossiers-commune": _dossier_table("by_commune", _("Dossiers by commune"), _("Commune")),
        "dossiers-worst": _dossier_table("worst", _("Lowest on-time rates"), _("Agency or commune")),
        "dossiers-monthly": _dossier_monthly,
    }


def _ranking(data):
    headers = [
        _("Rank"),
        _("Code"),
        _("Province"),
        _("Score"),
        _("Change in score"),
        _("Change in rank"),
        _("Group"),
        _("Region"),
        _("Predecessors before 1/7/2025"),
    ]
    rows = [
        [
            f"{r['rank']}/{r['ranked_count']}",
            r["code"],
            r["name"],
            r["score"],
            r["score_change"],
            r["rank_change"],
            r["group"],
            _n(r, "region"),
            "; ".join(f"{p['name']} {p['rank']}/{p['ranked_count']}" for p in r["predecessors"]),
        ]
        for r in data["rows"]
    ]
    return f"{data['index']['code']} {data['year']}", headers, rows


def _groups(data):
    return (
        _("Distribution by group"),
        [_("Group"), _("Threshold"), _("Provinces")],
        [[g["code"], g["label"], g["count"]] for g in data["groups"]],
    )


def _regions(data):
    return (
        _("Region means"),
        [_("Region"), _("Provinces"), _("Mean score")],
        [[_n(r, "name"), r["count"], r["mean"]] for r in data["region_means"]],
    )


def national_tables() -> dict:
    return {"ranking": _ranking, "groups": _groups, "regions": _regions}
