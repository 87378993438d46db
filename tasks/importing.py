"""Import of a plan's task annex (.xlsx or .csv), preview first, commit all-or-nothing.

Real annexes have the columns STT, Nhiệm vụ, Cơ quan chủ trì, Cơ quan phối hợp,
Thời gian hoàn thành, Sản phẩm; content areas either as heading rows
("I. CẢI CÁCH THỂ CHẾ", no lead agency) or as a "Lĩnh vực" column; plans brought
in mid-year may add a status column (Tình trạng / Kết quả thực hiện).

Rows are keyed by (content area, STT), so importing the same file again changes
nothing, and a corrected file updates the rows that differ. Tasks in the plan
that are missing from the file are reported, never deleted.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.log import build_event, record_many, snapshot
from audit.models import AuditAction, AuditEvent, AuditSource
from cchc_portal.files import limit
from cchc_portal.lib.imports import (
    FileRefused,
    Limits,
    RowProblem,
    Rows,
    UnreadableRow,
    cell_text,
    is_collective,
    numbers_of,
    read_table,
)
from cchc_portal.lib.imports import find_header as find_table_header
from cchc_portal.lib.text import fold
from provinces.models import Agency

from .jobs import enqueue_figures
from .models import Plan, PlanArea, ProgressUpdate, Task, TaskStatus, today

MAX_ROWS = 3000

# --- reading ------------------------------------------------------------------------

# The file as a whole cannot be read (type, size, structure): the toolkit's refusal.
ImportFileError = FileRefused


def limits() -> Limits:
    return Limits(max_bytes=limit("IMPORT_MAX_BYTES", 10 * 1024 * 1024), max_rows=MAX_ROWS)


def read_rows(data: bytes, filename: str = "") -> Rows:
    """The non-empty rows of the first sheet (xlsx) or of the CSV, as lists (see `Rows.numbers`).

    The type comes from the content (`filename` is not used for it); raises ImportFileError.
    """
    return read_table(data, limits())


# --- cells -------------------------------------------------------------------------------

COLUMNS = {
    "number": lambda h: h in {"stt", "tt", "so tt", "so thu tu"},
    "title": lambda h: "nhiem vu" in h or h in {"noi dung", "noi dung cong viec", "ten nhiem vu", "hoat dong"},
    "lead": lambda h: "chu tri" in h,
    "coordinating": lambda h: "phoi hop" in h,
    "deadline": lambda h: "thoi gian" in h or "thoi han" in h,
    "output": lambda h: "san pham" in h,
    "area": lambda h: h in {"linh vuc", "noi dung cai cach", "linh vuc cai cach"},
    "status": lambda h: h in {"tinh trang", "trang thai", "ket qua thuc hien", "ket qua", "tien do thuc hien"},
}


def _text(value) -> str:
    return cell_text(value)


def _recognise(texts: list[str]) -> dict[str, int] | None:
    columns: dict[str, int] = {}
    for col, text in enumerate(texts):
        folded = fold(text)
        if not folded:
            continue
        for key, test in COLUMNS.items():
            if key not in columns and test(folded):
                columns[key] = col
                break
    return columns if "title" in columns and "lead" in columns else None


def find_header(rows: list[list]) -> tuple[int, dict[str, int]]:
    position, _texts, columns = find_table_header(
        rows,
        _recognise,
        _("No header row found: the file needs at least the columns “Nhiệm vụ” and “Cơ quan chủ trì”."),
        scan=25,
    )
    return position, columns


ROMAN = re.compile(r"^(?=[ivxlc]+$)(c{0,3})(xc|xl|l?x{0,3})(ix|iv|v?i{0,3})$")
ROMAN_PREFIX = re.compile(r"^\s*([IVXLC]+|[A-Z])\s*[.)/:-]\s*", re.IGNORECASE)


def _is_roman(text: str) -> bool:
    return bool(text) and bool(ROMAN.match(text.lower().rstrip(".")))


def _to_roman(n: int) -> str:
    values = [(10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
    out = ""
    for value, letters in values:
        while n >= value:
            out += letters
            n -= value
    return out


RECURRING_WORDS = ("ca nam", "thuong xuyen", "hang nam", "hang thang", "hang quy", "lien tuc", "dinh ky")
QUARTERS = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}


def _last_day(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def parse_deadline(value, year: int) -> tuple[dt.date | None, bool, str]:
    """(deadline, recurring, text as written). Day-first: "05/06/2025" is 5 June 2025.

    Raises ValueError when the text is not a recognisable deadline.
    """
    if isinstance(value, dt.datetime):
        return value.date(), False, ""
    if isinstance(value, dt.date):
        return value, False, ""
    text = _text(value)
    if not text:
        raise ValueError("empty")
    folded = fold(text)
    if any(word in folded for word in RECURRING_WORDS):
        return None, True, text
    try:
        if m := re.search(r"(\d{4})-(\d{1,2})-(\d{1,2})", text):
            return dt.date(int(m[1]), int(m[2]), int(m[3])), False, text
        if m := re.search(r"(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{2,4})", text):
            y = int(m[3])
            y = y + 2000 if y < 100 else y
            return dt.date(y, int(m[2]), int(m[1])), False, text
        if m := re.search(r"quy\s+(iv|i{1,3}|[1-4])\b(?:\s*(?:nam\s*)?(\d{4}))?", folded):
            y = int(m[2]) if m[2] else year
            return _last_day(y, QUARTERS[m[1]] * 3), False, text
        if m := re.search(r"thang\s+(\d{1,2})(?:\s*(?:nam\s*)?(\d{4}))?", folded):
            if "6 thang" not in folded and "9 thang" not in folded:
                y = int(m[2]) if m[2] else year
                return _last_day(y, int(m[1])), False, text
        if m := re.search(r"\b(\d{1,2})\s*/\s*(\d{1,2})\b", text):
            return dt.date(year, int(m[2]), int(m[1])), False, text
        if "6 thang dau" in folded:
            return dt.date(year, 6, 30), False, text
        if "9 thang" in folded:
            return dt.date(year, 9, 30), False, text
        if m := re.search(r"nam\s+(\d{4})", folded):
            return dt.date(int(m[1]), 12, 31), False, text
        if re.fullmatch(r"\d{4}", folded):
            return dt.date(int(folded), 12, 31), False, text
        if folded in {"trong nam", "cuoi nam", "6 thang cuoi nam"}:
            return dt.date(year, 12, 31), False, text
    except ValueError as exc:
        raise ValueError(text) from exc
    raise ValueError(text)


STATUS_WORDS = [
    ("chua thuc hien", TaskStatus.NOT_STARTED),
    ("chua trien khai", TaskStatus.NOT_STARTED),
    ("chua hoan thanh", TaskStatus.IN_PROGRESS),
    ("dang duy tri", TaskStatus.ONGOING),
    ("duy tri", TaskStatus.ONGOING),
    ("thuong xuyen", TaskStatus.ONGOING),
    ("dang thuc hien", TaskStatus.IN_PROGRESS),
    ("dang trien khai", TaskStatus.IN_PROGRESS),
    ("hoan thanh", TaskStatus.COMPLETED),
]


def parse_status(value) -> str | None:
    folded = fold(_text(value))
    if not folded:
        return None
    for words, status in STATUS_WORDS:
        if words in folded:
            return status
    raise ValueError(_text(value))


# --- agencies ------------------------------------------------------------------------------


def _plan_day(year: int) -> dt.date:
    """The day whose agencies a plan's annex names: the end of its year, or today for this year's plan."""
    return max(dt.date(year, 1, 1), min(dt.date(year, 12, 31), today()))


class AgencyMatcher:
    """Finds a province's agency from a name as typed in an annex (rules: docs/imports.md).

    A department merged away (its name is a former agency's) is matched to the agency
    that took over through the succession records, with a warning naming both.
    """

    def __init__(self, province, year: int):
        self.index = Agency.objects.name_index(province, on=_plan_day(year))

    def lookup(self, text: str):
        return self.index.match(text)

    def match(self, text: str) -> tuple[Agency | None, list[str]]:
        """(agency, names to suggest when not found or ambiguous)."""
        found = self.index.match(text)
        return found.found, [a.name for a in found.candidates]

    def suggest(self, text: str, n: int = 3) -> list[str]:
        return [a.name for a in self.index.suggest(text, n=n)]

    def match_many(self, text: str) -> tuple[list[Agency], list[str], list[str], list[str]]:
        """(agencies, collective bodies kept as text, errors, warnings) for a coordinating-agencies cell."""
        found: list[Agency] = []
        general: list[str] = []
        errors: list[str] = []
        warnings: list[str] = []
        for piece in re.split(r"[;\n]+|\s+-\s+|\s*\+\s*", text):
            piece = piece.strip(" .,-–")
            if not piece:
                continue
            parts = [p.strip() for p in piece.split(",") if p.strip()]
            i = 0
            while i < len(parts):
                for j in range(len(parts), i, -1):
                    candidate = ", ".join(parts[i:j])
                    if is_collective(candidate):
                        if j == i + 1 or j == len(parts):
                            general.append(candidate)
                            i = j
                            break
                        continue
                    match = self.index.match(candidate)
                    if match.found:
                        if match.found not in found:
                            found.append(match.found)
                        if match.former:
                            warnings.append(successor_message(match.former, match.found))
                        i = j
                        break
                else:
                    candidate = parts[i]
                    match = self.index.match(candidate)
                    errors.append(unmatched_message(candidate, match))
                    i += 1
        return found, general, errors, warnings


def successor_message(former: Agency, successor: Agency) -> str:
    day = former.valid_to + dt.timedelta(days=1) if former.valid_to else None
    values = {"former": former.name, "successor": successor.name, "date": f"{day:%d/%m/%Y}" if day else ""}
    if day:
        return _("“%(former)s” was merged into “%(successor)s” on %(date)s: the task goes to “%(successor)s”.") % values
    return _("“%(former)s” was merged into “%(successor)s”: the task goes to “%(successor)s”.") % values


def unmatched_message(name: str, match=None) -> str:
    """`match`: a NameMatch (or a list of suggested names, as before)."""
    candidates = match if isinstance(match, list) else [a.name for a in (match.candidates if match else [])]
    if match is not None and not isinstance(match, list) and match.ambiguous and match.former is not None:
        return _("“%(name)s” was split between %(names)s: write the one responsible.") % {
            "name": name,
            "names": "; ".join(f"“{n}”" for n in candidates),
        }
    if match is not None and not isinstance(match, list) and match.ambiguous:
        return _("“%(name)s” may be %(names)s: write the full name.") % {
            "name": name,
            "names": "; ".join(f"“{n}”" for n in candidates),
        }
    if match is not None and not isinstance(match, list) and match.collective:
        return _("“%(name)s” names a group of bodies, not one lead agency: write the agency in charge.") % {
            "name": name
        }
    message = _("Agency “%(name)s” not found.") % {"name": name}
    if candidates:
        message += " " + _("Did you mean: %(names)s?") % {"names": "; ".join(candidates)}
    return message


# --- preview --------------------------------------------------------------------------------


@dataclass
class RowResult:
    line: int
    kind: str  # "area" | "task"
    number: str = ""
    title: str = ""
    area_code: str = ""
    area_name: str = ""
    lead_text: str = ""
    lead_agency: Agency | None = None
    coordinating: list = field(default_factory=list)
    coordinating_note: str = ""
    deadline: dt.date | None = None
    recurring: bool = False
    deadline_text: str = ""
    expected_output: str = ""
    status: str | None = None
    order: int = 0
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    action: str = ""  # "create" | "update" | "unchanged" | "new area"
    changes: dict = field(default_factory=dict)
    task: Task | None = None


@dataclass
class ImportPreview:
    plan: Plan
    rows: list[RowResult]
    new_areas: list[tuple[str, str]]
    missing: list[Task]
    file_errors: list[str] = field(default_factory=list)
    has_status_column: bool = False

    @property
    def tasks(self) -> list[RowResult]:
        return [r for r in self.rows if r.kind == "task"]

    @property
    def problems(self) -> list[RowProblem]:
        """Every problem in the toolkit's one shape: the file's, then each row's errors and warnings."""
        found = [RowProblem(row=None, column_name="", message=message) for message in self.file_errors]
        for row in self.rows:
            found += [RowProblem(row=row.line, column_name="", message=message) for message in row.errors]
            found += [RowProblem(row=row.line, column_name="", message=m, level="warning") for m in row.warnings]
        return found

    @property
    def warnings(self) -> list[str]:
        """Every distinct warning of the rows (agencies matched through their successor), once."""
        return list(dict.fromkeys(w for r in self.rows for w in r.warnings))

    @property
    def error_rows(self) -> list[RowResult]:
        return [r for r in self.rows if r.errors]

    @property
    def ok(self) -> bool:
        return not self.file_errors and not self.error_rows and bool(self.tasks)

    def count(self, action: str) -> int:
        return sum(1 for r in self.tasks if r.action == action)

    @property
    def summary(self) -> dict[str, int]:
        return {
            "rows": len(self.tasks),
            "create": self.count("create"),
            "update": self.count("update"),
            "unchanged": self.count("unchanged"),
            "errors": len(self.error_rows),
            "new_areas": len(self.new_areas),
            "missing": len(self.missing),
        }


def _area_for_heading(text: str, areas: list[PlanArea]) -> PlanArea | None:
    folded = fold(ROMAN_PREFIX.sub("", text))
    for area in areas:
        name = fold(area.name)
        if folded == name or (len(folded) > 8 and (folded in name or name in folded)):
            return area
    return None


def plan_import_preview(plan: Plan, rows: list[list]) -> ImportPreview:
    """Parse and check every row against the plan; writes nothing."""
    header_index, columns = find_header(rows)
    line_numbers = numbers_of(rows)
    matcher = AgencyMatcher(plan.province, plan.year)
    areas = list(plan.areas.all())
    area_by_code = {a.code: a for a in areas}
    new_areas: list[tuple[str, str]] = []
    results: list[RowResult] = []
    current_area: tuple[str, str] | None = None
    numbers_seen: dict[tuple[str, str], int] = {}
    sequence: dict[str, int] = {}

    def cell(row, key):
        col = columns.get(key)
        return row[col] if col is not None and col < len(row) else None

    def area_from_text(text: str, line: int) -> tuple[str, str]:
        area = _area_for_heading(text, areas)
        if area:
            return area.code, area.name
        for code, name in new_areas:
            if fold(name) == fold(ROMAN_PREFIX.sub("", text)):
                return code, name
        match = ROMAN_PREFIX.match(text)
        code = match[1].upper() if match and _is_roman(match[1]) else ""
        if not code or code in area_by_code or code in {c for c, _n in new_areas}:
            taken = set(area_by_code) | {c for c, _n in new_areas}
            n = len(taken) + 1
            while _to_roman(n) in taken:
                n += 1
            code = _to_roman(n)
        name = ROMAN_PREFIX.sub("", text).strip()
        name = name[:1].upper() + name[1:].lower() if name.isupper() else name
        new_areas.append((code, name))
        results.append(RowResult(line=line, kind="area", area_code=code, area_name=name, action="new area"))
        return code, name

    order = 0
    for position in range(header_index + 1, len(rows)):
        row, offset = rows[position], line_numbers[position]
        if row.__class__ is UnreadableRow:
            results.append(RowResult(line=offset, kind="task", errors=[row.message]))
            continue
        number = _text(cell(row, "number"))
        title = _text(cell(row, "title"))
        lead = _text(cell(row, "lead"))
        others = [_text(cell(row, k)) for k in ("coordinating", "deadline", "output")]
        if not any([number, title, lead, *others]):
            continue
        if re.fullmatch(r"\(?\d+\)?", title) and re.fullmatch(r"\(?\d+\)?", lead or "1"):
            continue  # the "(1) (2) (3)" column-number row under the header
        is_task_number = bool(re.fullmatch(r"\d+([.]\d+)*[.]?", number))
        if not lead and not any(others) and (title or number) and not is_task_number:
            heading = title or number
            if _is_roman(number) and title:
                heading = f"{number}. {title}"
            current_area = area_from_text(heading, offset)
            known = area_by_code.get(current_area[0])
            if known:
                results.append(RowResult(line=offset, kind="area", area_code=known.code, area_name=known.name))
            continue
        order += 1
        result = RowResult(line=offset, kind="task", title=title, lead_text=lead, order=order)
        if columns.get("area") is not None and _text(cell(row, "area")):
            current_area = area_from_text(_text(cell(row, "area")), offset)
        if current_area is None:
            result.errors.append(_("No content area: add an area heading row above this task."))
        else:
            result.area_code, result.area_name = current_area
        sequence[result.area_code] = sequence.get(result.area_code, 0) + 1
        result.number = number.rstrip(".") or str(sequence[result.area_code])
        key = (result.area_code, result.number)
        if key in numbers_seen:
            result.errors.append(
                _("Number %(n)s appears twice in this area (also on line %(line)d).")
                % {"n": result.number, "line": numbers_seen[key]}
            )
        numbers_seen.setdefault(key, offset)
        if not title:
            result.errors.append(_("The task has no title."))
        if not lead:
            result.errors.append(_("The lead agency is missing."))
        else:
            match = matcher.lookup(lead)
            if match.found is None:
                result.errors.append(unmatched_message(lead, match))
            elif match.former is not None:
                result.warnings.append(successor_message(match.former, match.found))
            result.lead_agency = match.found
        coordinating = _text(cell(row, "coordinating"))
        if coordinating:
            found, general, errors, warnings = matcher.match_many(coordinating)
            result.warnings.extend(w for w in warnings if w not in result.warnings)
            result.coordinating = [a for a in found if a != result.lead_agency]
            result.coordinating_note = "; ".join(general)[:500]
            result.errors.extend(errors)
        raw_deadline = cell(row, "deadline")
        try:
            result.deadline, result.recurring, result.deadline_text = parse_deadline(raw_deadline, plan.year)
        except ValueError:
            if _text(raw_deadline):
                result.errors.append(
                    _("Deadline “%(value)s” not understood: write dd/mm/yyyy, “Quý II/2026”, “Tháng 6” or “Cả năm”.")
                    % {"value": _text(raw_deadline)}  # fmt: skip
                )
            else:
                result.errors.append(_("The deadline is missing."))
        result.expected_output = _text(cell(row, "output"))
        if "status" in columns:
            try:
                result.status = parse_status(cell(row, "status"))
            except ValueError:
                result.errors.append(
                    _("Status “%(value)s” not understood: Hoàn thành, Đang thực hiện, Đang duy trì, Chưa thực hiện.")
                    % {"value": _text(cell(row, "status"))}  # fmt: skip
                )
        results.append(result)

    existing = {
        (t.area.code, t.number): t
        for t in plan.tasks.select_related("area", "lead_agency").prefetch_related("coordinating_agencies")
    }
    for result in results:
        if result.kind != "task" or result.errors:
            continue
        task = existing.get((result.area_code, result.number))
        if task is None:
            result.action = "create"
            continue
        result.task = task
        result.changes = _changes(task, result)
        result.action = "update" if result.changes else "unchanged"
    seen = {(r.area_code, r.number) for r in results if r.kind == "task"}
    missing = [t for key, t in existing.items() if key not in seen]
    file_errors = [] if seen else [_("The file has no data rows below the header.")]
    return ImportPreview(
        plan=plan,
        rows=results,
        new_areas=new_areas,
        missing=missing,
        file_errors=file_errors,
        has_status_column="status" in columns,
    )


def _changes(task: Task, row: RowResult) -> dict[str, list]:
    changes: dict[str, list] = {}

    def compare(name, old, new):
        if old != new:
            changes[name] = [old, new]

    compare("title", task.title, row.title)
    compare("lead_agency", task.lead_agency.name, row.lead_agency.name)
    compare(
        "coordinating_agencies",
        sorted(a.name for a in task.coordinating_agencies.all()),
        sorted(a.name for a in row.coordinating),
    )
    compare("coordinating_note", task.coordinating_note, row.coordinating_note)
    compare("deadline", task.deadline, row.deadline)
    compare("recurring", task.recurring, row.recurring)
    compare("deadline_text", task.deadline_text, row.deadline_text)
    compare("expected_output", task.expected_output, row.expected_output)
    if row.status is not None:
        compare("status", task.status, row.status)
    return {k: [_plain(v) for v in values] for k, values in changes.items()}


def _plain(value):
    return value.isoformat() if isinstance(value, dt.date) else value


# --- commit ----------------------------------------------------------------------------------


class ImportRefused(ValueError):
    pass


def plan_import_commit(preview: ImportPreview, *, user=None, source: str = AuditSource.IMPORT, note: str = "") -> dict:
    """Write the previewed rows in one transaction; refuses if any row has a problem."""
    if not preview.ok:
        raise ImportRefused(_("The file has problems; nothing was imported."))
    plan = preview.plan
    events: list[AuditEvent | None] = []
    actor = user if user is not None and user.is_authenticated else None
    now = timezone.now()

    def event(instance, action: str, **kwargs) -> AuditEvent | None:
        return build_event(instance, actor=actor, action=action, source=source, note=note, at=now, **kwargs)

    with transaction.atomic():
        locked = Plan.objects.select_for_update().get(pk=plan.pk)
        areas = {a.code: a for a in locked.areas.all()}
        next_order = max((a.order for a in areas.values()), default=0)
        for code, name in preview.new_areas:
            if code in areas:
                continue
            next_order += 1
            areas[code] = PlanArea.objects.create(plan=locked, code=code, name=name, order=next_order)
            events.append(
                event(areas[code], AuditAction.CREATE, changes={"plan": [None, str(locked)], "name": [None, name]})
            )
        created = updated = unchanged = 0
        for row in preview.tasks:
            if row.action == "unchanged":
                unchanged += 1
                if row.task.order != row.order:
                    Task.objects.filter(pk=row.task.pk).update(order=row.order)
                continue
            task = row.task or Task(plan=locked, area=areas[row.area_code], number=row.number)
            before = snapshot(task) if row.task else None
            old_status = task.status if row.task else None
            task.order = row.order
            task.title = row.title
            task.lead_agency = row.lead_agency
            task.coordinating_note = row.coordinating_note
            task.deadline = row.deadline
            task.recurring = row.recurring
            task.deadline_text = row.deadline_text
            task.expected_output = row.expected_output
            if row.status is not None and row.status != task.status:
                task.status = row.status
                if row.status == TaskStatus.COMPLETED:
                    # No completion date in annexes: assume on time (the deadline if passed, else today).
                    task.completion_date = min(d for d in (row.deadline, today()) if d) if row.deadline else today()
                    task.percent = 100
                else:
                    task.completion_date = None
            if row.task:
                task.version += 1  # the import wins over an open edit form, which then sees a conflict
            try:
                task.full_clean(exclude=["plan", "area"])
            except ValidationError as exc:
                raise ImportRefused(f"{_('Line')} {row.line}: {'; '.join(exc.messages)}") from exc
            task.save()
            task.coordinating_agencies.set(row.coordinating)
            if row.task:
                updated += 1
                after = snapshot(task)
                changes = {k: [before.get(k), after.get(k)] for k in after if before.get(k) != after.get(k)}
                changes.update({k: v for k, v in row.changes.items() if k == "coordinating_agencies"})
                events.append(event(task, AuditAction.UPDATE, changes=changes))
            else:
                created += 1
                after = snapshot(task)
                if row.coordinating:
                    after["coordinating_agencies"] = sorted(a.name for a in row.coordinating)
                events.append(event(task, AuditAction.CREATE, after=after))
            if (
                row.status is not None
                and row.status != old_status
                and (row.task or row.status != TaskStatus.NOT_STARTED)
            ):
                ProgressUpdate.objects.create(
                    task=task, author=actor, created_at=now, status=task.status, percent=task.percent,
                    note=_("Status from the imported plan annex."), source="import",
                )  # fmt: skip
        record_many(events)
        enqueue_figures(locked.pk)
    return {"created": created, "updated": updated, "unchanged": unchanged, "new_areas": len(preview.new_areas)}


def plan_for_unit(unit, year: int, *, user=None, source: str = AuditSource.IMPORT) -> tuple[Plan, bool]:
    """The unit's plan for `year`, created with the default areas if missing."""
    from audit.log import record_change

    plan = Plan.objects.filter(unit=unit, year=year, agency__isnull=True).first()
    if plan:
        return plan, False
    with transaction.atomic():
        plan = Plan.objects.create(unit=unit, year=year, title=f"Kế hoạch cải cách hành chính năm {year} – {unit.name}")
        plan.ensure_default_areas()
        record_change(plan, actor=user, action=AuditAction.CREATE, source=source)
    return plan, True
