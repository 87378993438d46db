"""Row parsing: one row of cells to a staging tuple, or a RowError (column and reason)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from cchc_portal.lib.imports import name_key, unit_core
from cchc_portal.lib.text import fold
from cchc_portal.lib.workdays import WorkingClock, add_working_days
from provinces.models import AdministrativeUnit, Agency, UnitLevel

from ..models import Channel, Holiday, Outcome, Procedure, ProcedureLevel, Status
from .reading import FIELD_LABELS, FIELDS, SERVICE_FIELDS
from .summaries import HANDLING_FACTS, office_windows

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
UTC = dt.UTC
# PostgreSQL stages an instant as seconds since 1970-01-01 00:00 UTC (a bigint, `to_timestamp` in the
# write): COPY reads an integer in a fraction of the time it parses a timestamp's text.
EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()
LOCAL_OFFSET = 7 * 3600  # Vietnam keeps UTC+7 all year


class RowError(Exception):
    def __init__(self, column: str, reason: str):
        super().__init__(reason)
        self.column = column
        self.reason = reason


# --- value parsing ---------------------------------------------------------------

STATUS_WORDS: list[tuple[str, str]] = [
    ("tam dung", Status.PAUSED),
    ("cho bo sung", Status.PAUSED),
    ("yeu cau bo sung", Status.PAUSED),
    ("paused", Status.PAUSED),
    ("rut", Status.WITHDRAWN),
    ("withdrawn", Status.WITHDRAWN),
    ("tra lai", Status.REJECTED),
    ("tu choi", Status.REJECTED),
    ("khong giai quyet", Status.REJECTED),
    ("rejected", Status.REJECTED),
    ("returned", Status.REJECTED),
    ("dang", Status.IN_PROGRESS),
    ("chua", Status.IN_PROGRESS),
    ("cho xu ly", Status.IN_PROGRESS),
    ("moi tiep nhan", Status.IN_PROGRESS),
    ("in progress", Status.IN_PROGRESS),
    ("da giai quyet", Status.FINISHED),
    ("da xu ly", Status.FINISHED),
    ("hoan thanh", Status.FINISHED),
    ("da tra", Status.FINISHED),
    ("co ket qua", Status.FINISHED),
    ("finished", Status.FINISHED),
]


@lru_cache(maxsize=4096)
def folded_cached(text: str) -> str:
    """The name key of a unit or agency cell (rules: cchc_portal.lib.imports.names)."""
    return name_key(text)


@lru_cache(maxsize=1024)
def parse_status(text: str) -> str | None:
    folded = fold(text)
    if not folded:
        return ""
    for word, status in STATUS_WORDS:
        if word in folded:
            return status
    return None


@lru_cache(maxsize=1024)
def parse_channel(text: str) -> str | None:
    folded = fold(text)
    if not folded or "truc tiep" in folded or folded == "in person":
        return Channel.IN_PERSON
    if "toan trinh" in folded or folded in {"online full", "online_full"}:
        return Channel.ONLINE_FULL
    if "mot phan" in folded or "truc tuyen" in folded or folded.startswith("online"):
        return Channel.ONLINE_PARTIAL
    if "buu" in folded or folded == "post":
        return Channel.POST
    return None


YES_WORDS = frozenset({"co", "x", "1", "true", "yes", "da", "dat", "roi"})
NO_WORDS = frozenset({"khong", "0", "false", "no", "chua", "-"})


def parse_flag(value) -> bool | None:
    """yes/no cells: "Có"/"Không", x, 1/0, a result file link; empty is no; None when unreadable."""
    if value is None or value == "":
        return False
    if value is True or value is False:
        return value
    if isinstance(value, int | float):
        return value != 0
    return _parse_flag_text(str(value))


@lru_cache(maxsize=256)
def _parse_flag_text(text: str) -> bool | None:
    if text.strip().lower().startswith(("http://", "https://")):  # a result file link
        return True
    folded = fold(text)
    if not folded or folded in NO_WORDS or folded.startswith("khong"):
        return False
    if folded in YES_WORDS or folded.startswith(("co ", "da ")):
        return True
    return None


@lru_cache(maxsize=256)
def _parse_payment_text(text: str) -> bool | None:
    folded = fold(text)
    if not folded or folded in NO_WORDS or folded.startswith("khong") or "tien mat" in folded or "truc tiep" in folded:
        return False
    if "cong" in folded or "truc tuyen" in folded or "dvc" in folded or "online" in folded or "payment" in folded:
        return True
    return _parse_flag_text(text)


def parse_payment(value) -> bool | None:
    """Paid online: a channel (national portal / local gateway) or yes/no; cash or in person is no."""
    if value is None or value is True or value is False or isinstance(value, int | float):
        return parse_flag(value)
    return _parse_payment_text(str(value))


@lru_cache(maxsize=64)
def parse_level(text: str) -> str | None:
    folded = fold(text)
    if not folded:
        return ""
    if "tinh" in folded or folded == "province":
        return ProcedureLevel.PROVINCE
    if "xa" in folded or "phuong" in folded or folded == "commune":
        return ProcedureLevel.COMMUNE
    return None


def _parse_local_datetime(value) -> dt.datetime:
    """dd/mm/yyyy [HH:MM[:SS]] (also yyyy-mm-dd...) as a naive Vietnamese local time."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            return value.astimezone(LOCAL_TZ).replace(tzinfo=None)
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    text = str(value).strip()
    date_part, _, time_part = text.partition(" ")
    if "T" in date_part:
        date_part, _, time_part = date_part.partition("T")
    if "/" in date_part:
        day, month, year = date_part.split("/")
    elif "-" in date_part:
        pieces = date_part.split("-")
        if len(pieces[0]) == 4:
            year, month, day = pieces
        else:
            day, month, year = pieces
    else:
        raise ValueError(text)
    if len(year) != 4:
        raise ValueError(text)
    hour = minute = second = 0
    time_part = time_part.strip()
    if time_part:
        if time_part.endswith("Z") or "+" in time_part:
            aware = dt.datetime.fromisoformat(
                f"{year}-{int(month):02d}-{int(day):02d}T{time_part.replace('Z', '+00:00')}"
            )
            return aware.astimezone(LOCAL_TZ).replace(tzinfo=None)
        pieces = time_part.split(":")
        hour, minute = int(pieces[0]), int(pieces[1])
        if len(pieces) > 2:
            second = int(float(pieces[2]))
    return dt.datetime(int(year), int(month), int(day), hour, minute, second)


