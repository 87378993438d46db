"""Importing published index results from a spreadsheet (.xlsx or .csv).

One row per subject (province, agency or commune), one column per component.
The whole file is checked before anything is written: every problem is
reported with its row and column, and a single error means nothing is saved
(`plan_import` validates and diffs, `apply_import` writes). The admin and the
`import_index_scores` command share this module.

Numbers: "46,0415" and "46.0415" are the same score; a value with both
separators is rejected as ambiguous (research notes §1, the thousand-separator
trap) and nothing is ever multiplied.
"""

from __future__ import annotations

import difflib
import io
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.log import build_event, record_many
from audit.models import AuditAction, AuditSource
from cchc_portal.lib.imports import (
    FileRefused,
    Limits,
    RowProblem,
    Rows,
    UnreadableRow,
    find_header,
    name_key,
    numbers_of,
    problem_headers,
    unit_core,
)
from cchc_portal.lib.imports import read_table as toolkit_read_table
from cchc_portal.lib.numbers import AmbiguousNumber, parse_score
from cchc_portal.lib.spreadsheets import neutralise
from cchc_portal.lib.text import fold

from .models import SCORE_PLACES, Aggregation, Component, Edition, Score, SubjectLevel, forget_sample_flag

log = logging.getLogger(__name__)

QUANTUM = Decimal(1).scaleb(-SCORE_PLACES)
MAX_PROBLEMS = 500
HEADER_SEARCH_ROWS = 15

SUBJECT_HEADERS = {
    "tinh",
    "tinh thanh pho",
    "tinh thanh",
    "tinh tp",
    "ten tinh",
    "ten tinh thanh pho",
    "dia phuong",
    "don vi",
    "ten don vi",
    "co quan",
    "ten co quan",
    "co quan don vi",
    "xa",
    "xa phuong",
    "ten xa",
    "ten",
    "province",
    "provinces",
    "province name",
    "province city",
    "locality",
    "unit",
    "agency",
    "commune",
    "subject",
    "name",
}
CODE_HEADERS = {"ma", "ma tinh", "ma don vi", "ma so", "ma xa", "code", "province code", "unit code"}
TOTAL_HEADERS = {
    "tong",
    "tong diem",
    "tong so",
    "diem",
    "diem tong",
    "ket qua",
    "chi so",
    "diem chi so",
    "gia tri chi so",
    "total",
    "total score",
    "score",
    "index",
    "overall",
}
IGNORED_HEADERS = {
    "stt",
    "tt",
    "so tt",
    "no",
    "xep hang",
    "hang",
    "thu hang",
    "thu hang tong",
    "rank",
    "ranking",
    "nhom",
    "group",
    "vung",
    "region",
    "ghi chu",
    "note",
    "notes",
    "xep loai",
    "quartile",
    "phan vi",
}
SELF_SUFFIXES = ("tu danh gia", "tu cham", "self assessed", "self assessment", "tdg")
APPRAISED_SUFFIXES = ("tham dinh", "appraised", "appraisal")

# Province names as they appear in published (often English) tables, folded,
# mapped to the folded short name of the unit.
PROVINCE_ALIASES = {
    "hcmc": "ho chi minh",
    "hcm": "ho chi minh",
    "tp hcm": "ho chi minh",
    "tphcm": "ho chi minh",
    "sai gon": "ho chi minh",
    "saigon": "ho chi minh",
    "thua thien hue": "hue",
    "tt hue": "hue",
    "thua thien": "hue",
    "brvt": "ba ria vung tau",
    "br vt": "ba ria vung tau",
    "vung tau": "ba ria vung tau",
    "ha noi capital": "ha noi",
    "hanoi": "ha noi",
    "danang": "da nang",
    "haiphong": "hai phong",
    "cantho": "can tho",
    "dak lak": "dak lak",
    "daklak": "dak lak",
    "dac lac": "dak lak",
    "dak nong": "dak nong",
    "daknong": "dak nong",
}
PROVINCE_PREFIXES = ("thanh pho ", "tinh ", "tp ", "t p ")
PROVINCE_SUFFIXES = (" city", " province", " municipality")
COMMUNE_PREFIXES = ("xa ", "phuong ", "thi tran ", "dac khu ")


