"""Index methodologies (versioned component trees), scores and computed rankings.

An `Index` (PAR INDEX, SIPAS, PAPI, or a province's own index for its
departments or communes) has one `Edition` per year. Each edition carries its
own component tree, because methodologies change almost every year
(domain notes): nothing about a particular index lives in code.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from provinces.models import LAST_DAY_BEFORE_REORGANISATION, REORGANISATION_DATE

# Results up to the 2024 edition are by the 63 old provinces; from 2025 by the 34 new ones.
FIRST_YEAR_AFTER_REORGANISATION = 2025
SCORE_DIGITS = 9
SCORE_PLACES = 4


class SubjectLevel(models.TextChoices):
    PROVINCE = "province", _("Provinces")
    AGENCY = "agency", _("Departments and agencies")
    COMMUNE = "commune", _("Communes")


class Aggregation(models.TextChoices):
    SUM = "sum", _("Sum of its components")
    MEAN = "mean", _("Mean of its components")
    GIVEN = "given", _("Given, never computed")


class ComponentKind(models.TextChoices):
    AREA = "area", _("Area (lĩnh vực)")
    CRITERION = "criterion", _("Criterion (tiêu chí)")
    SUB_CRITERION = "sub_criterion", _("Sub-criterion (tiêu chí thành phần)")
    DIMENSION = "dimension", _("Dimension")
    SUB_DIMENSION = "sub_dimension", _("Sub-dimension")
    ASPECT = "aspect", _("Aspect")
    ELEMENT = "element", _("Element")
    COMPONENT = "component", _("Component")


# --- regions ---------------------------------------------------------------------


class Region(models.Model):
    """One of Vietnam's 6 socio-economic regions (as data: indices/data/regions.csv)."""

    code = models.CharField(_("code"), max_length=10, unique=True)
    name_vi = models.CharField(_("Vietnamese name"), max_length=120)
    name_en = models.CharField(_("English name"), max_length=120)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    provinces = models.ManyToManyField(
        "provinces.AdministrativeUnit",
        through="RegionMembership",
        related_name="regions",
        verbose_name=_("provinces"),
    )

    class Meta:
        verbose_name = _("socio-economic region")
        verbose_name_plural = _("socio-economic regions")
        ordering = ["order"]

    def __str__(self) -> str:
        return self.name_vi


class RegionMembership(models.Model):
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="memberships")
    unit = models.OneToOneField(
        "provinces.AdministrativeUnit", on_delete=models.CASCADE, related_name="region_membership"
    )

    class Meta:
        verbose_name = _("region membership")
        verbose_name_plural = _("region memberships")

    def __str__(self) -> str:
        return f"{self.unit.name} — {self.region}"


# --- methodology -------------------------------------------------------------------


class IndexQuerySet(models.QuerySet):
    def for_user(self, user):
        """National indices are readable by any signed-in user; a province's own index by its province
        (and, read-only, by users of its communes: it is the province's published result)."""
        from cchc_portal.scoping import scope_for

        if not user.is_authenticated:
            return self.none()
        scope = scope_for(user)
        if scope.all:
            return self
        return self.filter(Q(owner_province__isnull=True) | Q(owner_province_id__in=scope.published_province_ids))


class Index(models.Model):
    code = models.CharField(_("code"), max_length=30, unique=True)
    name_vi = models.CharField(_("Vietnamese name"), max_length=255)
    name_en = models.CharField(_("English name"), max_length=255)
    owner_province = models.ForeignKey(
        "provinces.AdministrativeUnit",
        verbose_name=_("owner province"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="own_indices",
        limit_choices_to={"level": "province"},
        help_text=_("Empty for a national index; set for a province's own index of its departments or communes."),
    )
    publisher = models.CharField(_("publisher"), max_length=255, blank=True)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=100)

    objects = IndexQuerySet.as_manager()

    class Meta:
        verbose_name = _("index")
        verbose_name_plural = _("indices")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name_vi

    @property
    def is_national(self) -> bool:
        return self.owner_province_id is None


class EditionQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(index__in=Index.objects.for_user(user))


