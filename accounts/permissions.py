"""Model permissions granted by role, so the admin and `has_perm` follow the roles.

Patterns are `app_label.codename` with shell wildcards. Row-level scope is a
separate matter: `for_user` querysets and `User.can_manage_province`.
"""

from fnmatch import fnmatchcase

from django.contrib.auth.backends import BaseBackend

from .models import Role

READ_ALL = ["provinces.view_*", "tasks.view_*", "indices.view_*", "dossiers.view_*", "reports.view_*"]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.PROVINCE_ADMIN: [
        *READ_ALL,
        "provinces.add_agency",
        "provinces.change_agency",
        "provinces.add_agencysuccession",
        "provinces.change_agencysuccession",
        "provinces.delete_agencysuccession",
        "provinces.*_steeringcommittee",
        "provinces.*_steeringcommitteemember",
        "tasks.*",
        "indices.import_*",
        "indices.export_*",
        "dossiers.*",
        "reports.*",
        "assessments.view_*",  # the council's secretary; the index's writes run on its pages
        "accounts.view_user",
        "accounts.add_user",
        "accounts.change_user",
        "audit.view_auditevent",
    ],
    Role.AGENCY_OFFICER: [*READ_ALL],
    Role.LEADER: [*READ_ALL, "indices.export_*", "tasks.export_*", "dossiers.export_*"],
    Role.VIEWER: [*READ_ALL],
    # API only: the dossier bulk push checks the role itself.
    Role.SERVICE_ACCOUNT: [],
}


class RolePermissionBackend(BaseBackend):
    """Grants the permissions of the user's role (national administrators: all)."""

    def _patterns(self, user) -> list[str]:
        if not user.is_active or user.is_anonymous:
            return []
        if user.is_national_admin:
            return ["*"]
        return ROLE_PERMISSIONS.get(user.role, [])

    def has_perm(self, user_obj, perm, obj=None):
        return any(fnmatchcase(perm, pattern) for pattern in self._patterns(user_obj))

    def has_module_perms(self, user_obj, app_label):
        return any(pattern == "*" or pattern.startswith(f"{app_label}.") for pattern in self._patterns(user_obj))
