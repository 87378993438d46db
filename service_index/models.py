"""The service index of Decision 766/QĐ-TTg as versioned data: methodologies, groups, indicators.

A change of methodology (new groups, maxima, thresholds) is a new `Methodology` row with
its groups and indicators, not a code change. The figures themselves come from the
dossier summaries (`service_index.figures`), which this app reads (documented link:
`dossiers` is below it).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

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