def local_epoch(day: dt.date, second: int) -> int:
    """The staged value (PostgreSQL) of the local (UTC+7) `second` of the day `day`."""
    return (day.toordinal() - EPOCH_ORDINAL) * 86400 + second - LOCAL_OFFSET


def make_datetime_parser(backend: str) -> Callable:
    """A cached parser: cell → (value for the staging table, local date).

    The staged value: seconds since the epoch on PostgreSQL (`local_epoch`); on SQLite the
    naive UTC text Django stores aware datetimes as. Seconds' fractions are dropped.
    """

    @lru_cache(maxsize=1 << 17)
    def parse(value) -> tuple[int | str, dt.date]:
        local = _parse_local_datetime(value)
        if backend == "postgresql":
            return local_epoch(local.date(), local.hour * 3600 + local.minute * 60 + local.second), local.date()
        return f"{local.replace(tzinfo=LOCAL_TZ).astimezone(UTC):%Y-%m-%d %H:%M:%S}", local.date()

    return parse


def make_second_of_day(backend: str) -> Callable:
    """The local (UTC+7) second of the day of a staged value of `make_datetime_parser`."""
    if backend == "postgresql":
        return lambda stamp: (stamp + LOCAL_OFFSET) % 86400

    @lru_cache(maxsize=1 << 17)
    def second(text: str) -> int:
        seconds = int(text[11:13]) * 3600 + int(text[14:16]) * 60 + int(text[17:19])
        return (seconds + LOCAL_OFFSET) % 86400  # the text is UTC

    return second


# --- lookups and the row parser ---------------------------------------------------