def fmt(value: Decimal | None) -> str:
    if value is None:
        return ""
    text = f"{value.normalize():f}"
    return text.replace(".", ",")


# The file as a whole cannot be read: the toolkit's refusal.
FileFormatError = FileRefused


def limits() -> Limits:
    return Limits(max_bytes=int(settings.CCHC.get("INDEX_IMPORT_MAX_BYTES", 10 * 1024 * 1024)), max_rows=5_000)


# --- reading ---------------------------------------------------------------------


def read_table(content: bytes | str, filename: str = "") -> Rows:
    """The non-empty rows of the first sheet (.xlsx) or of the CSV, header rows included.

    The type comes from the content (`filename` is not used for it); text is taken as CSV.
    """
    if isinstance(content, str):
        content = content.encode("utf-8")
    return toolkit_read_table(content, limits())


# --- matching subjects -------------------------------------------------------------


def _province_key(text: str) -> str:
    key = fold(text)
    for prefix in PROVINCE_PREFIXES:
        if key.startswith(prefix):
            key = key[len(prefix) :]
            break
    for suffix in PROVINCE_SUFFIXES:
        if key.endswith(suffix):
            key = key[: -len(suffix)]
    return PROVINCE_ALIASES.get(key, key)


def _commune_key(text: str) -> str:
    return unit_core(name_key(text))


class SubjectMatcher:
    """Finds an edition's subject from a name or official code as typed in a spreadsheet."""

    def __init__(self, edition: Edition):
        self.edition = edition
        self.level = edition.subject_level
        self.by_key: dict[str, list] = defaultdict(list)
        self.by_code: dict[str, object] = {}
        subjects = list(edition.subjects())
        for subject in subjects:
            for key in self._keys(subject):
                if subject not in self.by_key[key]:
                    self.by_key[key].append(subject)
            code = subject.code if self.level != SubjectLevel.AGENCY else str(subject.pk)
            self.by_code[code] = subject
        self.display = {key: subjects[0].name for key, subjects in self.by_key.items()}
        self._units = None  # the subjects' name index with former units, built on the first unknown name

    def _keys(self, subject) -> list[str]:
        if self.level == SubjectLevel.PROVINCE:
            return [_province_key(subject.name)]
        if self.level == SubjectLevel.COMMUNE:
            return [_commune_key(subject.name), fold(subject.name)]
        names = [subject.name, subject.short_name, *subject.alias_list()]
        return [name_key(n) for n in names if n]

    def _merged_into(self, text: str):
        """(former unit, its successor among this edition's subjects) when `text` names a merged unit."""
        if self.level == SubjectLevel.AGENCY:
            return None
        if self._units is None:
            self._units = self.edition.subjects().name_index()
        match = self._units.match(text)
        return (match.former, match.found) if match.found is not None and match.former is not None else None

    @staticmethod
    def _succession_date(former, successor) -> str:
        from provinces.models import UnitSuccession

        step = UnitSuccession.objects.filter(predecessor=former, successor=successor).first()
        day = step.effective_date if step else former.valid_to
        return f"{day:%d/%m/%Y}" if day else ""

    def key(self, text: str) -> str:
        if self.level == SubjectLevel.PROVINCE:
            return _province_key(text)
        if self.level == SubjectLevel.COMMUNE:
            return _commune_key(text)
        return name_key(text)

    def match(self, raw) -> tuple[object | None, str]:
        """(subject, "") or (None, problem message)."""
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)
        if isinstance(raw, int):
            raw = str(raw)
        text = str(raw).strip()
        if text.isdigit():
            width = {SubjectLevel.PROVINCE: 2, SubjectLevel.COMMUNE: 5}.get(self.level, 0)
            subject = self.by_code.get(text.zfill(width) if width else text)
            if subject is not None:
                return subject, ""
            return None, _("No subject has the code %(code)s.") % {"code": text}
        key = self.key(text)
        found = self.by_key.get(key, [])
        if len(found) == 1:
            return found[0], ""
        if len(found) > 1:
            names = ", ".join(f"{s.name} ({getattr(s, 'code', s.pk)})" for s in found[:5])
            return None, _("“%(name)s” may be %(names)s: use the code.") % {"name": text, "names": names}
        merged = self._merged_into(text)
        if merged is not None:
            former, successor = merged
            return None, _(
                "“%(name)s” was merged into %(successor)s on %(date)s; this edition ranks %(successor)s, "
                "not its former units: a score of “%(name)s” cannot be imported here."
            ) % {"name": text, "successor": successor.name, "date": self._succession_date(former, successor)}
        suggestions = difflib.get_close_matches(key, list(self.by_key), n=3, cutoff=0.6)
        hint = ", ".join(self.display[s] for s in suggestions)
        if self.edition.year < 2025:
            message = _("“%(name)s” is not among the units before 1/7/2025.") % {"name": text}
        else:
            message = _("“%(name)s” is not among the units from 1/7/2025.") % {"name": text}
        if hint:
            message += " " + _("Did you mean: %(names)s?") % {"names": hint}
        return None, message


