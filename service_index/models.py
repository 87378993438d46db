"""The service index of Decision 766/QĐ-TTg as versioned data: methodologies, groups, indicators.

A change of methodology (new groups, maxima, thresholds) is a new `Methodology` row with
its groups and indicators, not a code change. The figures themselves come from the
dossier summaries (`service_index.figures`), which this app reads (documented link:
`dossiers` is below it).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class MethodologyQuerySet(models.QuerySet):
    def in_force(self, day: dt.date) -> Methodology | None:
        """The methodology in force on `day`: the latest one that started on or before it."""
        return self.filter(valid_from__lte=day).order_by("-valid_from").first()


class Methodology(models.Model):
    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=300)
    source = models.TextField(_("source"), help_text=_("The decision or guidance the structure comes from."))
    valid_from = models.DateField(_("in force from"), unique=True)
    notes = models.TextField(_("notes"), blank=True)

    objects = MethodologyQuerySet.as_manager()

    class Meta:
        verbose_name = _("service index methodology")
        verbose_name_plural = _("service index methodologies")
        ordering = ["-valid_from"]

    def __str__(self) -> str:
        return self.name

    @property
    def max_points(self) -> Decimal:
        return sum((group.max_points for group in self.groups.all()), Decimal(0))


class IndexGroup(models.Model):
    methodology = models.ForeignKey(Methodology, on_delete=models.CASCADE, related_name="groups")
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    # The national portal's own header for the group (its published figures' files).
    portal_header = models.CharField(_("header on the national portal"), max_length=200)
    max_points = models.DecimalField(_("maximum points"), max_digits=5, decimal_places=2)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("indicator group")
        verbose_name_plural = _("indicator groups")
        ordering = ["methodology", "order"]
        constraints = [
            models.UniqueConstraint(fields=["methodology", "code"], name="service_group_code_unique"),
            models.CheckConstraint(condition=Q(max_points__gt=0), name="service_group_max_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class Formula(models.TextChoices):
    """How an indicator's rate is computed from the dossier summaries (service_index.figures)."""

    ON_TIME = "on_time", _("Dossiers handled on time")
    ONLINE_SHARE = "online_share", _("Dossiers received online")
    ONLINE_PAYMENT = "online_payment", _("Fee-bearing dossiers paid online")
    E_RESULTS = "e_results", _("Results issued electronically")
    DIGITISED = "digitised", _("Dossiers digitised")
    REUSE = "reuse", _("Digitised data reused")
    SATISFACTION = "satisfaction", _("Satisfaction with the handling of procedures")
    IMPORTED = "imported", _("From the national portal (imported)")


class Indicator(models.Model):
    group = models.ForeignKey(IndexGroup, on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=300)
    formula = models.CharField(_("formula"), max_length=20, choices=Formula.choices)
    max_points = models.DecimalField(_("maximum points"), max_digits=5, decimal_places=2)
    threshold = models.DecimalField(
        _("full marks from (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Empty: points are linear in the rate (rate × maximum)."),
    )
    threshold_confirmed = models.BooleanField(
        _("threshold confirmed"),
        default=False,
        help_text=_("Unticked: the published threshold is not known; scored linearly, to be confirmed."),
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["group__order", "order"]
        constraints = [
            models.UniqueConstraint(fields=["group", "code"], name="service_indicator_code_unique"),
            models.CheckConstraint(
                condition=Q(threshold__isnull=True) | Q(threshold__gt=0, threshold__lte=100),
                name="service_indicator_threshold_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def points(self, rate: Decimal | None) -> Decimal | None:
        """Points for a rate in percent: full marks from the threshold, linear below it; None for no data."""
        if rate is None:
            return None
        rate = min(max(Decimal(rate), Decimal(0)), Decimal(100))
        full = self.threshold or Decimal(100)
        share = min(rate / full, Decimal(1))
        return (self.max_points * share).quantize(Decimal("0.01"))


class PublishedScoreQuerySet(models.QuerySet):
    def for_user(self, user):
        from accounts.scoping import scope_for

        scope = scope_for(user)
        if scope.all:
            return self
        return self.filter(province_id__in=scope.province_ids)


class PublishedScore(models.Model):
    """A unit's figures as the national public-service portal publishes them for a period (imported).

    One row per (period, unit) or (period, department): the province itself, a commune,
    or a department. Shown beside the computed figures, marked as imported.
    """

    province = models.ForeignKey(
        "provinces.AdministrativeUnit", verbose_name=_("province"), on_delete=models.PROTECT, related_name="+"
    )
    period = models.CharField(_("period"), max_length=8, help_text=_("2026-08, 2026-Q3, 2026-H1 or 2026."))
    unit = models.ForeignKey(
        "provinces.AdministrativeUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    agency = models.ForeignKey("provinces.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    group_points = models.JSONField(_("points per group"), default=dict, help_text=_("Group code → points."))
    total = models.DecimalField(_("total"), max_digits=6, decimal_places=2, null=True, blank=True)
    on_time_rate = models.DecimalField(_("on-time rate (%)"), max_digits=5, decimal_places=2, null=True, blank=True)
    online_rate = models.DecimalField(_("online rate (%)"), max_digits=5, decimal_places=2, null=True, blank=True)
    dossiers = models.PositiveIntegerField(_("dossiers"), null=True, blank=True)
    source_name = models.CharField(_("file"), max_length=255, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    imported_at = models.DateTimeField(_("imported at"), auto_now=True)

    objects = PublishedScoreQuerySet.as_manager()

    class Meta:
        verbose_name = _("published service index figure")
        verbose_name_plural = _("published service index figures")
        constraints = [
            models.CheckConstraint(
                condition=Q(unit__isnull=True) ^ Q(agency__isnull=True), name="published_score_unit_or_agency"
            ),
            models.UniqueConstraint(
                fields=["period", "unit"], condition=Q(unit__isnull=False), name="published_score_unit_unique"
            ),
            models.UniqueConstraint(
                fields=["period", "agency"], condition=Q(agency__isnull=False), name="published_score_agency_unique"
            ),
            models.CheckConstraint(
                condition=Q(on_time_rate__isnull=True) | Q(on_time_rate__gte=0, on_time_rate__lte=100),
                name="published_score_on_time_rate_range",
            ),
            models.CheckConstraint(
                condition=Q(online_rate__isnull=True) | Q(online_rate__gte=0, online_rate__lte=100),
                name="published_score_online_rate_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.unit_id or ''}{self.agency_id or ''}"