class Edition(models.Model):
    """One year of an index with its methodology and component tree."""

    index = models.ForeignKey(Index, verbose_name=_("index"), on_delete=models.CASCADE, related_name="editions")
    year = models.PositiveSmallIntegerField(_("year"))
    methodology_ref = models.CharField(
        _("methodology decision"), max_length=255, blank=True, help_text=_("e.g. Quyết định 876/QĐ-BNV (2022)")
    )
    subject_level = models.CharField(_("subjects"), max_length=10, choices=SubjectLevel.choices)
    maximum = models.DecimalField(_("maximum"), max_digits=SCORE_DIGITS, decimal_places=SCORE_PLACES)
    unit_label = models.CharField(_("unit"), max_length=20, default="điểm", help_text=_('"điểm" or "%"'))
    aggregation = models.CharField(
        _("total and parents"), max_length=6, choices=Aggregation.choices, default=Aggregation.SUM
    )
    # [{"code": "A", "label": "≥ 90%", "min": 90}, ...] — a score falls in the first group whose min it reaches.
    group_thresholds = models.JSONField(_("groups by threshold"), default=list, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # Filled by the demo loader with synthetic figures; a real import clears it.
    is_sample = models.BooleanField(_("sample data"), default=False, editable=False)

    objects = EditionQuerySet.as_manager()

    class Meta:
        verbose_name = _("edition")
        verbose_name_plural = _("editions")
        ordering = ["index__order", "index__code", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["index", "year"], name="edition_one_per_year"),
            models.CheckConstraint(condition=Q(maximum__gt=0), name="edition_maximum_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.index.code} {self.year}"

    def get_absolute_url(self) -> str:
        return reverse("indices:ranking_detail", args=[self.index.code, self.year])

    def clean(self):
        thresholds = self.group_thresholds or []
        if not isinstance(thresholds, list) or any(
            not isinstance(t, dict) or "code" not in t or "min" not in t for t in thresholds
        ):
            raise ValidationError(
                {"group_thresholds": _('A list of {"code": "A", "label": "≥ 90%", "min": 90} entries.')}
            )

    @property
    def reference_date(self) -> dt.date:
        """The date whose units are this edition's subjects (old provinces before 2025, new ones after)."""
        if self.subject_level == SubjectLevel.AGENCY:
            return dt.date(self.year, 12, 31)
        if self.year < FIRST_YEAR_AFTER_REORGANISATION:
            return LAST_DAY_BEFORE_REORGANISATION
        return REORGANISATION_DATE if self.year == FIRST_YEAR_AFTER_REORGANISATION else dt.date(self.year, 12, 31)

    def previous(self) -> Edition | None:
        return Edition.objects.filter(index_id=self.index_id, year__lt=self.year).order_by("-year").first()

    def next(self) -> Edition | None:
        return Edition.objects.filter(index_id=self.index_id, year__gt=self.year).order_by("year").first()

    def group_for(self, value: Decimal | None) -> str:
        if value is None:
            return ""
        for threshold in sorted(self.group_thresholds or [], key=lambda t: Decimal(str(t["min"])), reverse=True):
            if value >= Decimal(str(threshold["min"])):
                return str(threshold["code"])
        return ""

    def group_labels(self) -> dict[str, str]:
        return {str(t["code"]): str(t.get("label") or t["code"]) for t in self.group_thresholds or []}

    def subjects(self):
        """All the units or agencies this edition could rank (ranked or not)."""
        from provinces.models import AdministrativeUnit, Agency

        date = self.reference_date
        if self.subject_level == SubjectLevel.PROVINCE:
            return AdministrativeUnit.objects.provinces().valid_on(date)
        if self.subject_level == SubjectLevel.COMMUNE:
            qs = AdministrativeUnit.objects.communes().valid_on(date)
            owner = self.index.owner_province_id
            return qs.filter(province_id=owner) if owner else qs
        qs = Agency.objects.valid_on(date)
        owner = self.index.owner_province_id
        return qs.filter(province_id=owner) if owner else qs


class ComponentQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(edition__index__in=Index.objects.for_user(user))


class Component(models.Model):
    """A node of an edition's tree: area → criterion → sub-criterion, or dimension → sub-dimension."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="components")
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    code = models.CharField(_("code"), max_length=30)
    name_vi = models.CharField(_("Vietnamese name"), max_length=255)
    name_en = models.CharField(_("English name"), max_length=255, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=ComponentKind.choices, default=ComponentKind.COMPONENT)
    max_score = models.DecimalField(
        _("maximum score"),
        max_digits=SCORE_DIGITS,
        decimal_places=SCORE_PLACES,
        null=True,
        blank=True,
        help_text=_("Empty when the methodology does not publish it: scores are then checked against the parent's."),
    )
    max_is_provisional = models.BooleanField(
        _("maximum to be confirmed"), default=False, help_text=_("The maximum is an estimate: check the decision.")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = ComponentQuerySet.as_manager()

    class Meta:
        verbose_name = _("component")
        verbose_name_plural = _("components")
        ordering = ["edition", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "code"], name="component_code_unique_per_edition"),
            models.CheckConstraint(
                condition=Q(max_score__isnull=True) | Q(max_score__gt=0), name="component_max_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name_vi}"

    def clean(self):
        if self.parent_id and self.parent.edition_id != self.edition_id:
            raise ValidationError({"parent": _("The parent must belong to the same edition.")})

    def effective_max(self) -> Decimal:
        node = self
        while node is not None:
            if node.max_score is not None:
                return node.max_score
            node = node.parent
        return self.edition.maximum


@transaction.atomic
def edition_copy_forward(edition: Edition, year: int | None = None) -> Edition:
    """Copy a methodology (its settings and component tree) to another year, to be edited there."""
    year = year or edition.year + 1
    if Edition.objects.filter(index_id=edition.index_id, year=year).exists():
        raise ValidationError(
            _("%(index)s already has an edition for %(year)s.") % {"index": edition.index.code, "year": year}
        )
    copy = Edition.objects.create(
        index_id=edition.index_id,
        year=year,
        methodology_ref=edition.methodology_ref,
        subject_level=edition.subject_level,
        maximum=edition.maximum,
        unit_label=edition.unit_label,
        aggregation=edition.aggregation,
        group_thresholds=edition.group_thresholds,
        notes=edition.notes,
    )
    mapping: dict[int, Component] = {}
    # Parents are created before their children because their ids are smaller only
    # by accident; walk the tree by depth instead.
    pending = list(edition.components.order_by("order", "pk"))
    while pending:
        rest = []
        for component in pending:
            if component.parent_id and component.parent_id not in mapping:
                rest.append(component)
                continue
            mapping[component.pk] = Component.objects.create(
                edition=copy,
                parent=mapping.get(component.parent_id),
                code=component.code,
                name_vi=component.name_vi,
                name_en=component.name_en,
                kind=component.kind,
                max_score=component.max_score,
                max_is_provisional=component.max_is_provisional,
                order=component.order,
            )
        if len(rest) == len(pending):
            raise ValidationError("component tree has a cycle")
        pending = rest
    return copy


# --- scores ------------------------------------------------------------------------


class ScoreQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(edition__index__in=Index.objects.for_user(user))

    def totals(self):
        return self.filter(component__isnull=True)


class Score(models.Model):
    """A subject's score in an edition, for one component or (component empty) the total."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="scores")
    unit = models.ForeignKey(
        "provinces.AdministrativeUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="index_scores"
    )
    agency = models.ForeignKey(
        "provinces.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="index_scores"
    )
    component = models.ForeignKey(
        Component, null=True, blank=True, on_delete=models.CASCADE, related_name="scores", help_text=_("Empty: total")
    )
    value = models.DecimalField(_("score"), max_digits=SCORE_DIGITS, decimal_places=SCORE_PLACES)
    self_assessed = models.DecimalField(
        _("self-assessed"), max_digits=SCORE_DIGITS, decimal_places=SCORE_PLACES, null=True, blank=True
    )
    appraised = models.DecimalField(
        _("appraised"), max_digits=SCORE_DIGITS, decimal_places=SCORE_PLACES, null=True, blank=True
    )
    computed = models.BooleanField(_("computed from components"), default=False)
    # A province's own index publishes percent of each unit's own maximum (assessments app):
    # the total's points and that maximum, beside the percent in `value`.
    points = models.DecimalField(
        _("points"), max_digits=SCORE_DIGITS, decimal_places=SCORE_PLACES, null=True, blank=True
    )
    points_max = models.DecimalField(
        _("own maximum"), max_digits=SCORE_DIGITS, decimal_places=SCORE_PLACES, null=True, blank=True
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScoreQuerySet.as_manager()

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        permissions = [("import_score", _("Can import index scores"))]
        constraints = [
            models.CheckConstraint(
                condition=(Q(unit__isnull=False) & Q(agency__isnull=True))
                | (Q(unit__isnull=True) & Q(agency__isnull=False)),
                name="score_one_subject",
            ),
            models.CheckConstraint(condition=Q(value__gte=0), name="score_value_not_negative"),
            models.CheckConstraint(
                condition=Q(self_assessed__isnull=True) | Q(self_assessed__gte=0), name="score_self_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(appraised__isnull=True) | Q(appraised__gte=0), name="score_appraised_not_negative"
            ),
            # NULL component means the total; NULLs are distinct in a plain unique index,
            # hence one partial constraint for totals and one for components.
            models.UniqueConstraint(
                fields=["edition", "unit", "component"],
                condition=Q(unit__isnull=False, component__isnull=False),
                name="score_unit_component_unique",
            ),
            models.UniqueConstraint(
                fields=["edition", "unit"],
                condition=Q(unit__isnull=False, component__isnull=True),
                name="score_unit_total_unique",
            ),
            models.UniqueConstraint(
                fields=["edition", "agency", "component"],
                condition=Q(agency__isnull=False, component__isnull=False),
                name="score_agency_component_unique",
            ),
            models.UniqueConstraint(
                fields=["edition", "agency"],
                condition=Q(agency__isnull=False, component__isnull=True),
                name="score_agency_total_unique",
            ),
        ]

    def __str__(self) -> str:
        subject = self.unit.name if self.unit_id else self.agency.name
        part = self.component.code if self.component_id else _("total")
        return f"{self.edition} · {subject} · {part}: {self.value}"

    @property
    def maximum(self) -> Decimal:
        return self.component.effective_max() if self.component_id else self.edition.maximum

    def clean(self):
        # The maximum lives on another table, so a CheckConstraint cannot hold it.
        errors = {}
        if self.component_id and self.component.edition_id != self.edition_id:
            errors["component"] = _("The component belongs to another edition.")
        maximum = self.maximum
        for field in ("value", "self_assessed", "appraised"):
            value = getattr(self, field)
            if value is not None and value > maximum:
                errors[field] = _("%(value)s is over the maximum %(max)s.") % {"value": value, "max": maximum}
        if errors:
            raise ValidationError(errors)


# --- rankings ----------------------------------------------------------------------


class RankingQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(edition__index__in=Index.objects.for_user(user))


class Ranking(models.Model):
    """A subject's computed place in an edition (written by the rankings job only)."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="rankings")
    unit = models.ForeignKey(
        "provinces.AdministrativeUnit", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    agency = models.ForeignKey("provinces.Agency", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    score = models.DecimalField(max_digits=SCORE_DIGITS, decimal_places=SCORE_PLACES)
    rank = models.PositiveIntegerField()
    ranked_count = models.PositiveIntegerField(help_text=_("Subjects with a score in this edition"))
    subject_count = models.PositiveIntegerField(help_text=_("Subjects that could have been ranked"))
    previous_rank = models.PositiveIntegerField(null=True, blank=True)
    previous_score = models.DecimalField(max_digits=SCORE_DIGITS, decimal_places=SCORE_PLACES, null=True, blank=True)
    previous_ranked_count = models.PositiveIntegerField(null=True, blank=True)
    rank_change = models.IntegerField(null=True, blank=True, help_text=_("Positive: moved up"))
    score_change = models.DecimalField(max_digits=SCORE_DIGITS, decimal_places=SCORE_PLACES, null=True, blank=True)
    # After the 2025 merger: [{"code", "name", "rank", "score", "ranked_count"}] of the predecessors.
    predecessors = models.JSONField(default=list, blank=True)
    group = models.CharField(max_length=20, blank=True)
    points = models.DecimalField(max_digits=SCORE_DIGITS, decimal_places=SCORE_PLACES, null=True, blank=True)
    points_max = models.DecimalField(max_digits=SCORE_DIGITS, decimal_places=SCORE_PLACES, null=True, blank=True)
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    components = models.JSONField(default=dict, blank=True)
    computed_at = models.DateTimeField()

    objects = RankingQuerySet.as_manager()

    class Meta:
        verbose_name = _("ranking")
        verbose_name_plural = _("rankings")
        ordering = ["edition", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "unit"], condition=Q(unit__isnull=False), name="ranking_unit_unique"
            ),
            models.UniqueConstraint(
                fields=["edition", "agency"], condition=Q(agency__isnull=False), name="ranking_agency_unique"
            ),
            models.CheckConstraint(condition=Q(rank__gte=1), name="ranking_rank_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.edition} #{self.rank}"

    @property
    def subject(self):
        return self.unit if self.unit_id else self.agency

    @property
    def subject_name(self) -> str:
        subject = self.subject
        return subject.short_name if self.unit_id else subject.name

    @property
    def subject_code(self) -> str:
        return self.unit.code if self.unit_id else str(self.agency_id)


SAMPLE_CACHE_KEY = "indices:has-sample-editions"


def sample_results_shown() -> bool:
    """Whether any index results on the portal are the demo loader's synthetic figures (cached)."""
    from django.core.cache import cache

    return cache.get_or_set(SAMPLE_CACHE_KEY, lambda: Edition.objects.filter(is_sample=True).exists(), 600)


def forget_sample_flag() -> None:
    from django.core.cache import cache

    cache.delete(SAMPLE_CACHE_KEY)