# --- the plan ---------------------------------------------------------------------


# One problem of one row: the toolkit's shape (row, column, message in the user's language).
Problem = RowProblem


@dataclass
class ColumnMap:
    index: int
    header: str
    component: Component | None  # None: the total
    field: str  # value, self_assessed, appraised


@dataclass
class Cell:
    value: Decimal | None = None
    self_assessed: Decimal | None = None
    appraised: Decimal | None = None
    computed: bool = False

    def as_tuple(self) -> tuple:
        return (self.value, self.self_assessed, self.appraised)


@dataclass
class SubjectRow:
    number: int
    subject: object
    cells: dict[int | None, Cell] = field(default_factory=dict)
    status: str = ""  # new, update, skip


@dataclass
class ImportPlan:
    edition: Edition
    raw_rows: list[list]
    header_row: int | None = None  # 0-based index in raw_rows
    columns: list[ColumnMap] = field(default_factory=list)
    subject_column: int | None = None
    rows: list[SubjectRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    written: bool = False

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def error(self, row, column, column_name, message):
        self.problems.append(Problem(row=row, column=column, column_name=column_name, message=message))

    def warn(self, row, column, column_name, message):
        self.problems.append(Problem(row=row, column=column, column_name=column_name, message=message, level="warning"))

    def summary(self) -> str:
        values = {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
        }
        text = (
            _("%(created)d new, %(updated)d changed, %(unchanged)d unchanged; %(errors)d errors, %(warnings)d warnings")
            % values
        )
        return text if self.written else text + " " + _("(nothing written)")


def _header_text(value) -> str:
    return "" if value is None else str(value).strip()


class _Tree:
    def __init__(self, edition: Edition):
        self.components = list(edition.components.all())
        self.by_id = {c.pk: c for c in self.components}
        self.children: dict[int | None, list[Component]] = defaultdict(list)
        for c in self.components:
            self.children[c.parent_id].append(c)
        self.edition = edition
        self.keys: dict[str, Component] = {}
        for c in self.components:
            for key in {fold(c.code), fold(c.name_vi), fold(c.name_en), fold(f"{c.code} {c.name_vi}")}:
                if key:
                    self.keys.setdefault(key, c)
            if c.name_en:
                self.keys.setdefault(fold(f"{c.code} {c.name_en}"), c)

    def maximum(self, component_id: int | None) -> Decimal:
        if component_id is None:
            return self.edition.maximum
        node = self.by_id[component_id]
        while node is not None:
            if node.max_score is not None:
                return node.max_score
            node = self.by_id.get(node.parent_id)
        return self.edition.maximum

    def label(self, component_id: int | None) -> str:
        if component_id is None:
            return _("Total")
        c = self.by_id[component_id]
        return f"{c.code} {c.name_vi}"

    def postorder(self) -> list[int | None]:
        order: list[int | None] = []

        def visit(node_id):
            for child in self.children.get(node_id, []):
                visit(child.pk)
            order.append(node_id)

        visit(None)
        return order


def _classify_headers(plan: ImportPlan, tree: _Tree, header: list) -> None:
    edition = plan.edition
    total_keys = TOTAL_HEADERS | {
        fold(edition.index.code),
        fold(edition.index.code.replace("_", " ")),
        fold(edition.index.name_vi),
        fold(edition.index.name_en),
    }
    seen: dict[tuple, str] = {}
    code_column = None
    header_row_number = numbers_of(plan.raw_rows)[plan.header_row]
    for i, value in enumerate(header):
        text = _header_text(value)
        key = fold(text)
        if not key:
            continue
        if key in SUBJECT_HEADERS and plan.subject_column is None:
            plan.subject_column = i
            continue
        if key in CODE_HEADERS and code_column is None:
            code_column = i
            continue
        if key in IGNORED_HEADERS or key in SUBJECT_HEADERS or key in CODE_HEADERS:
            continue
        field_name = "value"
        for suffix in SELF_SUFFIXES:
            if key.endswith(" " + suffix):
                key, field_name = key[: -len(suffix) - 1].strip(), "self_assessed"
                break
        else:
            for suffix in APPRAISED_SUFFIXES:
                if key.endswith(" " + suffix):
                    key, field_name = key[: -len(suffix) - 1].strip(), "appraised"
                    break
        if key in tree.keys:
            target = tree.keys[key]
        elif key in total_keys or (key.startswith("tong ") and fold(edition.index.code) in key):
            target = None
        else:
            plan.warn(
                header_row_number,
                i,
                text,
                _("The column matches no component of the methodology and is ignored."),
            )
            continue
        slot = (target.pk if target else None, field_name)
        if slot in seen:
            plan.error(
                header_row_number,
                i,
                text,
                _("The column repeats “%(column)s” (the same component).") % {"column": seen[slot]},
            )
            continue
        seen[slot] = text
        plan.columns.append(ColumnMap(i, text, target, field_name))
    if plan.subject_column is None:
        plan.subject_column = code_column


def _recognise(texts: list[str]) -> bool | None:
    return True if {fold(text) for text in texts} & (SUBJECT_HEADERS | CODE_HEADERS) else None


def _find_header(raw_rows: list[list]) -> int | None:
    try:
        position, _texts, _found = find_header(raw_rows, _recognise, "", scan=HEADER_SEARCH_ROWS)
    except FileRefused:
        return None
    return position


def _parse_cell(plan: ImportPlan, row_number: int, column: ColumnMap, raw, maximum: Decimal) -> Decimal | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()) or raw in ("-", "–"):
        return None
    try:
        value = parse_score(raw if not isinstance(raw, str) else raw.strip())
    except AmbiguousNumber:
        plan.error(
            row_number,
            column.index,
            column.header,
            _("“%(value)s” is ambiguous: it has both a dot and a comma (a score has no thousands).") % {"value": raw},
        )
        return None
    except (ValueError, ArithmeticError):
        plan.error(row_number, column.index, column.header, _("“%(value)s” is not a number.") % {"value": raw})
        return None
    if not value.is_finite():
        plan.error(row_number, column.index, column.header, _("“%(value)s” is not a number.") % {"value": raw})
        return None
    value = value.quantize(QUANTUM, rounding=ROUND_HALF_UP)
    if value < 0:
        plan.error(row_number, column.index, column.header, _("%(value)s is negative.") % {"value": fmt(value)})
        return None
    if value > maximum:
        plan.error(
            row_number,
            column.index,
            column.header,
            _("%(value)s is over the maximum of %(maximum)s.") % {"value": fmt(value), "maximum": fmt(maximum)},
        )
        return None
    return value