@dataclass
class Lookups:
    units_by_code: dict[str, tuple[int, int, str]]
    units_by_name: dict[tuple[int | None, str], int | None]
    unit_info: dict[int, tuple[int, str]]
    agencies_by_name: dict[str, set[tuple[int, int | None, int]]]
    commune_agency: dict[int, int]
    procedures: dict[str, tuple[str, int | None]]
    holidays: frozenset[dt.date]
    # Procedures whose result is a paper document (Decision 766's online-share rule).
    paper_results: frozenset[str] = frozenset()

    @classmethod
    def load(cls) -> Lookups:
        units_by_code: dict[str, tuple[int, int, str]] = {}
        units_by_name: dict[tuple[int | None, str], int | None] = {}
        unit_info: dict[int, tuple[int, str]] = {}
        rows = (
            AdministrativeUnit.objects.filter(valid_to__isnull=True, level__in=[UnitLevel.PROVINCE, UnitLevel.COMMUNE])
            .values_list("pk", "code", "name", "level", "province_id")
            .order_by()
        )
        cores: dict[tuple[int | None, str], int | None] = {}
        for pk, code, name, level, province_id in rows:
            province = pk if level == UnitLevel.PROVINCE else province_id
            units_by_code[f"{level}:{code}"] = (pk, province, level)
            unit_info[pk] = (province, level)
            full = name_key(name)
            for keys, found in (((full,), units_by_name), ((unit_core(full),), cores)):
                for key in ((province, keys[0]), (None, keys[0])):
                    found[key] = None if key in found and found[key] != pk else pk
        # A name without its "Xã"/"Phường"/"Tỉnh" finds the unit too, unless it is another unit's full name.
        for key, pk in cores.items():
            units_by_name.setdefault(key, pk)
        agencies: dict[str, set[tuple[int, int | None, int]]] = {}
        commune_agency: dict[int, int] = {}
        for pk, province_id, commune_id, name, short, aliases in (
            Agency.objects.filter(valid_to__isnull=True)
            .values_list("pk", "province_id", "commune_id", "name", "short_name", "aliases")
            .order_by()
        ):
            for label in [name, short, *aliases.splitlines()]:
                if label.strip():
                    agencies.setdefault(name_key(label), set()).add((pk, commune_id, province_id))
            if commune_id:
                commune_agency.setdefault(commune_id, pk)
        procedures = {
            code: (level, allowance)
            for code, level, allowance in Procedure.objects.values_list("code", "level", "allowance_days")
        }
        paper_results = frozenset(Procedure.objects.filter(paper_result=True).values_list("code", flat=True))
        return cls(
            units_by_code,
            units_by_name,
            unit_info,
            agencies,
            commune_agency,
            procedures,
            Holiday.dates(),
            paper_results,
        )


STAGE_COLUMNS = [
    "row_no",
    "receipt_number",
    "procedure_code",
    "procedure_level",
    "receiving_unit_id",
    "province_id",
    "agency_id",
    "channel",
    "status",
    "received_at",
    "due_at",
    "paused_days",
    "finished_at",
    "returned_at",
    "due_date",
    "closed_date",
    "outcome",
    "received_month",
    "closed_month",
    "overdue_month",
]
# The Decision 766 facts after them (`RowParser.service_facts`), in the dossier's column names.
SERVICE_STAGE_COLUMNS = [
    "supplement_count",
    "supplement_days",
    "late_766",
    "online_766",
    "e_result",
    "fee_bearing",
    "paid_online",
    "digitised",
    "reused",
    "vneid",
    "complaint",
]
BASE_STAGE_WIDTH = len(STAGE_COLUMNS)
# Then the handling time, computed as the row is read (`RowParser.handling`, `WorkingClock`).
STAGE_COLUMNS += SERVICE_STAGE_COLUMNS + HANDLING_FACTS
BAD_TEXT = {"\t", "\n", "\r", "\\", "\x00"}


class Scope:
    """Which receiving units a caller may import into (None = any)."""

    def __init__(self, province_ids: Iterable[int] | None = None, unit_ids: Iterable[int] | None = None):
        self.province_ids = None if province_ids is None else frozenset(province_ids)
        self.unit_ids = frozenset(unit_ids or ())

    def allows(self, unit_id: int, province_id: int) -> bool:
        return self.province_ids is None or province_id in self.province_ids or unit_id in self.unit_ids


def _plain_cell(value):
    """A cell as the parser reads it: stripped text, or None when empty (see `RowParser.values`)."""
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int):
        return str(value)
    return value


ONE_DAY = dt.timedelta(days=1)
NO_HANDLING = (None,) * len(HANDLING_FACTS)  # a dossier not finished: no handling time
OPEN_STATUSES = (Status.IN_PROGRESS, Status.PAUSED)
CLOSED_WITHOUT_RESULT = (Status.REJECTED, Status.WITHDRAWN)


