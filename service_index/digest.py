"""The weekly 766 digest to each province's leaders and administrators (Mondays).

The same facts as the leader's dashboard block: the province's score and its change
from the previous month, the five weakest departments, the communes below 80% and
between 80% and 90% of the maximum. Sent through `notifications.notify`, keyed by
ISO week and province, so a rerun (or a second worker) never sends twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import override

from cchc_portal.lib.numbers import format_decimal, format_percent
from cchc_portal.lib.workdays import add_months
from dossiers.models import DossierSummary, local_today
from notifications.notify import notify
from provinces.models import AdministrativeUnit

from .figures import Period, score, unit_sums
from .models import Methodology

DIGEST_KIND = "service_index_digest"


@dataclass
class Facts:
    """What a leader sees of the province's 766 picture for a month."""

    period: Period
    share: Decimal | None = None
    total: Decimal | None = None
    available: Decimal | None = None
    change: Decimal | None = None
    weakest_agencies: list[dict] = field(default_factory=list)
    communes_below_80: list[dict] = field(default_factory=list)
    communes_80_90: list[dict] = field(default_factory=list)


def province_facts(province: AdministrativeUnit, day: dt.date, summaries=None) -> Facts:
    """The facts of the month containing `day`; the change is in percentage points of the maximum."""
    from .views import unit_rows

    period = Period.containing("month", day)
    previous = Period.containing("month", add_months(period.first, -1))
    methodology = Methodology.objects.prefetch_related("groups__indicators").in_force(period.last)
    summaries = (DossierSummary.objects.all() if summaries is None else summaries).filter(province=province)
    current = score(methodology, unit_sums(summaries, period))
    before = score(methodology, unit_sums(summaries, previous))
    facts = Facts(period, current["share"], current["total"], current["available"])
    if current["share"] is not None and before["share"] is not None:
        facts.change = current["share"] - before["share"]
    agencies = [r for r in unit_rows(province, summaries, period, methodology, "agency") if r["rank"]]
    facts.weakest_agencies = list(reversed(agencies[-5:]))
    for row in unit_rows(province, summaries, period, methodology, "commune"):
        share = row["score"]["share"]
        if share is None:
            continue
        if share < 80:
            facts.communes_below_80.append(row)
        elif share < 90:
            facts.communes_80_90.append(row)
    return facts


def _body(facts: Facts) -> str:
    def names(rows: list[dict]) -> str:
        return ", ".join(f"{r['name']} ({format_percent(r['score']['share'])})" for r in rows) or "–"

    lines = [
        _("Score: %(total)s of %(available)s (%(share)s of the maximum the dossier data can give; computed).")
        % {
            "total": format_decimal(facts.total),
            "available": format_decimal(facts.available),
            "share": format_percent(facts.share),
        },
        _("Change from the previous month: %(change)s points.")
        % {"change": "–" if facts.change is None else f"{facts.change:+.2f}".replace(".", ",")},
        _("Five weakest departments: %(names)s.") % {"names": names(facts.weakest_agencies)},
        _("Communes below 80%% of the maximum: %(names)s.") % {"names": names(facts.communes_below_80)},
        _("Communes between 80%% and 90%% of the maximum: %(names)s.") % {"names": names(facts.communes_80_90)},
    ]
    return "\n".join(lines)


def recipients(province: AdministrativeUnit):
    from accounts.models import Role

    return (
        get_user_model()
        .objects.filter(is_active=True, role__in=[Role.LEADER, Role.PROVINCE_ADMIN], units=province)
        .distinct()
    )


def send_weekly_digest(today: dt.date | None = None) -> int:
    """Notify every province's leaders and administrators once per ISO week; returns the notifications created."""
    today = today or local_today()
    year, week, _weekday = today.isocalendar()
    day = today - dt.timedelta(days=1)  # the figures up to yesterday
    sent = 0
    provinces = AdministrativeUnit.objects.provinces().filter(
        valid_to__isnull=True, pk__in=DossierSummary.objects.values("province_id")
    )
    for province in provinces:
        users = list(recipients(province))
        if not users:
            continue
        facts = province_facts(province, day)
        if facts.share is None:
            continue
        url = f"{reverse('service_index:page')}?province={province.code}&period={facts.period.code}"
        with override("vi"):
            title = _("Service index %(period)s — %(province)s: %(share)s of the maximum") % {
                "period": facts.period.label,
                "province": province.name,
                "share": format_percent(facts.share),
            }
            body = _body(facts)
        sent += len(
            notify(users, kind=DIGEST_KIND, title=title, url=url, body=body,
                   dedupe_key=f"service-index-digest:{year}-W{week:02d}:{province.pk}")
        )  # fmt: skip
    return sent