def _places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _aggregate(edition: Edition, values: list[Decimal]) -> Decimal:
    total = sum(values, Decimal(0))
    if edition.aggregation == Aggregation.MEAN:
        total = total / len(values)
    return total.quantize(QUANTUM, rounding=ROUND_HALF_UP)


def _compute_parents(plan: ImportPlan, tree: _Tree, row: SubjectRow, given_places: dict) -> None:
    edition = plan.edition
    if edition.aggregation == Aggregation.GIVEN:
        return
    columns_for = {c.component.pk if c.component else None: c for c in plan.columns if c.field == "value"}
    for node_id in tree.postorder():
        children = tree.children.get(node_id, [])
        if not children:
            continue
        present = [row.cells[c.pk].value for c in children if c.pk in row.cells and row.cells[c.pk].value is not None]
        node = row.cells.get(node_id)
        if len(present) != len(children):
            if present and (node is None or node.value is None):
                missing = ", ".join(c.code for c in children if c.pk not in row.cells)
                plan.warn(
                    row.number,
                    None,
                    tree.label(node_id),
                    _("%(component)s cannot be computed: %(missing)s missing.")
                    % {"component": tree.label(node_id), "missing": missing},
                )
            continue
        computed = _aggregate(edition, present)
        if node is None or node.value is None:
            maximum = tree.maximum(node_id)
            if computed > maximum:
                plan.error(
                    row.number,
                    None,
                    tree.label(node_id),
                    _("The components add up to %(sum)s, over the maximum of %(maximum)s.")
                    % {"sum": fmt(computed), "maximum": fmt(maximum)},
                )
                continue
            row.cells.setdefault(node_id, Cell()).value = computed
            row.cells[node_id].computed = True
            continue
        # Published tables round each figure; allow half a unit of the least precise one per term.
        places = min([given_places.get((row.number, c.pk), SCORE_PLACES) for c in children] + [SCORE_PLACES])
        places = min(places, given_places.get((row.number, node_id), SCORE_PLACES))
        tolerance = Decimal(5).scaleb(-places - 1) * (len(children) + 1)
        if abs(computed - node.value) > tolerance:
            column = columns_for.get(node_id)
            plan.warn(
                row.number,
                column.index if column else None,
                column.header if column else tree.label(node_id),
                _("%(component)s is given as %(given)s but its components add up to %(sum)s; the given figure is kept.")
                % {"component": tree.label(node_id), "given": fmt(node.value), "sum": fmt(computed)},
            )


