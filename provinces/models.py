"""Administrative units across the 2025 reorganisation, agencies and steering committees."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cchc_portal.lib.text import fold
from cchc_portal.scoping import ProvinceScopedQuerySet, scope_for

# Resolution 202/2025/QH15: the 34 provinces take effect on 1/7/2025.
REORGANISATION_DATE = dt.date(2025, 7, 1)
LAST_DAY_BEFORE_REORGANISATION = dt.date(2025, 6, 30)


def today() -> dt.date:
    return timezone.localdate()


class ValidityQuerySet(models.QuerySet):
    def valid_on(self, date: dt.date | None = None):
        date = date or today()
        return self.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=date),
            Q(valid_to__isnull=True) | Q(valid_to__gte=date),
        )

    def current(self):
        return self.valid_on(today())


class UnitLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    DISTRICT = "district", _("District")
    COMMUNE = "commune", _("Commune")


class UnitType(models.TextChoices):
    PROVINCE = "tinh", _("Province (tỉnh)")
    CENTRAL_CITY = "thanh_pho_tw", _("Centrally-run city")
    URBAN_DISTRICT = "quan", _("Urban district (quận)")
    RURAL_DISTRICT = "huyen", _("Rural district (huyện)")
    TOWN = "thi_xa", _("Town (thị xã)")
    PROVINCIAL_CITY = "thanh_pho", _("Provincial city")
    COMMUNE = "xa", _("Commune (xã)")
    WARD = "phuong", _("Ward (phường)")
    TOWNSHIP = "thi_tran", _("Township (thị trấn)")
    SPECIAL_ZONE = "dac_khu", _("Special zone (đặc khu)")


class AdministrativeUnitQuerySet(ValidityQuerySet):
    def provinces(self):
        return self.filter(level=UnitLevel.PROVINCE)

    def communes(self):
        return self.filter(level=UnitLevel.COMMUNE)

    def for_user(self, user):
        """Administrative units are public reference data: any signed-in user reads them."""
        if not user.is_authenticated:
            return self.none()
        return self

    def in_scope_of(self, user):
        """Units a user's records may belong to: their provinces and those provinces' communes, or their communes."""
        scope = scope_for(user)
        if scope.all:
            return self
        return self.filter(
            Q(pk__in=scope.province_ids) | Q(province_id__in=scope.province_ids) | Q(pk__in=scope.commune_ids)
        )

    def name_index(self, on: dt.date | None = None):
        """These units' names (and former units' through UnitSuccession) for the importers."""
        from .names import unit_name_index

        return unit_name_index(self, on)


class AdministrativeUnit(models.Model):
    code = models.CharField(_("official code"), max_length=5)
    name = models.CharField(_("name"), max_length=200)
    name_folded = models.CharField(max_length=200, editable=False, db_index=True)
    level = models.CharField(_("level"), max_length=10, choices=UnitLevel.choices)
    type = models.CharField(_("type"), max_length=20, choices=UnitType.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # The province a district or commune lies in (denormalised for scoping).
    province = models.ForeignKey(
        "self", verbose_name=_("province"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    objects = AdministrativeUnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("administrative unit")
        verbose_name_plural = _("administrative units")
        ordering = ["level", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["level", "code"], condition=Q(valid_to__isnull=True), name="unit_current_code_unique"
            ),
            models.UniqueConstraint(
                fields=["level", "code", "valid_to"],
                condition=Q(valid_to__isnull=False),
                name="unit_historical_code_unique",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="unit_validity_ordered",
            ),
        ]
        indexes = [models.Index(fields=["level", "valid_to", "code"])]

    def __str__(self) -> str:
        if self.valid_to:
            return f"{self.name} ({_('until')} {self.valid_to:%d/%m/%Y})"
        return self.name

    def save(self, *args, **kwargs):
        self.name_folded = fold(self.name)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("provinces:unit_detail", args=[self.pk])

    @property
    def is_current(self) -> bool:
        return self.valid_to is None or self.valid_to >= today()

    @property
    def province_id_for_scope(self) -> int:
        return self.pk if self.level == UnitLevel.PROVINCE else self.province_id

    @property
    def short_name(self) -> str:
        """ "Thành phố Hà Nội" -> "Hà Nội", "Tỉnh Gia Lai" -> "Gia Lai"."""
        for prefix in ("Thành phố ", "Tỉnh "):
            if self.level == UnitLevel.PROVINCE and self.name.startswith(prefix):
                return self.name[len(prefix) :]
        return self.name

    def predecessors(self):
        return AdministrativeUnit.objects.filter(successions_out__successor=self).order_by("code")

    def successors(self):
        return AdministrativeUnit.objects.filter(successions_in__predecessor=self).order_by("code")


class SuccessionKind(models.TextChoices):
    UNCHANGED = "unchanged", _("continued unchanged")
    MERGED = "merged", _("merged into")
    WHOLE = "whole", _("whole unit went into")
    PART = "part", _("part of the unit went into")


class UnitSuccession(models.Model):
    """Lineage: `predecessor` became (part of) `successor` on `effective_date`."""

    predecessor = models.ForeignKey(
        AdministrativeUnit, on_delete=models.CASCADE, related_name="successions_out", verbose_name=_("predecessor")
    )
    successor = models.ForeignKey(
        AdministrativeUnit, on_delete=models.CASCADE, related_name="successions_in", verbose_name=_("successor")
    )
    effective_date = models.DateField(_("effective date"))
    kind = models.CharField(_("kind"), max_length=12, choices=SuccessionKind.choices)
    legal_basis = models.CharField(_("legal basis"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("unit succession")
        verbose_name_plural = _("unit successions")
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="unit_succession_unique"),
            models.CheckConstraint(condition=~Q(predecessor=models.F("successor")), name="unit_succession_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor.name} → {self.successor.name}"


class AgencyKind(models.TextChoices):
    PROVINCIAL_COMMITTEE = "provincial_committee", _("Provincial people's committee")
    DEPARTMENT = "department", _("Department or agency (sở, ban, ngành)")
    COMMUNE_COMMITTEE = "commune_committee", _("Commune people's committee")
    OTHER = "other", _("Other")


# Pickers list the province's own bodies first and the many commune committees last.
PICKER_KIND_ORDER = ["provincial_committee", "department", "other", "commune_committee"]


class AgencyQuerySet(ValidityQuerySet):
    def in_picker_order(self):
        """Departments before communes, then by name without diacritics (Bàu Cạn before Biển Hồ)."""
        rank = models.Case(
            *[models.When(kind=kind, then=models.Value(i)) for i, kind in enumerate(PICKER_KIND_ORDER)],
            default=models.Value(len(PICKER_KIND_ORDER)),
        )
        return self.annotate(picker_rank=rank).order_by("picker_rank", "name_folded", "pk")

    def for_user(self, user):
        scope = scope_for(user)
        if scope.all:
            return self
        return self.filter(
            Q(province_id__in=scope.province_ids) | Q(commune_id__in=scope.commune_ids) | Q(pk__in=scope.agency_ids)
        )

    def name_index(self, province, on: dt.date | None = None):
        """The province's agencies by name, former ones leading to their successors (for the importers)."""
        from .names import agency_name_index

        return agency_name_index(province, on)


