from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from cchc_portal.scoping import scope_for


class Role(models.TextChoices):
    NATIONAL_ADMIN = "national_admin", _("National administrator")
    PROVINCE_ADMIN = "province_admin", _("Province administrator (Department of Home Affairs)")
    AGENCY_OFFICER = "agency_officer", _("Agency officer")
    LEADER = "leader", _("Leader")
    VIEWER = "viewer", _("Viewer")
    # A one-stop system pushing dossiers through the API for the units (and agencies) attached to it.
    SERVICE_ACCOUNT = "service_account", _("One-stop system (service account)")


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.VIEWER)
    units = models.ManyToManyField(
        "provinces.AdministrativeUnit",
        verbose_name=_("units"),
        blank=True,
        related_name="users",
        help_text=_("Provinces or communes this user works for."),
    )
    agencies = models.ManyToManyField(
        "provinces.Agency",
        verbose_name=_("agencies"),
        blank=True,
        related_name="officers",
        help_text=_("For agency officers: the agencies whose tasks they update."),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def is_national_admin(self) -> bool:
        return self.is_superuser or self.role == Role.NATIONAL_ADMIN

    @property
    def is_province_admin(self) -> bool:
        return self.role == Role.PROVINCE_ADMIN

    @property
    def is_agency_officer(self) -> bool:
        return self.role == Role.AGENCY_OFFICER

    @property
    def is_leader(self) -> bool:
        return self.role == Role.LEADER

    @property
    def effective_role(self) -> str:
        return Role.NATIONAL_ADMIN if self.is_superuser else self.role

    def can_manage_province(self, province_id: int | None) -> bool:
        """Keep the province's reference data, plans and committee (Home Affairs staff)."""
        if self.is_national_admin:
            return True
        return self.is_province_admin and province_id in scope_for(self).province_ids

    def can_manage_unit(self, unit_id: int | None, province_id: int | None) -> bool:
        """Keep a unit's plan and tasks: the province's Home Affairs staff, or a commune-scoped administrator
        for their commune's own rows."""
        if self.can_manage_province(province_id):
            return True
        return self.is_province_admin and unit_id is not None and unit_id in scope_for(self).commune_ids

    def can_update_agency_work(self, agency_id: int | None, province_id: int | None) -> bool:
        """Enter progress for tasks led by `agency_id` (in `province_id`)."""
        if self.can_manage_province(province_id):
            return True
        return self.is_agency_officer and agency_id in scope_for(self).agency_ids