def plan_import(edition: Edition, raw_rows: list[list]) -> ImportPlan:
    """Validate the rows and compare them with the stored scores. Writes nothing."""
    plan = ImportPlan(edition=edition, raw_rows=raw_rows)
    numbers = numbers_of(raw_rows)
    plan.header_row = _find_header(raw_rows)
    if plan.header_row is None:
        plan.error(
            1,
            None,
            "",
            _("No column of subjects found (for example “Tỉnh/Thành phố”, “Đơn vị”, “Mã”)."),
        )
        return plan
    tree = _Tree(edition)
    header = raw_rows[plan.header_row]
    _classify_headers(plan, tree, header)
    if plan.subject_column is None:
        plan.error(numbers[plan.header_row], None, "", _("The column of subjects is missing."))
        return plan
    if not plan.columns:
        plan.error(
            numbers[plan.header_row],
            None,
            "",
            _("No score column matches the methodology."),
        )
        return plan
    matcher = SubjectMatcher(edition)
    subject_header = _header_text(header[plan.subject_column])
    seen_subjects: dict[object, int] = {}
    given_places: dict[tuple, int] = {}
    for position in range(plan.header_row + 1, len(raw_rows)):
        raw, offset = raw_rows[position], numbers[position]
        if raw.__class__ is UnreadableRow:
            plan.error(offset, None, "", raw.message)
            continue
        if len(plan.errors) >= MAX_PROBLEMS:
            plan.error(None, None, "", _("Too many errors: checking stopped."))
            break
        cells = list(raw) + [None] * (len(header) - len(raw))
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in cells):
            continue
        name = cells[plan.subject_column] if plan.subject_column < len(cells) else None
        if name is None or not str(name).strip():
            if any(cells[c.index] not in (None, "") for c in plan.columns):
                plan.error(
                    offset,
                    plan.subject_column,
                    subject_header,
                    _("The row has scores but no subject."),
                )
            continue
        subject, problem = matcher.match(name)
        if subject is None:
            plan.error(offset, plan.subject_column, subject_header, problem)
            continue
        if subject in seen_subjects:
            plan.error(
                offset,
                plan.subject_column,
                subject_header,
                _("%(name)s already appears on row %(row)d.") % {"name": subject.name, "row": seen_subjects[subject]},
            )
            continue
        seen_subjects[subject] = offset
        row = SubjectRow(number=offset, subject=subject)
        errors_before = len(plan.errors)
        for column in plan.columns:
            component_id = column.component.pk if column.component else None
            raw_value = cells[column.index] if column.index < len(cells) else None
            value = _parse_cell(plan, offset, column, raw_value, tree.maximum(component_id))
            if value is None:
                continue
            cell = row.cells.setdefault(component_id, Cell())
            setattr(cell, column.field, value)
            if column.field == "value":
                raw_text = raw_value.strip() if isinstance(raw_value, str) else raw_value
                given_places[(offset, component_id)] = min(_places(parse_score(raw_text)), SCORE_PLACES)
        for cell in row.cells.values():
            if cell.value is None:
                cell.value = cell.appraised if cell.appraised is not None else cell.self_assessed
        if len(plan.errors) > errors_before:
            continue
        if not row.cells:
            plan.warn(offset, None, subject_header, _("The row has no score."))
            continue
        _compute_parents(plan, tree, row, given_places)
        plan.rows.append(row)
    if not plan.rows and not plan.errors:
        plan.error(None, None, "", _("The file has no data rows."))
    _diff(plan)
    return plan


