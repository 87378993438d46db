"""One action: a province's commune people's committees (from 1 July 2025) from the unit registry."""

from __future__ import annotations

from django.db import transaction

from audit.log import record_change
from audit.models import AuditAction, AuditSource
from provinces.models import REORGANISATION_DATE, AdministrativeUnit, Agency, AgencyKind


def commune_committees_create(province: AdministrativeUnit, *, actor=None, source=AuditSource.COMMAND) -> int:
    """Create "Ủy ban nhân dân <commune>" for each current commune that has none yet. Idempotent."""
    communes = AdministrativeUnit.objects.communes().current().filter(province=province).order_by("code")
    has_committee = set(
        Agency.objects.current()
        .filter(province=province, kind=AgencyKind.COMMUNE_COMMITTEE)
        .values_list("commune_id", flat=True)
    )
    created = 0
    with transaction.atomic():
        for commune in communes:
            if commune.pk in has_committee:
                continue
            agency = Agency(
                province=province,
                commune=commune,
                kind=AgencyKind.COMMUNE_COMMITTEE,
                name=f"Ủy ban nhân dân {commune.name}",
                valid_from=max(commune.valid_from or REORGANISATION_DATE, REORGANISATION_DATE),
            )
            agency.full_clean()
            agency.save()
            record_change(agency, actor=actor, action=AuditAction.CREATE, after={"name": agency.name},
                          source=source, note="commune committees from the unit registry")  # fmt: skip
            created += 1
    return created
