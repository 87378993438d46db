"""All reference data in one idempotent step: units and lineage, methodologies, regions, holidays."""

from __future__ import annotations

import importlib
import time

from django.db import transaction


def reference_load(*, stdout=None) -> dict[str, int]:
    from dossiers.apps import SHIPPED_HOLIDAYS
    from dossiers.models import Holiday
    from indices.reference import load_methodologies
    from provinces.reference import load_reference_units

    counts: dict[str, int] = {}

    def step(name, func):
        started = time.monotonic()
        result = func()
        counts.update({f"{name}.{key}": value for key, value in result.items()})
        if stdout is not None:
            stdout.write(f"{name}: {result} ({time.monotonic() - started:.1f} s)")

    step("units", load_reference_units)
    step("indices", load_methodologies)
    # The shipped holidays (a data migration); an operator's later edits are kept, missing days re-added.
    shipped = importlib.import_module(SHIPPED_HOLIDAYS).HOLIDAYS

    def holidays():
        with transaction.atomic():
            created = sum(Holiday.objects.get_or_create(date=day, defaults={"name": name})[1] for day, name in shipped)
        return {"created": created, "total": Holiday.objects.count()}

    step("holidays", holidays)
    return counts
