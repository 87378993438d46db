"""Kept for imports written before the move: the mechanism is `cchc_portal.scoping`."""

from cchc_portal.scoping import (  # noqa: F401
    EVERYTHING,
    NOTHING,
    ProvinceScopedQuerySet,
    Scope,
    primary_province_id,
    scope_for,
)