def _subject_field(edition: Edition) -> str:
    return "agency_id" if edition.subject_level == SubjectLevel.AGENCY else "unit_id"


def _existing(edition: Edition) -> dict[tuple, Score]:
    subject_field = _subject_field(edition)
    return {(getattr(s, subject_field), s.component_id): s for s in Score.objects.filter(edition=edition)}


def _diff(plan: ImportPlan) -> None:
    existing = _existing(plan.edition)
    subjects_with_scores = {key[0] for key in existing}
    plan.created = plan.updated = plan.unchanged = 0
    for row in plan.rows:
        if row.subject.pk not in subjects_with_scores:
            row.status = "new"
            plan.created += 1
            continue
        changed = False
        for component_id, cell in row.cells.items():
            score = existing.get((row.subject.pk, component_id))
            if score is None or (score.value, score.self_assessed, score.appraised) != cell.as_tuple():
                changed = True
                break
        row.status = "update" if changed else "skip"
        if changed:
            plan.updated += 1
        else:
            plan.unchanged += 1


def apply_import(plan: ImportPlan, *, actor=None, source: str = AuditSource.IMPORT, note: str = "") -> ImportPlan:
    """Write a valid plan in one transaction, audit each changed score, then recompute rankings."""
    if not plan.ok:
        return plan
    edition = plan.edition
    subject_field = _subject_field(edition)
    with transaction.atomic():
        # Two imports of the same edition at once would both insert the same rows: serialise them.
        Edition.objects.select_for_update().filter(pk=edition.pk).first()
        if Edition.objects.filter(pk=edition.pk, is_sample=True).update(is_sample=False):
            transaction.on_commit(forget_sample_flag)  # real results replace the demo figures
        existing = _existing(edition)
        _diff(plan)
        to_create: list[Score] = []
        to_update: list[tuple[Score, dict]] = []
        now = timezone.now()
        for row in plan.rows:
            for component_id, cell in row.cells.items():
                score = existing.get((row.subject.pk, component_id))
                if score is None:
                    to_create.append(
                        Score(
                            edition=edition,
                            component_id=component_id,
                            value=cell.value,
                            self_assessed=cell.self_assessed,
                            appraised=cell.appraised,
                            computed=cell.computed,
                            **{subject_field: row.subject.pk},
                        )
                    )
                elif (score.value, score.self_assessed, score.appraised) != cell.as_tuple():
                    changes = {
                        name: [old, new]
                        for name, old, new in zip(
                            ("value", "self_assessed", "appraised"),
                            (score.value, score.self_assessed, score.appraised),
                            cell.as_tuple(),
                            strict=True,
                        )
                        if old != new
                    }
                    score.value, score.self_assessed, score.appraised = cell.as_tuple()
                    score.computed = cell.computed
                    score.updated_at = now
                    to_update.append((score, changes))
        created = Score.objects.bulk_create(to_create, batch_size=1000)
        Score.objects.bulk_update(
            [s for s, _ in to_update],
            ["value", "self_assessed", "appraised", "computed", "updated_at"],
            batch_size=1000,
        )
        note = (note or f"{edition} import")[:255]
        names = {row.subject.pk: row.subject.name for row in plan.rows}
        codes = {c.pk: c.code for c in edition.components.all()}
        audited = ("value", "self_assessed", "appraised")
        events = [
            build_event(
                score,
                actor=actor,
                action=AuditAction.CREATE,
                source=source,
                note=note,
                after={name: getattr(score, name) for name in audited},
                object_repr=_score_repr(edition, score, names, codes),
            )  # fmt: skip
            for score in created
        ]
        events += [
            build_event(
                score,
                actor=actor,
                source=source,
                note=note,
                changes=changes,
                object_repr=_score_repr(edition, score, names, codes),
            )  # fmt: skip
            for score, changes in to_update
        ]
        record_many(events)
        plan.written = True
        if to_create or to_update:
            from .jobs import enqueue_rankings

            transaction.on_commit(lambda: enqueue_rankings(edition.pk))
    return plan


