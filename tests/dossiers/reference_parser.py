"""The row parser of the dossier import as first written, straightforward and slow.

`dossiers.importing.RowParser` was tuned for speed (cells read in one go, more caches);
this copy of the original code is the reference it must agree with, row by row
(see test_row_parser_equivalence.py). Do not "improve" it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.utils.translation import gettext as _

from cchc_portal.lib.workdays import add_working_days
from dossiers.importing import (
    BAD_TEXT,
    FIELD_LABELS,
    FIELDS,
    Lookups,
    RowError,
    Scope,
    folded_cached,
    make_datetime_parser,
    parse_channel,
    parse_level,
    parse_status,
)
from dossiers.models import Outcome, ProcedureLevel, Status
from provinces.models import UnitLevel


class ReferenceRowParser:
    """`dossiers.importing.RowParser` as first written (cell by cell, before it was tuned for speed)."""

    def __init__(self, lookups: Lookups, columns: dict[str, int], scope: Scope, backend: str, today: dt.date):
        self.lookups = lookups
        self.columns = columns
        self.scope = scope
        self.today = today
        self.latest_allowed = today + dt.timedelta(days=1)
        self.parse_dt = make_datetime_parser(backend)  # unchanged by the tuning: shared
        self.new_procedures: dict[str, tuple[str, str]] = {}
        self._due_cache: dict[tuple[dt.date, int], dt.date] = {}
        self._month_cache: dict[dt.date, str] = {}
        self.getters = {name: columns.get(name) for name in FIELDS}
        self._date_cache: dict[str, dict] = {
            name: {} for name in ("received_at", "due_at", "finished_at", "returned_at")
        }
        self._unit_cache: dict[tuple, tuple | RowError] = {}
        self._unit_fields = tuple(columns.get(name) for name in ("unit_code", "unit_name", "receiver", "agency"))

    def _cell(self, row: Sequence, name: str):
        index = self.getters[name]
        if index is None or index >= len(row):
            return None
        value = row[index]
        if value.__class__ is str:  # the common case (every CSV cell)
            value = value.strip()
            return value or None
        if value is None:
            return None
        if isinstance(value, str):
            value = value.strip()
            return value or None
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        if isinstance(value, int):
            return str(value)
        return value

    def _date(self, row, name: str, required: bool = False):
        """(staging text, local day) of a date cell; results (and errors) cached per distinct cell value."""
        value = self._cell(row, name)
        try:
            cached = self._date_cache[name].get(value)
        except TypeError:  # an unhashable cell value: no caching
            return self._date_uncached(value, name, required)
        if cached is None:
            if len(self._date_cache[name]) > 1 << 17:
                self._date_cache[name].clear()
            try:
                cached = self._date_uncached(value, name, required)
            except RowError as error:
                cached = error
            self._date_cache[name][value] = cached
        if cached.__class__ is RowError:
            raise RowError(cached.column, cached.reason)
        return cached

    def _date_uncached(self, value, name: str, required: bool):
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

    def _month(self, day: dt.date | None) -> str | None:
        if day is None:
            return None
        month = self._month_cache.get(day)
        if month is None:
            month = self._month_cache[day] = day.replace(day=1).isoformat()
        return month

    def _working_day(self, start: dt.date, days: int) -> dt.date:
        key = (start, days)
        result = self._due_cache.get(key)
        if result is None:
            result = self._due_cache[key] = add_working_days(start, days, self.lookups.holidays)
        return result

    def _text(self, row, name: str, max_length: int, required: bool = True) -> str | None:
        value = self._cell(row, name)
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

    def _resolve_unit(self, row) -> tuple[int, int, str, int | None]:
        """Resolve the receiving unit and agency; cached per distinct (unit, receiver, agency) cells."""
        try:
            key = tuple(None if i is None or i >= len(row) else row[i] for i in self._unit_fields)
            cached = self._unit_cache.get(key)
        except TypeError:  # an unhashable cell value: no caching
            return self._resolve_unit_uncached(row)
        if cached is None:
            if len(self._unit_cache) > 1 << 16:
                self._unit_cache.clear()
            try:
                cached = self._resolve_unit_uncached(row)
            except RowError as error:
                cached = error
            self._unit_cache[key] = cached
        if cached.__class__ is RowError:
            raise RowError(cached.column, cached.reason)
        return cached

    def _resolve_unit_uncached(self, row) -> tuple[int, int, str, int | None]:
        lookups = self.lookups
        unit = None
        code = self._cell(row, "unit_code")
        if code is not None:
            code = str(code)
            level = UnitLevel.PROVINCE if len(code) <= 2 else UnitLevel.COMMUNE
            unit = lookups.units_by_code.get(f"{level}:{code.zfill(2 if level == UnitLevel.PROVINCE else 5)}")
            if unit is None:
                raise RowError(FIELD_LABELS["unit_code"], _("No unit with this code."))
        agency_text = self._cell(row, "agency")
        receiver_text = self._cell(row, "receiver")
        if unit is None:
            for text, column in ((self._cell(row, "unit_name"), "unit_name"), (receiver_text, "receiver")):
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

    def parse(self, row_no: int, row: Sequence) -> tuple:
        receipt = self._text(row, "receipt_number", 64)
        procedure_code = self._text(row, "procedure_code", 50)
        unit_id, province_id, unit_level, agency_id = self._resolve_unit(row)

        known = self.lookups.procedures.get(procedure_code)
        if known is None:
            new = self.new_procedures.get(procedure_code)
            if new is None:
                name = self._text(row, "procedure_name", 500, required=False)
                if not name:
                    raise RowError(
                        FIELD_LABELS["procedure_name"],
                        _("Unknown procedure: its name is needed."),
                    )
                level = parse_level(str(self._cell(row, "procedure_level") or ""))
                if level is None:
                    raise RowError(FIELD_LABELS["procedure_level"], _("Invalid level."))
                level = level or (
                    ProcedureLevel.PROVINCE if unit_level == UnitLevel.PROVINCE else ProcedureLevel.COMMUNE
                )
                self.new_procedures[procedure_code] = (name, level)
                new = (name, level)
            level, allowance = new[1], None
        else:
            level, allowance = known

        channel = parse_channel(str(self._cell(row, "channel") or ""))
        if channel is None:
            raise RowError(FIELD_LABELS["channel"], _("Unknown channel."))
        status = parse_status(str(self._cell(row, "status") or ""))
        if status is None:
            raise RowError(FIELD_LABELS["status"], _("Unknown status."))

        received_text, received_day = self._date(row, "received_at", required=True)
        due_text, due_day = self._date(row, "due_at")
        finished_text, finished_day = self._date(row, "finished_at")
        returned_text, returned_day = self._date(row, "returned_at")
        paused = self._cell(row, "paused_days")
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
            if allowance is None:
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
        if status == Status.FINISHED and finished_day is None:
            if returned_day is None:
                raise RowError(
                    FIELD_LABELS["finished_at"],
                    _("Finished but no result date."),
                )
            finished_text, finished_day = returned_text, returned_day
        if finished_day is not None and finished_day < received_day:
            raise RowError(FIELD_LABELS["finished_at"], _("Result before receipt."))
        if status in (Status.IN_PROGRESS, Status.PAUSED) and finished_day is not None:
            raise RowError(
                FIELD_LABELS["status"],
                _("In progress but a result date is given."),
            )

        # Classification by calendar day in Asia/Ho_Chi_Minh.
        overdue_month = None
        if status == Status.FINISHED:
            closed_day = finished_day
            outcome = (
                Outcome.EARLY
                if closed_day < effective_due
                else Outcome.ON_TIME
                if closed_day == effective_due
                else Outcome.LATE
            )
        elif status in (Status.REJECTED, Status.WITHDRAWN):
            closed_day = returned_day or finished_day or received_day
            outcome = Outcome.NONE
        else:
            closed_day = None
            outcome = Outcome.OVERDUE if effective_due < self.today else Outcome.PENDING
        day_after_due = effective_due + dt.timedelta(days=1)
        if (closed_day is None and effective_due < self.today) or (
            closed_day is not None and closed_day > day_after_due
        ):
            overdue_month = self._month(day_after_due)
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
            effective_due.isoformat(),
            closed_day.isoformat() if closed_day else None,
            outcome,
            self._month(received_day),
            self._month(closed_day),
            overdue_month,
        )