class DateColumn(dict):
    """(staging text, local day) per distinct cell value of one date column.

    Filled on first sight of a value (`__missing__`), which raises the value's RowError
    instead if it is not a valid date; errors are remembered apart, so a bad value is
    parsed once too. Both are emptied when they grow past `limit`.
    """

    def __init__(self, parser: RowParser, name: str, required: bool, limit: int = 1 << 17):
        super().__init__()
        self.parser = parser
        self.name = name
        self.required = required
        self.limit = limit
        self.errors: dict = {}

    def __missing__(self, value) -> tuple:
        error = self.errors.get(value)
        if error is None:
            try:
                result = self.read(value)
            except RowError as exc:
                if len(self.errors) > self.limit:
                    self.errors.clear()
                error = self.errors[value] = (exc.column, exc.reason)
            else:
                if len(self) > self.limit:
                    self.clear()
                self[value] = result
                return result
        raise RowError(*error)

    def read(self, value) -> tuple:
        """The uncached (text, day) of one cell value; raises its RowError."""
        return self.parser.parse_date(value, self.name, self.required)


class DayText(dict):
    """ISO text per day (or of the first of its month, with `month=True`); None stays None."""

    def __init__(self, month: bool = False):
        super().__init__({None: None})
        self.month = month

    def __missing__(self, day: dt.date) -> str:
        text = self[day] = (day.replace(day=1) if self.month else day).isoformat()
        return text