def _score_repr(edition: Edition, score: Score, names: dict, codes: dict) -> str:
    part = codes.get(score.component_id, "") if score.component_id else "total"
    subject = names.get(score.unit_id or score.agency_id, "")
    return f"{edition} · {subject} · {part}: {score.value}"


def import_scores(
    edition: Edition, content: bytes | str, filename: str, *, actor=None, dry_run: bool = False, source=None
) -> ImportPlan:
    """Read, validate and (unless dry_run or invalid) write a file of scores."""
    try:
        raw_rows = read_table(content, filename)
    except FileFormatError as exc:
        plan = ImportPlan(edition=edition, raw_rows=[])
        plan.error(None, None, "", str(exc))
        return plan
    plan = plan_import(edition, raw_rows)
    if plan.ok and not dry_run:
        apply_import(plan, actor=actor, source=source or AuditSource.IMPORT, note=f"{edition}: {filename}")
    return plan


# --- the file back with its problems marked -----------------------------------------


def marked_workbook(plan: ImportPlan) -> bytes:
    """The uploaded rows as .xlsx, with each problem's cell filled and commented, plus a list sheet."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    red = PatternFill("solid", fgColor="F8B4B4")
    yellow = PatternFill("solid", fgColor="FDE68A")
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Data")[:31]
    for number, row in zip(numbers_of(plan.raw_rows), plan.raw_rows, strict=True):
        for column, value in enumerate(row, start=1):
            if value is not None:
                sheet.cell(row=number, column=column, value=neutralise(value))
    by_cell: dict[tuple[int, int], list[Problem]] = defaultdict(list)
    for problem in plan.problems:
        if problem.row is None:
            continue
        column = problem.column if problem.column is not None else plan.subject_column
        if column is None:
            column = 0
        by_cell[(problem.row, column)].append(problem)
    for (row, column), problems in by_cell.items():
        cell = sheet.cell(row=row, column=column + 1)
        cell.fill = red if any(p.level == "error" for p in problems) else yellow
        cell.comment = Comment("\n".join(p.message for p in problems)[:30000], "CCHC")
    listing = workbook.create_sheet(_("Problems")[:31])
    listing.append([_("Level"), *problem_headers()])
    for problem in plan.problems:
        level = _("Error") if problem.is_error else _("Warning")
        listing.append([level, problem.row, neutralise(problem.column_name), neutralise(problem.message)])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