class Agency(models.Model):
    province = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        related_name="agencies",
        limit_choices_to={"level": UnitLevel.PROVINCE},
    )
    commune = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("commune"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="commune_agencies",
        limit_choices_to={"level": UnitLevel.COMMUNE},
        help_text=_("Only for a commune's people's committee."),
    )
    kind = models.CharField(_("kind"), max_length=24, choices=AgencyKind.choices, default=AgencyKind.DEPARTMENT)
    name = models.CharField(_("name"), max_length=255)
    short_name = models.CharField(_("short name"), max_length=100, blank=True)
    aliases = models.TextField(
        _("other names"), blank=True, help_text=_("One per line: abbreviations and former names used in documents.")
    )
    name_folded = models.CharField(max_length=255, editable=False, db_index=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    predecessors = models.ManyToManyField(
        "self",
        through="AgencySuccession",
        through_fields=("successor", "predecessor"),
        symmetrical=False,
        related_name="successors",
        verbose_name=_("predecessors"),
        blank=True,
    )
    version = models.PositiveIntegerField(default=0, editable=False)

    objects = AgencyQuerySet.as_manager()

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["province", "kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["province", "name"], condition=Q(valid_to__isnull=True), name="agency_current_name_unique"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="agency_validity_ordered",
                violation_error_message=_("An agency cannot cease before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.name_folded = fold(self.name)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("provinces:agency_detail", args=[self.pk])

    @property
    def is_current(self) -> bool:
        return self.valid_to is None or self.valid_to >= today()

    def choice_label(self) -> str:
        """The name in a picker; a dissolved agency says until when it existed."""
        if self.valid_to and self.valid_to < today():
            return _("%(name)s (until %(date)s)") % {"name": self.name, "date": self.valid_to.strftime("%d/%m/%Y")}
        return self.name

    def alias_list(self) -> list[str]:
        return [line.strip() for line in self.aliases.splitlines() if line.strip()]

    def clean(self):
        super().clean()
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": _("An agency cannot cease before it starts.")})


class AgencySuccession(models.Model):
    predecessor = models.ForeignKey(
        Agency, on_delete=models.CASCADE, related_name="successions_out", verbose_name=_("predecessor")
    )
    successor = models.ForeignKey(
        Agency, on_delete=models.CASCADE, related_name="successions_in", verbose_name=_("successor")
    )
    effective_date = models.DateField(_("effective date"))
    note = models.CharField(_("note"), max_length=255, blank=True)

    # The audit log files a succession under the successor's province.
    audit_province_path = "successor__province_id"

    class Meta:
        verbose_name = _("agency succession")
        verbose_name_plural = _("agency successions")
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="agency_succession_unique"),
            models.CheckConstraint(condition=~Q(predecessor=models.F("successor")), name="agency_succession_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor}"


class SteeringCommitteeQuerySet(ProvinceScopedQuerySet):
    pass


class SteeringCommittee(models.Model):
    """Ban Chỉ đạo CCHC of a province."""

    province = models.OneToOneField(
        AdministrativeUnit,
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        related_name="steering_committee",
        limit_choices_to={"level": UnitLevel.PROVINCE},
    )
    name = models.CharField(_("name"), max_length=255)
    establishing_decision_number = models.CharField(_("establishing decision number"), max_length=100, blank=True)
    establishing_decision_date = models.DateField(_("establishing decision date"), null=True, blank=True)
    establishing_decision_signer = models.CharField(_("signed by"), max_length=200, blank=True)
    regulation_decision_number = models.CharField(_("regulation decision number"), max_length=100, blank=True)
    regulation_decision_date = models.DateField(_("regulation decision date"), null=True, blank=True)
    version = models.PositiveIntegerField(default=0, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SteeringCommitteeQuerySet.as_manager()

    class Meta:
        verbose_name = _("steering committee")
        verbose_name_plural = _("steering committees")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("provinces:committee_detail", args=[self.pk])

    def current_members(self):
        return self.members.current().select_related("agency")


class MemberRole(models.TextChoices):
    CHAIR = "chair", _("Chair (Trưởng ban)")
    STANDING_VICE_CHAIR = "standing_vice_chair", _("Standing vice chair")
    VICE_CHAIR = "vice_chair", _("Vice chair")
    MEMBER = "member", _("Member")
    WORKING_GROUP_LEADER = "wg_leader", _("Working group leader (Tổ trưởng)")
    WORKING_GROUP_MEMBER = "wg_member", _("Working group member")


WORKING_GROUP_ROLES = {MemberRole.WORKING_GROUP_LEADER, MemberRole.WORKING_GROUP_MEMBER}


class MemberQuerySet(models.QuerySet):
    def current(self):
        # term_end is the day the member stopped serving.
        return self.filter(Q(term_end__isnull=True) | Q(term_end__gt=today()))

    def committee(self):
        return self.exclude(role__in=WORKING_GROUP_ROLES)

    def working_group(self):
        return self.filter(role__in=WORKING_GROUP_ROLES)


class SteeringCommitteeMember(models.Model):
    committee = models.ForeignKey(SteeringCommittee, on_delete=models.CASCADE, related_name="members")
    person_name = models.CharField(_("full name"), max_length=200)
    position = models.CharField(
        _("position"), max_length=255, help_text=_("e.g. Vice chairman of the provincial people's committee")
    )
    agency = models.ForeignKey(Agency, verbose_name=_("agency"), null=True, blank=True, on_delete=models.PROTECT)
    role = models.CharField(_("role"), max_length=24, choices=MemberRole.choices, default=MemberRole.MEMBER)
    term_start = models.DateField(_("term start"), null=True, blank=True)
    term_end = models.DateField(
        _("term end"), null=True, blank=True, help_text=_("The day the member stopped serving.")
    )
    decision_number = models.CharField(_("appointing decision"), max_length=100, blank=True)
    order = models.PositiveIntegerField(_("order"), default=100)
    version = models.PositiveIntegerField(default=0, editable=False)

    objects = MemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("steering committee member")
        verbose_name_plural = _("steering committee members")
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(term_end__isnull=True)
                | Q(term_start__isnull=True)
                | Q(term_end__gte=models.F("term_start")),
                name="member_term_ordered",
                violation_error_message=_("The term cannot end before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_name} — {self.get_role_display()}"

    def clean(self):
        super().clean()
        if self.term_start and self.term_end and self.term_end < self.term_start:
            raise ValidationError({"term_end": _("The term cannot end before it starts.")})

    @property
    def is_current(self) -> bool:
        return self.term_end is None or self.term_end > today()

    @property
    def in_working_group(self) -> bool:
        return self.role in WORKING_GROUP_ROLES
