"""Name indexes of agencies and units for the importers, with former names and successors.

Built by `Agency.objects.name_index(...)` and `AdministrativeUnit.objects.name_index(...)`
with the rules of `cchc_portal.lib.imports.names` (see docs/imports.md).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from cchc_portal.lib.imports.names import NameIndex, agency_core, is_collective, name_key, unit_core
from cchc_portal.lib.text import fold


@dataclass
class NameMatch:
    """The outcome of matching one name.

    `found`: the agency or unit to use (None when not found or ambiguous);
    `former`: the former agency or unit the name designated, when `found` is its successor;
    `candidates`: the names to offer (ambiguity, or suggestions when nothing matched);
    `collective`: the name designates a group ("UBND cấp xã"), never one body.
    """

    found: object | None = None
    former: object | None = None
    candidates: list = field(default_factory=list)
    ambiguous: bool = False
    collective: bool = False


def _current_on(item, day: dt.date | None) -> bool:
    if day is None:
        return item.valid_to is None
    return (item.valid_from is None or item.valid_from <= day) and (item.valid_to is None or item.valid_to >= day)


class _SuccessionIndex:
    """Shared lookup: a name → its candidates, a former one → its single successor."""

    def __init__(self, items: list, successors: dict[int, list[int]], core, on: dt.date | None):
        self.by_id = {item.pk: item for item in items}
        self.successors = successors
        self.on = on
        self.index = NameIndex(core=core)

    def _names(self, item) -> list[str]:
        raise NotImplementedError

    def build(self) -> None:
        for item in self.by_id.values():
            self.index.add(item.pk, self._names(item), label=item.name)

    def _successor(self, pk: int, seen: set | None = None) -> int | None:
        """The single current successor of a former item, following a chain of mergers."""
        seen = seen or set()
        if pk in seen:
            return None
        seen.add(pk)
        nexts = self.successors.get(pk, [])
        if len(nexts) != 1:
            return None
        successor = nexts[0]
        if successor not in self.by_id:
            return None
        if self._is_current(self.by_id[successor]):
            return successor
        return self._successor(successor, seen)

    def match(self, text: str, allow=None) -> NameMatch:
        if is_collective(text):
            return NameMatch(collective=True)
        ids = [pk for pk in self.index.lookup(text) if allow is None or allow(self.by_id[pk])]
        current = [pk for pk in ids if self._is_current(self.by_id[pk])]
        if len(current) == 1:
            return NameMatch(found=self.by_id[current[0]])
        if len(current) > 1:
            return NameMatch(candidates=[self.by_id[pk] for pk in current], ambiguous=True)
        if ids:
            # Only former names: follow the succession records to the body that took over.
            successors = {pk: self._successor(pk) for pk in ids}
            targets = {s for s in successors.values() if s is not None}
            if len(targets) == 1:
                (target,) = targets
                former = next(pk for pk, s in successors.items() if s == target)
                return NameMatch(found=self.by_id[target], former=self.by_id[former])
            if len(targets) > 1:
                return NameMatch(candidates=[self.by_id[pk] for pk in sorted(targets)], ambiguous=True)
            merged_into = [self.by_id[s] for pk in ids for s in self.successors.get(pk, []) if s in self.by_id]
            if merged_into:
                return NameMatch(candidates=merged_into, ambiguous=True, former=self.by_id[ids[0]])
        return NameMatch(candidates=self.suggest(text, allow=allow))

    def suggest(self, text: str, n: int = 3, allow=None) -> list:
        def usable(pk) -> bool:
            item = self.by_id[pk]
            return self._is_current(item) and (allow is None or allow(item)) and self._same_kind(text, item)

        return [self.by_id[pk] for pk in self.index.suggest(text, n=n, allow=usable)]

    def _same_kind(self, text: str, item) -> bool:
        return True

    def _is_current(self, item) -> bool:
        return _current_on(item, self.on)


class AgencyIndex(_SuccessionIndex):
    """A province's agencies, current and former, for one date (None: today's agencies)."""

    def __init__(self, province, on: dt.date | None = None):
        from .models import Agency, AgencySuccession

        self.province = province
        self.province_words = fold(province.short_name) if province is not None else ""
        agencies = list(Agency.objects.filter(province=province).order_by("valid_to", "name"))
        successors: dict[int, list[int]] = {}
        for predecessor, successor in AgencySuccession.objects.filter(predecessor__province=province).values_list(
            "predecessor_id", "successor_id"
        ):
            successors.setdefault(predecessor, []).append(successor)
        super().__init__(agencies, successors, lambda key: agency_core(key, self.province_words), on)
        self.build()

    def _names(self, agency) -> list[str]:
        return [agency.name, agency.short_name, *agency.alias_list()]

    def _same_kind(self, text: str, agency) -> bool:
        """A department's name is never offered a commune, nor a commune's name a department."""
        from .models import AgencyKind

        key = name_key(text)
        commune_words = ("xa ", "phuong ", "thi tran ", "dac khu ", "uy ban nhan dan xa ", "uy ban nhan dan phuong ")
        wants_commune = key.startswith(commune_words)
        is_commune = agency.kind == AgencyKind.COMMUNE_COMMITTEE
        return wants_commune == is_commune


class UnitIndex(_SuccessionIndex):
    """Units (with their former names through UnitSuccession) for one date (None: today's units)."""

    def __init__(self, units, on: dt.date | None = None):
        from .models import AdministrativeUnit, UnitSuccession

        units = list(units)
        ids = {u.pk for u in units}
        successions = list(
            UnitSuccession.objects.filter(successor_id__in=ids).values_list("predecessor_id", "successor_id")
        )
        former_ids = {p for p, _s in successions} - ids
        formers = list(AdministrativeUnit.objects.filter(pk__in=former_ids)) if former_ids else []
        successors: dict[int, list[int]] = {}
        for predecessor, successor in successions:
            successors.setdefault(predecessor, []).append(successor)
        super().__init__(units + formers, successors, unit_core, on)
        self.current_ids = ids
        self.build()

    def _names(self, unit) -> list[str]:
        return [unit.name, unit.short_name]

    def _is_current(self, unit) -> bool:
        return unit.pk in self.current_ids


def agency_name_index(province, on: dt.date | None = None) -> AgencyIndex:
    return AgencyIndex(province, on)


def unit_name_index(units, on: dt.date | None = None) -> UnitIndex:
    return UnitIndex(units, on)
