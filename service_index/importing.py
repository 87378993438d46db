"""Import of the figures the national public-service portal publishes per unit and period.

The file (.xlsx/.csv) has the portal's own group names as headers and the unit's name
or code; read with the shared toolkit (cchc_portal.lib.imports), units and departments
matched by the provinces' name indexes (the same rules as every import). Bad rows
(unknown unit, points above the group's maximum, a rate above 100%) are reported with
the file's row and column; the good rows are written in one transaction, replacing the
period's earlier published figures of the same units.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from audit.log import record_change
from audit.models import AuditAction, AuditSource
from cchc_portal.cache import bump_generation
from cchc_portal.lib.imports import (
    FileRefused,
    Limits,
    RowProblem,
    UnreadableRow,
    cell_text,
    find_header,
    problem_headers,
    read_table,
)
from cchc_portal.lib.numbers import parse_score
from cchc_portal.lib.spreadsheets import neutralise
from cchc_portal.lib.text import fold
from provinces.models import AdministrativeUnit, Agency, UnitLevel

from .figures import Period
from .models import Methodology, PublishedScore

PUBLISHED_CACHE = "service-index.published"  # bumped by each import of the published figures

LIMITS = Limits(max_bytes=5 * 1024 * 1024, max_rows=20_000)

HEADERS = {
    "unit_code": ["Mã đơn vị", "Mã ĐVHC", "Mã"],
    "unit_name": ["Đơn vị", "Tên đơn vị", "Cơ quan, đơn vị", "Tên cơ quan, đơn vị", "Địa phương"],
    "total": ["Tổng điểm", "Tổng", "Điểm tổng"],
    "dossiers": ["Số hồ sơ", "Tổng số hồ sơ", "Số hồ sơ tiếp nhận"],
    "on_time_rate": ["Tỷ lệ đúng hạn", "Tỷ lệ giải quyết đúng hạn", "Tỷ lệ đúng hạn (%)"],
    "online_rate": ["Tỷ lệ trực tuyến", "Tỷ lệ hồ sơ trực tuyến", "Tỷ lệ trực tuyến (%)"],
}


@dataclass
class PublishedRow:
    row: int
    label: str
    unit: AdministrativeUnit | None = None
    agency: Agency | None = None
    group_points: dict = field(default_factory=dict)
    total: Decimal | None = None
    on_time_rate: Decimal | None = None
    online_rate: Decimal | None = None
    dossiers: int | None = None


@dataclass
class Preview:
    headers: list[str]
    rows: list[PublishedRow]
    problems: list[RowProblem]

    def error_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([*problem_headers(), *(neutralise(h) for h in self.headers)])
        for p in self.problems:
            writer.writerow([p.row, p.column_name, neutralise(p.message), *(neutralise(cell_text(c)) for c in p.cells)])
        return out.getvalue()


class _RowError(Exception):
    def __init__(self, column: str, message: str):
        self.column, self.message = column, message


def _columns(texts: list[str], groups) -> dict | None:
    folded = [fold(t) for t in texts]
    found: dict = {}
    for name, aliases in HEADERS.items():
        for alias in aliases:
            if fold(alias) in folded:
                found[name] = folded.index(fold(alias))
                break
    for group in groups:
        for alias in (group.portal_header, group.name):
            if fold(alias) in folded:
                found[("group", group.code)] = folded.index(fold(alias))
                break
    has_unit = "unit_code" in found or "unit_name" in found
    return found if has_unit and any(isinstance(k, tuple) for k in found) else None


def _number(value, column: str, maximum: Decimal) -> Decimal | None:
    text = cell_text(value).replace("%", "").strip()
    if not text:
        return None
    try:
        number = parse_score(text)
    except (ValueError, InvalidOperation):
        raise _RowError(column, _("Not a number.")) from None
    if number < 0:
        raise _RowError(column, _("Must not be negative."))
    if number > maximum:
        raise _RowError(column, _("Above the maximum of %(max)s.") % {"max": f"{maximum:g}".replace(".", ",")})
    return number


def preview(path_or_bytes, *, province: AdministrativeUnit, period: Period) -> Preview:
    """Read and check the file; nothing is written. Raises FileRefused for a file that is not a table of figures."""
    methodology = Methodology.objects.prefetch_related("groups").in_force(period.last)
    groups = list(methodology.groups.all())
    rows = read_table(path_or_bytes, LIMITS)
    position, headers, columns = find_header(
        rows,
        lambda texts: _columns(texts, groups),
        _("No header row with the unit (code or name) and the national portal's group names (e.g. %(group)s).")
        % {"group": groups[0].portal_header},
    )
    communes = AdministrativeUnit.objects.filter(province=province, level=UnitLevel.COMMUNE).name_index()
    agencies = Agency.objects.name_index(province)
    by_code = dict(
        AdministrativeUnit.objects.current()
        .filter(province=province, level=UnitLevel.COMMUNE)
        .values_list("code", "pk")
    )
    unit_by_pk = {}
    maxima = {g.code: g.max_points for g in groups}
    parsed, problems, seen = [], [], {}
    for index in range(position + 1, len(rows)):
        number, cells = rows.number(index), rows[index]
        if cells.__class__ is UnreadableRow:
            problems.append(RowProblem(number, "", cells.message))
            continue

        def cell(key, cells=cells):
            i = columns.get(key)
            return cells[i] if i is not None and i < len(cells) else None

        try:
            row = _parse_row(number, cell, headers, columns, province, communes, agencies, by_code, unit_by_pk, maxima)
            key = ("u", row.unit.pk) if row.unit else ("a", row.agency.pk)
            if key in seen:
                raise _RowError(headers[columns.get("unit_name", columns.get("unit_code"))],
                                _("The same unit already came on row %(row)d.") % {"row": seen[key]})  # fmt: skip
            seen[key] = number
            parsed.append(row)
        except _RowError as error:
            problems.append(RowProblem(number, error.column, error.message, cells=tuple(cells)))
    return Preview(headers, parsed, problems)


def _parse_row(number, cell, headers, columns, province, communes, agencies, by_code, unit_by_pk, maxima):
    code = cell_text(cell("unit_code"))
    name = cell_text(cell("unit_name"))
    unit_column = headers[columns["unit_code"]] if "unit_code" in columns else headers[columns["unit_name"]]
    row = PublishedRow(number, name or code)
    if code and code.zfill(2) == province.code:
        row.unit = province
    elif code and code.zfill(5) in by_code:
        pk = by_code[code.zfill(5)]
        row.unit = unit_by_pk.get(pk) or unit_by_pk.setdefault(pk, AdministrativeUnit.objects.get(pk=pk))
    elif name and fold(name) in (fold(province.name), fold(province.short_name or province.name)):
        row.unit = province
    elif name:
        match = communes.match(name)
        if match.found is not None:
            row.unit = match.found
        else:
            agency = agencies.match(name)
            if agency.found is None or agency.found.commune_id:
                raise _RowError(
                    unit_column, _("Unknown unit or department of this province: “%(name)s”.") % {"name": name}
                )
            row.agency = agency.found
    else:
        raise _RowError(
            unit_column, _("Unknown unit code: “%(code)s”.") % {"code": code} if code else _("Unit missing.")
        )
    for key, index in columns.items():
        if isinstance(key, tuple):
            value = _number(cell(key), headers[index], maxima[key[1]])
            if value is not None:
                row.group_points[key[1]] = str(value)
    if "total" in columns:
        row.total = _number(cell("total"), headers[columns["total"]], Decimal(100))
    elif row.group_points:
        row.total = sum((Decimal(v) for v in row.group_points.values()), Decimal(0))
    for key in ("on_time_rate", "online_rate"):
        if key in columns:
            setattr(row, key, _number(cell(key), headers[columns[key]], Decimal(100)))
    if "dossiers" in columns:
        value = _number(cell("dossiers"), headers[columns["dossiers"]], Decimal(10**9))
        if value is not None and value != value.to_integral_value():
            raise _RowError(headers[columns["dossiers"]], _("Not a whole number."))
        row.dossiers = None if value is None else int(value)
    return row


def commit(result: Preview, *, province, period: Period, user=None, source_name: str = "",
           source: str = AuditSource.WEB) -> int:  # fmt: skip
    """Write the good rows in one transaction, replacing the period's earlier figures of those units."""
    with transaction.atomic():
        written = 0
        for row in result.rows:
            key = {"unit": row.unit} if row.unit else {"agency": row.agency}
            existing = PublishedScore.objects.select_for_update().filter(period=period.code, **key).first()
            values = {
                "province": province,
                "group_points": row.group_points,
                "total": row.total,
                "on_time_rate": row.on_time_rate,
                "online_rate": row.online_rate,
                "dossiers": row.dossiers,
                "source_name": source_name[:255],
                "imported_by": user,
            }
            if existing is None:
                score = PublishedScore(period=period.code, **key, **values)
                score.full_clean()
                score.save()
                record_change(score, actor=user, action=AuditAction.CREATE, after=_audited(score), source=source)
            else:
                before = _audited(existing)
                for name, value in values.items():
                    setattr(existing, name, value)
                existing.full_clean()
                existing.save()
                record_change(existing, actor=user, before=before, after=_audited(existing), source=source)
            written += 1
        # The 766 page's cached body shows the published figures beside the computed ones.
        transaction.on_commit(lambda: bump_generation(PUBLISHED_CACHE))
    return written


def _audited(score: PublishedScore) -> dict:
    return {
        "group_points": score.group_points,
        "total": None if score.total is None else str(score.total),
        "on_time_rate": None if score.on_time_rate is None else str(score.on_time_rate),
        "online_rate": None if score.online_rate is None else str(score.online_rate),
        "dossiers": score.dossiers,
    }


__all__ = ["FileRefused", "Preview", "commit", "preview"]
