"""The one scoping mechanism: what a user may see, by role and units.

Every model that belongs to a province exposes `QuerySet.for_user(user)`, built
on `scope_for(user)`; views, API views, exports and admin lists all call it, so
a row outside the user's scope is simply not found (404).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import models
from django.db.models import Q


@dataclass(frozen=True)
class Scope:
    all: bool = False
    province_ids: frozenset[int] = field(default_factory=frozenset)
    commune_ids: frozenset[int] = field(default_factory=frozenset)
    agency_ids: frozenset[int] = field(default_factory=frozenset)


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
        from provinces.models import UnitLevel

        province_ids: set[int] = set()
        commune_ids: set[int] = set()
        for pk, level, province_id in user.units.values_list("pk", "level", "province_id"):
            if level == UnitLevel.PROVINCE:
                province_ids.add(pk)
            else:
                province_ids.add(province_id)
                if level == UnitLevel.COMMUNE:
                    commune_ids.add(pk)
        agency_ids: set[int] = set()
        for pk, province_id in user.agencies.values_list("pk", "province_id"):
            agency_ids.add(pk)
            province_ids.add(province_id)
        scope = Scope(
            province_ids=frozenset(province_ids),
            commune_ids=frozenset(commune_ids),
            agency_ids=frozenset(agency_ids),
        )
    user._cchc_scope = scope
    return scope


def primary_province_id(user) -> int | None:
    """The province a user's home page and dashboards open on."""
    scope = scope_for(user)
    if not scope.province_ids:
        return None
    return min(scope.province_ids)


class ProvinceScopedQuerySet(models.QuerySet):
    """Rows owned by a province through a `province` foreign key.

    `commune_field` names a commune foreign key: users scoped to a commune also
    see that commune's rows.
    """

    commune_field: str | None = None

    def for_user(self, user):
        scope = scope_for(user)
        if scope.all:
            return self
        condition = Q(province_id__in=scope.province_ids)
        if self.commune_field:
            condition |= Q(**{f"{self.commune_field}__in": scope.commune_ids})
        return self.filter(condition)
