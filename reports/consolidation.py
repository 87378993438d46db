"""The province's annex: each figure combined from the accepted unit reports by its rule."""

from __future__ import annotations

from decimal import Decimal

from cchc_portal.lib.numbers import percent

from .auto import auto_values_for_province
from .models import Combine, ReportFigure, ReportRound, ReportStatus, UnitReport, display_value


def _combine(rule: str, values: list[Decimal]) -> Decimal | None:
    if not values:
        return None
    if rule == Combine.SUM:
        return sum(values, Decimal(0))
    if rule == Combine.MEAN:
        return (sum(values, Decimal(0)) / len(values)).quantize(Decimal("0.01"))
    if rule == Combine.MAX:
        return max(values)
    return None


def accepted_reports(rnd: ReportRound):
    return UnitReport.objects.filter(round=rnd, status=ReportStatus.ACCEPTED).select_related("agency")


def consolidate(rnd: ReportRound, *, with_province_auto: bool = True) -> list[dict]:
    """One row per active figure: combined value, how many units gave one, the province's automatic value.

    Reports are few (one per unit, ~150) and their values are JSON, so the
    combination runs here rather than in SQL.
    """
    figures: list[ReportFigure] = list(rnd.template.active_figures())
    reports = list(accepted_reports(rnd).only("values", "agency__name"))
    combined: dict[str, Decimal | None] = {}
    counts: dict[str, int] = {}
    for figure in figures:
        values = [Decimal(r.values[figure.code]) for r in reports if r.values.get(figure.code) not in (None, "")]
        counts[figure.code] = len(values)
        combined[figure.code] = _combine(figure.combine, values)
    for figure in figures:
        if figure.combine == Combine.RATIO:
            num, den = combined.get(figure.rate_numerator), combined.get(figure.rate_denominator)
            combined[figure.code] = percent(num, den) if num is not None and den else None
            counts[figure.code] = counts.get(figure.rate_denominator, 0)
    province_auto = auto_values_for_province(rnd.province, rnd.period, figures) if with_province_auto else {}
    rows = []
    for figure in figures:
        auto = province_auto.get(figure.code)
        if figure.is_derived and with_province_auto:
            num, den = province_auto.get(figure.rate_numerator), province_auto.get(figure.rate_denominator)
            auto = str(percent(Decimal(num), Decimal(den))) if num is not None and den and Decimal(den) else None
        rows.append(
            {
                "figure": figure,
                "code": figure.code,
                "group": figure.group,
                "label": figure.label,
                "unit": figure.unit,
                "value": combined[figure.code],
                "display": display_value(figure, combined[figure.code]),
                "units": counts[figure.code],
                "province_auto": auto,
                "province_auto_display": display_value(figure, auto) if auto is not None else "",
            }
        )
    return rows


def contributions(rnd: ReportRound, figure: ReportFigure) -> list[dict]:
    return [
        {"report": r, "agency": r.agency.name, "value": r.values.get(figure.code),
         "display": display_value(figure, r.values.get(figure.code))}
        for r in accepted_reports(rnd).order_by("agency__kind", "agency__name")
    ]  # fmt: skip


def outline_draft(rnd: ReportRound) -> dict[str, str]:
    """Each section pre-filled with the units' texts, grouped by section, for staff to edit into one."""
    reports = list(accepted_reports(rnd).order_by("agency__kind", "agency__name"))
    draft = {}
    for section in rnd.template.active_sections():
        parts = [
            f"{r.agency.name}: {r.texts[section.code].strip()}"
            for r in reports
            if r.texts.get(section.code, "").strip()
        ]
        draft[section.code] = "\n\n".join(parts)
    return draft
