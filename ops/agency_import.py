"""Agencies from an .xlsx: name, short name, kind, commune, valid from, predecessor.

Two steps: `agency_rows_check` reads the file and returns every row with its problems (the
preview); the good rows travel to the confirm step signed (nothing is stored in between) and
`agency_rows_create` checks them again and creates them in one transaction, audited.

The file is checked and read by the import toolkit (cchc_portal/lib/imports, docs/imports.md):
type by content (.xlsx or CSV), size, ZIP and macro checks, encodings, header finding; communes
and predecessors are matched with its name rules.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import asdict, dataclass, field

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.log import record_change
from audit.models import AuditAction, AuditSource
from cchc_portal.lib.imports import FileRefused, Limits, UnreadableRow, cell_text, find_header, read_table
from cchc_portal.lib.text import fold
from provinces.models import AdministrativeUnit, Agency, AgencyKind, AgencySuccession, UnitLevel

MAX_BYTES = 5 * 1024 * 1024  # CCHC["AGENCY_IMPORT_MAX_BYTES"]


def max_bytes() -> int:
    return int(settings.CCHC.get("AGENCY_IMPORT_MAX_BYTES", MAX_BYTES))


MAX_ROWS = 2000
SIGNING_SALT = "ops.agency_import"

# Header cells (folded: lower case, no diacritics) → field.
HEADERS = {
    "ten co quan": "name",
    "ten": "name",
    "ten viet tat": "short_name",
    "loai": "kind",
    "loai co quan": "kind",
    "xa/phuong": "commune",
    "xa, phuong": "commune",
    "xa phuong": "commune",
    "don vi cap xa": "commune",
    "hieu luc tu": "valid_from",
    "ngay hieu luc": "valid_from",
    "co quan tien nhiem": "predecessor",
    "tien nhiem": "predecessor",
}
KINDS = {
    "": AgencyKind.DEPARTMENT,
    "so, ban, nganh": AgencyKind.DEPARTMENT,
    "so ban nganh": AgencyKind.DEPARTMENT,
    "so": AgencyKind.DEPARTMENT,
    "ban": AgencyKind.DEPARTMENT,
    "nganh": AgencyKind.DEPARTMENT,
    "ubnd xa": AgencyKind.COMMUNE_COMMITTEE,
    "ubnd cap xa": AgencyKind.COMMUNE_COMMITTEE,
    "uy ban nhan dan xa": AgencyKind.COMMUNE_COMMITTEE,
    "ubnd tinh": AgencyKind.PROVINCIAL_COMMITTEE,
    "uy ban nhan dan tinh": AgencyKind.PROVINCIAL_COMMITTEE,
    "khac": AgencyKind.OTHER,
    **{value: value for value in AgencyKind.values},
}
SAMPLE = [
    ["Tên cơ quan", "Tên viết tắt", "Loại", "Xã/phường", "Hiệu lực từ", "Cơ quan tiền nhiệm"],
    ["Sở Nội vụ", "SNV", "Sở, ban, ngành", "", "01/07/2025", ""],
    ["Sở Tư pháp", "STP", "Sở, ban, ngành", "", "01/07/2025", ""],
    ["Ủy ban nhân dân Phường Quy Nhơn", "", "UBND xã", "Phường Quy Nhơn", "01/07/2025", ""],
]


# The file as a whole cannot be read: the toolkit's refusal.
AgencyFileRefused = FileRefused


@dataclass
class AgencyRow:
    line: int
    name: str = ""
    short_name: str = ""
    kind: str = AgencyKind.DEPARTMENT
    commune_id: int | None = None
    commune_name: str = ""
    valid_from: str | None = None  # ISO date
    predecessor_id: int | None = None
    predecessor_name: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def valid_from_display(self) -> str:
        return dt.date.fromisoformat(self.valid_from).strftime("%d/%m/%Y") if self.valid_from else ""

    @property
    def kind_label(self) -> str:
        return str(AgencyKind(self.kind).label)


def _text(value) -> str:
    return " ".join(cell_text(value).split())


def _date(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    if not text:
        return None
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


def read_sheet(upload) -> list[tuple[int, list]]:
    """The non-empty rows (with their numbers) of the first sheet or of the CSV; refuses what is not a table.

    A row the toolkit could not read comes as an `UnreadableRow` carrying its reason.
    """
    limits = Limits(max_bytes=max_bytes(), max_rows=MAX_ROWS + 30, max_columns=20)
    if upload.size > limits.max_bytes:  # before reading it into memory
        raise AgencyFileRefused(_("The file is larger than %(mb)d MB.") % {"mb": limits.max_bytes // 1024**2})
    rows = read_table(upload.read(), limits)
    return list(zip(rows.numbers, rows, strict=True))


def _recognise(texts: list[str]) -> dict[str, int] | None:
    columns: dict[str, int] = {}
    for position, text in enumerate(texts):
        key = HEADERS.get(fold(text))
        if key and key not in columns:
            columns[key] = position
    return columns if "name" in columns else None


def _header(rows: list[tuple[int, list]]) -> tuple[int, dict[str, int]]:
    index, _texts, columns = find_header(
        [values for _line, values in rows],
        _recognise,
        _("No header row found: the file needs at least the column “Tên cơ quan”."),
    )
    return index, columns


def agency_rows_check(upload, province: AdministrativeUnit) -> list[AgencyRow]:
    rows = read_sheet(upload)
    start, columns = _header(rows)
    if start + 1 >= len(rows):
        raise AgencyFileRefused(_("The file has no data rows below the header."))
    communes = AdministrativeUnit.objects.current().filter(province=province, level=UnitLevel.COMMUNE)
    commune_by_code = {commune.code: commune for commune in communes}
    commune_index = communes.name_index()
    agency_index = Agency.objects.name_index(province)
    agencies = list(Agency.objects.filter(province=province))
    current_names = {a.name_folded for a in agencies if a.is_current}
    seen: dict[str, int] = {}
    result = []
    for line, values in rows[start + 1 :]:
        if values.__class__ is UnreadableRow:  # too long to read: its reason, like any row problem
            result.append(AgencyRow(line=line, problems=[values.message]))
            continue
        cells = {key: values[position] for key, position in columns.items() if position < len(values)}

        def cell(key: str, cells=cells):
            return cells.get(key)

        row = AgencyRow(line=line, name=_text(cell("name")), short_name=_text(cell("short_name")))
        kind = KINDS.get(fold(_text(cell("kind"))))
        if kind is None:
            row.problems.append(_("Unknown kind “%(value)s”.") % {"value": _text(cell("kind"))})
        else:
            row.kind = kind
        if not row.name:
            row.problems.append(_("The agency name is missing."))
        key = fold(row.name)
        if key in current_names:
            row.problems.append(_("An agency with this name already exists in the province."))
        elif key in seen:
            row.problems.append(_("The same name is on line %(line)d.") % {"line": seen[key]})
        seen.setdefault(key, line)
        commune_text = _text(cell("commune"))
        if commune_text:
            match = commune_index.match(commune_text)
            commune = commune_by_code.get(commune_text) or (match.found if match.former is None else None)
            if commune is None:
                row.problems.append(_("No commune “%(value)s” in this province.") % {"value": commune_text})
            else:
                row.commune_id, row.commune_name = commune.pk, commune.name
        elif row.kind == AgencyKind.COMMUNE_COMMITTEE:
            row.problems.append(_("A commune people's committee needs its commune."))
        try:
            valid_from = _date(cell("valid_from"))
            row.valid_from = valid_from.isoformat() if valid_from else None
        except ValueError:
            row.problems.append(_("“%(value)s” is not a date (dd/mm/yyyy).") % {"value": _text(cell("valid_from"))})
        predecessor_text = _text(cell("predecessor"))
        if predecessor_text:
            # The agency named itself (a former one too), not whoever took over from it.
            found = agency_index.index.lookup(predecessor_text)
            predecessor = agency_index.by_id[found[0]] if len(found) == 1 else None
            if predecessor is None:
                row.problems.append(_("No agency “%(value)s” to take over from.") % {"value": predecessor_text})
            else:
                row.predecessor_id, row.predecessor_name = predecessor.pk, predecessor.name
                if not row.valid_from:
                    row.problems.append(_("Give the date from which this agency took over."))
        if not row.problems:
            row.problems.extend(_model_problems(row, province))
        result.append(row)
    return result


def _build(row: AgencyRow, province: AdministrativeUnit) -> Agency:
    return Agency(
        province=province,
        name=row.name,
        short_name=row.short_name,
        kind=row.kind,
        commune_id=row.commune_id,
        valid_from=dt.date.fromisoformat(row.valid_from) if row.valid_from else None,
    )


def _model_problems(row: AgencyRow, province: AdministrativeUnit) -> list[str]:
    try:
        _build(row, province).full_clean()
    except ValidationError as error:
        return [message for messages in error.message_dict.values() for message in messages]
    return []


def sign_rows(rows: list[AgencyRow], province: AdministrativeUnit) -> str:
    good = [asdict(row) for row in rows if not row.problems]
    return signing.dumps({"province": province.pk, "rows": good}, salt=SIGNING_SALT, compress=True)


def unsign_rows(token: str, province: AdministrativeUnit) -> list[AgencyRow]:
    data = signing.loads(token, salt=SIGNING_SALT, max_age=3600)
    if data["province"] != province.pk:
        raise signing.BadSignature("another province")
    return [AgencyRow(**row) for row in data["rows"]]


def agency_rows_create(rows: list[AgencyRow], province: AdministrativeUnit, *, actor) -> int:
    """Create the previewed rows, all or nothing; a row that became invalid since stops it all."""
    with transaction.atomic():
        current = set(Agency.objects.current().filter(province=province).values_list("name_folded", flat=True))
        for row in rows:
            if fold(row.name) in current:
                raise ValidationError(_("“%(name)s” was added meanwhile; check the file again.") % {"name": row.name})
            agency = _build(row, province)
            agency.full_clean()
            agency.save()
            record_change(agency, actor=actor, action=AuditAction.CREATE, source=AuditSource.IMPORT,
                          note="agency import")  # fmt: skip
            if row.predecessor_id:
                AgencySuccession.objects.create(
                    predecessor_id=row.predecessor_id, successor=agency, effective_date=agency.valid_from
                )
                record_change(agency, actor=actor, changes={"predecessors": [[], [row.predecessor_name]]},
                              source=AuditSource.IMPORT)  # fmt: skip
            current.add(fold(row.name))
    return len(rows)


def sample_workbook() -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Co quan"
    for values in SAMPLE:
        sheet.append(values)
    for column, width in zip("ABCDEF", (40, 14, 18, 24, 14, 30), strict=True):
        sheet.column_dimensions[column].width = width
    handle = io.BytesIO()
    workbook.save(handle)
    return handle.getvalue()
