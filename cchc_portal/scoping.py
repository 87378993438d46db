"""The one scoping mechanism: what a user may see, by role and units.

Every model that belongs to a province exposes `QuerySet.for_user(user)`, built
on `scope_for(user)`; views, API views, exports and admin lists all call it, so
a row outside the user's scope is simply not found (404).

It lives in the project layer (below `audit`, `provinces` and `accounts`) so that
every app can import it without an import cycle: it reads the user's units and
agencies through the user object's relations and never imports an app.

Commune-scoped users: a user attached to a commune (and not to its province)
sees and edits the rows of that commune only (its plan, tasks, dossiers and
figures). The commune's province is in `published_province_ids`: its published
results (dashboards, rankings) are readable, nothing of the province is writable.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import models
from django.db.models import Q

# Values of provinces.models.UnitLevel (not imported: provinces sits above this module).
PROVINCE_LEVEL = "province"
COMMUNE_LEVEL = "commune"


@dataclass(frozen=True)
class Scope:
    all: bool = False
    # Provinces the user works for as a whole (attached to the province unit, or to a province agency).
    province_ids: frozenset[int] = field(default_factory=frozenset)
    # Communes the user is attached to without their province.
    commune_ids: frozenset[int] = field(default_factory=frozenset)
    agency_ids: frozenset[int] = field(default_factory=frozenset)
    # Provinces whose published results the user reads (their own, and their communes' provinces).
    published_province_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def unit_ids(self) -> frozenset[int]:
        """Units whose own rows the user sees: whole provinces and their communes."""
        return self.province_ids | self.commune_ids


NOTHING = Scope()
EVERYTHING = Scope(all=True)


def scope_for(user) -> Scope:
    """The user's scope, computed once per user object (two small queries)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NOTHING
    cached = getattr(user, "_cchc_scope", None)
    if cached is not None:
        return cached
    if user.is_national_admin:
        scope = EVERYTHING
    else:
        province_ids: set[int] = set()
        commune_ids: set[int] = set()
        published: set[int] = set()
        for pk, level, province_id in user.units.values_list("pk", "level", "province_id"):
            if level == PROVINCE_LEVEL:
                province_ids.add(pk)
            elif level == COMMUNE_LEVEL:
                commune_ids.add(pk)
                published.add(province_id)
        agency_ids: set[int] = set()
        for pk, province_id, commune_id in user.agencies.values_list("pk", "province_id", "commune_id"):
            agency_ids.add(pk)
            if commune_id is None:
                province_ids.add(province_id)
            else:
                commune_ids.add(commune_id)
                published.add(province_id)
        # A commune inside a province the user already has adds nothing.
        scope = Scope(
            province_ids=frozenset(province_ids),
            commune_ids=frozenset(commune_ids),
            agency_ids=frozenset(agency_ids),
            published_province_ids=frozenset(province_ids | published),
        )
    user._cchc_scope = scope
    return scope


def primary_province_id(user) -> int | None:
    """The province a user's home page and dashboards open on."""
    scope = scope_for(user)
    if not scope.published_province_ids:
        return None
    return min(scope.province_ids or scope.published_province_ids)


def home_unit_id(user) -> int | None:
    """The unit whose own records the user keeps: their province, or a commune-scoped user's commune."""
    scope = scope_for(user)
    if scope.province_ids:
        return min(scope.province_ids)
    return min(scope.commune_ids, default=None)


class ProvinceScopedQuerySet(models.QuerySet):
    """Rows owned by a province through a `province` foreign key.

    `commune_field` names a commune foreign key: users scoped to a commune see
    that commune's rows (and only those).
    """

    province_field: str = "province_id"
    commune_field: str | None = None

    def for_user(self, user):
        scope = scope_for(user)
        if scope.all:
            return self
        condition = Q(**{f"{self.province_field}__in": scope.province_ids})
        if self.commune_field and scope.commune_ids:
            condition |= Q(**{f"{self.commune_field}__in": scope.commune_ids})
        return self.filter(condition)