class RowParser:
    """Turns one row (cells + column map) into a staging tuple, or raises RowError.

    `parse` runs once per row of files of a million rows, so it reads all the cells it
    needs in one go (`values`) and answers most checks from caches per distinct cell
    values (units and procedures, dates, days). The checks still run in the same order,
    so a row's first error is the one reported.
    """

    def __init__(self, lookups: Lookups, columns: dict[str, int], scope: Scope, backend: str, today: dt.date):
        self.lookups = lookups
        self.columns = columns
        self.scope = scope
        self.today = today
        self.latest_allowed = today + ONE_DAY
        self.parse_dt = make_datetime_parser(backend)
        self.second_of_day = make_second_of_day(backend)
        self.clock = WorkingClock(lookups.holidays, office_windows())
        self.new_procedures: dict[str, tuple[str, str]] = {}
        self._due_cache: dict[tuple[dt.date, int], dt.date] = {}
        self._iso = DayText()
        self._month = DayText(month=True)
        self._received = DateColumn(self, "received_at", required=True)
        self._due = DateColumn(self, "due_at", required=False)
        self._finished = DateColumn(self, "finished_at", required=False)
        self._returned = DateColumn(self, "returned_at", required=False)
        self._kind_cache: dict[tuple, tuple | RowError] = {}
        self._unit_cache: dict[tuple, tuple | RowError] = {}
        # Column index per field in FIELDS order; an absent field reads a stand-in
        # column and is blanked afterwards, so one itemgetter call reads a whole row.
        indexes = [columns.get(name) for name in FIELDS]
        stand_in = next((index for index in indexes if index is not None), 0)
        read = [stand_in if index is None else index for index in indexes]
        self._indexes = indexes
        self._absent = [position for position, index in enumerate(indexes) if index is None]
        self._width = max(read) + 1
        self._read_row = itemgetter(*read)
        self._service_indexes = [columns.get(name) for name in SERVICE_FIELDS]
        self._has_service = any(index is not None for index in self._service_indexes)
        # The service cells of a row in one call (absent columns read a stand-in, blanked in
        # `_service_cells`), and their facts cached per distinct cells: most rows repeat a few
        # combinations of yes/no and empty dates, so the checks run once per combination.
        present = [index for index in self._service_indexes if index is not None]
        self._service_read = itemgetter(*present, present[0]) if present else None
        self._service_width = max(present, default=0) + 1
        self._service_positions = [
            position for position, index in enumerate(self._service_indexes) if index is not None
        ]
        self._service_cache: dict = {}
        self._supplement_dates = (
            DateColumn(self, "supplement_requested_at", required=False),
            DateColumn(self, "supplement_completed_at", required=False),
        )

    def values(self, row: Sequence) -> list:
        """Every field's cell in FIELDS order: stripped text, None when empty or absent."""
        if len(row) >= self._width:
            values = [
                value.strip() or None if value.__class__ is str else _plain_cell(value) for value in self._read_row(row)
            ]
            for position in self._absent:
                values[position] = None
            return values
        size = len(row)  # a short row: the missing cells are empty
        return [None if index is None or index >= size else _plain_cell(row[index]) for index in self._indexes]

    def _text(self, value, name: str, max_length: int, required: bool = True) -> str | None:
        if value is None:
            if required:
                raise RowError(FIELD_LABELS[name], _("Value missing."))
            return None
        value = str(value)
        if len(value) > max_length:
            raise RowError(FIELD_LABELS[name], _("Longer than %(n)d characters.") % {"n": max_length})
        if not BAD_TEXT.isdisjoint(value):
            raise RowError(FIELD_LABELS[name], _("Contains invalid characters."))
        return value

    def parse_date(self, value, name: str, required: bool):
        """(staged value, local day) of a date cell, (None, None) when empty and optional."""
        if value is None:
            if required:
                raise RowError(FIELD_LABELS[name], _("Date missing."))
            return None, None
        try:
            text, day = self.parse_dt(value)
        except (ValueError, TypeError, IndexError):
            raise RowError(FIELD_LABELS[name], _("Invalid date (dd/mm/yyyy).")) from None
        if day > self.latest_allowed and name != "due_at":
            raise RowError(FIELD_LABELS[name], _("Date in the future."))
        return text, day

    def _working_day(self, start: dt.date, days: int) -> dt.date:
        key = (start, days)
        result = self._due_cache.get(key)
        if result is None:
            result = self._due_cache[key] = add_working_days(start, days, self.lookups.holidays)
        return result

    def _row_kind(self, key: tuple) -> tuple:
        """(procedure code, level, allowance, unit, province, agency, channel, status) of a row's cells.

        `key` holds the cells of those fields, in FIELDS order. Results and errors are
        cached per distinct key, except for a procedure missing from the catalogue: its
        result depends on the rows before it (`new_procedures`).
        """
        try:
            kind = self._kind_cache.get(key)
        except TypeError:  # an unhashable cell value: no caching
            return self._row_kind_uncached(*key)
        if kind is None:
            if str(key[0]) not in self.lookups.procedures:
                return self._row_kind_uncached(*key)
            if len(self._kind_cache) > 1 << 16:
                self._kind_cache.clear()
            try:
                kind = self._row_kind_uncached(*key)
            except RowError as error:
                kind = error
            self._kind_cache[key] = kind
        if kind.__class__ is RowError:
            raise RowError(kind.column, kind.reason)
        return kind

    def _row_kind_uncached(
        self, code, procedure_name, procedure_level, unit_code, unit_name, receiver, agency, channel, status
    ) -> tuple:
        code = self._text(code, "procedure_code", 50)
        unit_id, province_id, unit_level, agency_id = self._resolve_unit(unit_code, unit_name, receiver, agency)
        level, allowance = self._procedure(code, procedure_name, procedure_level, unit_level)
        channel = parse_channel(str(channel or ""))
        if channel is None:
            raise RowError(FIELD_LABELS["channel"], _("Unknown channel."))
        status = parse_status(str(status or ""))
        if status is None:
            raise RowError(FIELD_LABELS["status"], _("Unknown status."))
        return code, level, allowance, unit_id, province_id, agency_id, channel, status

    def _resolve_unit(self, unit_code, unit_name, receiver, agency) -> tuple[int, int, str, int | None]:
        """Resolve the receiving unit and agency; cached per distinct (unit, receiver, agency) cells."""
        key = (unit_code, unit_name, receiver, agency)
        try:
            cached = self._unit_cache.get(key)
        except TypeError:  # an unhashable cell value: no caching
            return self._resolve_unit_uncached(*key)
        if cached is None:
            if len(self._unit_cache) > 1 << 16:
                self._unit_cache.clear()
            try:
                cached = self._resolve_unit_uncached(*key)
            except RowError as error:
                cached = error
            self._unit_cache[key] = cached
        if cached.__class__ is RowError:
            raise RowError(cached.column, cached.reason)
        return cached

    def _resolve_unit_uncached(self, code, unit_name, receiver_text, agency_text) -> tuple[int, int, str, int | None]:
        lookups = self.lookups
        unit = None
        if code is not None:
            code = str(code)
            level = UnitLevel.PROVINCE if len(code) <= 2 else UnitLevel.COMMUNE
            unit = lookups.units_by_code.get(f"{level}:{code.zfill(2 if level == UnitLevel.PROVINCE else 5)}")
            if unit is None:
                raise RowError(FIELD_LABELS["unit_code"], _("No unit with this code."))
        if unit is None:
            for text, column in ((unit_name, "unit_name"), (receiver_text, "receiver")):
                if text is None:
                    continue
                pk = self._unit_by_name(folded_cached(str(text)))
                if pk:
                    province, level = lookups.unit_info[pk]
                    unit = (pk, province, level)
                    receiver_text = None
                    break
                if column == "unit_name":
                    raise RowError(FIELD_LABELS[column], _("Unknown or ambiguous unit."))
        agency_id = None
        agency_column = "agency" if agency_text is not None else "receiver"
        if agency_text is None:
            agency_text = receiver_text
        if agency_text is not None:
            folded = folded_cached(str(agency_text))
            candidates = lookups.agencies_by_name.get(folded, ())
            if unit is not None:
                candidates = [c for c in candidates if c[2] == unit[1]]
            elif self.scope.province_ids is not None:
                candidates = [c for c in candidates if c[2] in self.scope.province_ids]
            if len(candidates) != 1:
                raise RowError(FIELD_LABELS[agency_column], _("Unknown agency."))
            agency_id, commune_id, agency_province = next(iter(candidates))
            if unit is None:
                if commune_id:
                    unit = (commune_id, agency_province, UnitLevel.COMMUNE)
                else:
                    unit = (agency_province, agency_province, UnitLevel.PROVINCE)
        if unit is None:
            raise RowError(FIELD_LABELS["unit_code"], _("Receiving unit missing."))
        unit_id, province_id, level = unit
        if not self.scope.allows(unit_id, province_id):
            raise RowError(
                FIELD_LABELS["unit_code"],
                _("Unit outside the scope of this import."),
            )
        if agency_id is None and level == UnitLevel.COMMUNE:
            agency_id = lookups.commune_agency.get(unit_id)
        return unit_id, province_id, level, agency_id

    def _unit_by_name(self, folded: str) -> int | None:
        names = self.lookups.units_by_name
        if self.scope.province_ids is not None and len(self.scope.province_ids) == 1:
            (province_id,) = self.scope.province_ids
            found = names.get((province_id, folded))
            if found:
                return found
        return names.get((None, folded))

    def _procedure(self, code: str, name, level_cell, unit_level: str) -> tuple[str, int | None]:
        """(procedure level, allowance in working days) of a catalogue or new procedure."""
        known = self.lookups.procedures.get(code)
        if known is not None:
            return known
        new = self.new_procedures.get(code)
        if new is None:
            name = self._text(name, "procedure_name", 500, required=False)
            if not name:
                raise RowError(
                    FIELD_LABELS["procedure_name"],
                    _("Unknown procedure: its name is needed."),
                )
            level = parse_level(str(level_cell or ""))
            if level is None:
                raise RowError(FIELD_LABELS["procedure_level"], _("Invalid level."))
            level = level or (ProcedureLevel.PROVINCE if unit_level == UnitLevel.PROVINCE else ProcedureLevel.COMMUNE)
            new = self.new_procedures[code] = (name, level)
        return new[1], None

    def parse(self, row_no: int, row: Sequence) -> tuple:
        (
            receipt,
            procedure_code,
            procedure_name,
            procedure_level,
            unit_code,
            unit_name,
            receiver,
            agency,
            channel,
            received_at,
            due_at,
            paused,
            finished_at,
            returned_at,
            status,
        ) = self.values(row)
        receipt = self._text(receipt, "receipt_number", 64)
        procedure_code, level, allowance, unit_id, province_id, agency_id, channel, status = self._row_kind(
            (procedure_code, procedure_name, procedure_level, unit_code, unit_name, receiver, agency, channel, status)
        )

        try:
            received_text, received_day = self._received[received_at]
            due_text, due_day = self._due[due_at]
            finished_text, finished_day = self._finished[finished_at]
            returned_text, returned_day = self._returned[returned_at]
        except TypeError:  # an unhashable cell value: no caching
            received_text, received_day = self._received.read(received_at)
            due_text, due_day = self._due.read(due_at)
            finished_text, finished_day = self._finished.read(finished_at)
            returned_text, returned_day = self._returned.read(returned_at)
        if paused is None:
            paused_days = 0
        else:
            try:
                paused_days = int(paused)
            except (TypeError, ValueError):
                raise RowError(FIELD_LABELS["paused_days"], _("Not a whole number.")) from None
            if not 0 <= paused_days <= 3650:
                raise RowError(FIELD_LABELS["paused_days"], _("Invalid number of days."))

        if due_day is None:
            if allowance is None:  # 0 days is an allowance (same-day procedures), not a missing one
                raise RowError(
                    FIELD_LABELS["due_at"],
                    _("No due date and no time limit for the procedure."),
                )
            due_day = self._working_day(received_day, allowance)
            due_text = self.parse_dt(f"{due_day:%d/%m/%Y} 17:00")[0]
        elif due_day < received_day:
            raise RowError(FIELD_LABELS["due_at"], _("Due before received."))
        effective_due = self._working_day(due_day, paused_days) if paused_days else due_day

        if not status:
            status = Status.FINISHED if finished_day else Status.IN_PROGRESS
        finished = status == Status.FINISHED
        if finished and finished_day is None:
            if returned_day is None:
                raise RowError(
                    FIELD_LABELS["finished_at"],
                    _("Finished but no result date."),
                )
            finished_text, finished_day = returned_text, returned_day
        if finished_day is not None and finished_day < received_day:
            raise RowError(FIELD_LABELS["finished_at"], _("Result before receipt."))
        if status in OPEN_STATUSES and finished_day is not None:
            raise RowError(
                FIELD_LABELS["status"],
                _("In progress but a result date is given."),
            )

        # Classification by calendar day in Asia/Ho_Chi_Minh.
        if finished:
            closed_day = finished_day
            outcome = (
                Outcome.EARLY
                if closed_day < effective_due
                else Outcome.ON_TIME
                if closed_day == effective_due
                else Outcome.LATE
            )
        elif status in CLOSED_WITHOUT_RESULT:
            closed_day = returned_day or finished_day or received_day
            outcome = Outcome.NONE
        else:
            closed_day = None
            outcome = Outcome.OVERDUE if effective_due < self.today else Outcome.PENDING
        day_after_due = effective_due + ONE_DAY
        overdue = closed_day > day_after_due if closed_day is not None else effective_due < self.today
        months = self._month
        service = self.service_facts(row, procedure_code, channel, closed_day, returned_day, due_day, effective_due)
        if finished:
            handling = self.handling(
                received_text, received_day, finished_text, finished_day, returned_text, returned_day
            )
        else:
            handling = NO_HANDLING
        return (
            row_no,
            receipt,
            procedure_code,
            level,
            unit_id,
            province_id,
            agency_id,
            channel,
            status,
            received_text,
            due_text,
            paused_days,
            finished_text,
            returned_text,
            self._iso[effective_due],
            self._iso[closed_day],
            outcome,
            months[received_day],
            months[closed_day],
            months[day_after_due] if overdue else None,
            *service,
            *handling,
        )

    def handling(self, received_text, received_day, finished_text, finished_day, returned_text, returned_day) -> tuple:
        """The handling time of a finished dossier, in HANDLING_FACTS order: from receipt to the end of
        processing, the first of processed and result returned (summaries.handling_facts_sql in SQL)."""
        second = self.second_of_day
        end = (finished_day, second(finished_text))
        if returned_text is not None:
            returned = (returned_day, second(returned_text))
            if returned < end:
                end = returned
        return self.clock.handling((received_day, second(received_text)), end)

    def service_facts(self, row: Sequence, procedure_code: str, channel: str, closed_day, returned_day, due_day,
                      effective_due) -> tuple:  # fmt: skip
        """The Decision 766 facts of a row, in SERVICE_STAGE_COLUMNS order; raises RowError.

        On time (766): the end of processing (the first of processed, result returned,
        stopped/refused/withdrawn) is not after the due day moved on by the days waited
        for the citizen's supplementation; more than one supplementation request is late.
        Without supplementation columns the export's paused days stand for the wait.
        Open dossiers are judged at the end of a period from the summaries' overdue stock.
        """
        if self._has_service:
            raw = self._service_read(row) if len(row) >= self._service_width else None
            try:
                facts = self._service_cache.get(raw) if raw is not None else None
            except TypeError:  # an unhashable cell value: no caching
                raw, facts = None, None
            if facts is None:
                try:
                    facts = self._service_cells(self._service_values(row))
                except RowError as error:
                    facts = error
                if raw is not None:
                    if len(self._service_cache) > 1 << 16:
                        self._service_cache.clear()
                    self._service_cache[raw] = facts
            if facts.__class__ is RowError:
                raise RowError(facts.column, facts.reason)
            count, waited, e_result, fee, paid, digitised, reused, vneid, complaint = facts
        else:
            count = waited = e_result = fee = paid = digitised = reused = vneid = complaint = None
        if closed_day is None:
            late = None
        else:
            end = returned_day if returned_day is not None and returned_day < closed_day else closed_day
            due = effective_due if waited is None else due_day + dt.timedelta(days=waited)
            late = end > due or (count is not None and count > 1)
        online = (channel == Channel.ONLINE_FULL or channel == Channel.ONLINE_PARTIAL) and (
            e_result is not False or procedure_code not in self.lookups.paper_results
        )
        return count, waited, late, online, e_result, fee, paid, digitised, reused, vneid, complaint

    def _service_values(self, row: Sequence) -> list:
        size = len(row)
        return [None if i is None or i >= size else _plain_cell(row[i]) for i in self._service_indexes]

    def _service_cells(self, cells: list) -> tuple:
        """The facts of the service cells alone (cached per distinct cells by `service_facts`)."""
        (count_cell, requested_cell, completed_cell, days_cell, e_result, fee, paid, digitised, reused, vneid,
         complaint) = cells  # fmt: skip
        count, waited = self._supplementation(count_cell, requested_cell, completed_cell, days_cell)
        e_result = self._flag(e_result, "e_result")
        fee = self._fee(fee)
        paid = self._payment(paid)
        if paid and fee is False:
            raise RowError(FIELD_LABELS["paid_online"], _("Paid online, but the procedure is free of charge."))
        digitised = self._flag(digitised, "digitised")
        reused = self._flag(reused, "reused")
        vneid = self._flag(vneid, "vneid")
        complaint = self._flag(complaint, "complaint")
        return count, waited, e_result, fee, paid, digitised, reused, vneid, complaint

    def _supplementation(self, count_cell, requested_cell, completed_cell, days_cell) -> tuple:
        """(requests, calendar days waited) — None where the export does not say."""
        count = waited = None
        columns = self.columns
        if "supplement_count" in columns:
            count = 0 if count_cell is None else self._whole(count_cell, "supplement_count", 99)
        if "supplement_days" in columns and days_cell is not None:
            waited = self._whole(days_cell, "supplement_days", 3650)
        requested = self._supplement_dates[0].read(requested_cell)[1]
        completed = self._supplement_dates[1].read(completed_cell)[1]
        if requested is not None:
            if count is None or count == 0:
                count = 1
            if completed is not None:
                if completed < requested:
                    raise RowError(
                        FIELD_LABELS["supplement_completed_at"],
                        _("Supplementation completed before it was requested."),
                    )
                waited = (completed - requested).days
        elif completed is not None:
            raise RowError(FIELD_LABELS["supplement_requested_at"], _("Supplementation completed but never requested."))
        if waited is None and ("supplement_days" in columns or "supplement_requested_at" in columns):
            waited = 0
        return count, waited

    def _whole(self, value, name: str, maximum: int) -> int:
        try:
            number = int(float(value)) if isinstance(value, float) else int(value)
        except (TypeError, ValueError):
            raise RowError(FIELD_LABELS[name], _("Not a whole number.")) from None
        if not 0 <= number <= maximum:
            raise RowError(FIELD_LABELS[name], _("Invalid number."))
        return number

    def _flag(self, value, name: str) -> bool | None:
        """A yes/no cell of a column the export has: an empty cell is "no"; an absent column is None."""
        if name not in self.columns:
            return None
        answer = parse_flag(value)
        if answer is None:
            raise RowError(FIELD_LABELS[name], _("Expected yes or no."))
        return answer

    def _fee(self, value) -> bool | None:
        if "fee_bearing" not in self.columns:
            return None
        if isinstance(value, int | float) and not isinstance(value, bool):
            return value > 0
        text = str(value or "").replace(".", "").replace(",", "").strip()
        if text.isdigit():
            return int(text) > 0
        if "mien" in fold(text):  # "Miễn phí": free of charge
            return False
        return self._flag(value, "fee_bearing")

    def _payment(self, value) -> bool | None:
        if "paid_online" not in self.columns:
            return None
        answer = parse_payment(value)
        if answer is None:
            raise RowError(FIELD_LABELS["paid_online"], _("Unknown payment channel."))
        return answer
