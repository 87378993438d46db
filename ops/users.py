"""Province administrators manage the users of their own province (officers, leaders, viewers)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q

from accounts.models import Role, User
from audit.log import record_change
from audit.models import AuditAction

MANAGED_ROLES = (Role.AGENCY_OFFICER, Role.LEADER, Role.VIEWER)


def province_users(province_id: int):
    """Users who work in the province (by unit or agency), administrators excluded."""
    in_province = Q(units=province_id) | Q(units__province_id=province_id) | Q(agencies__province_id=province_id)
    ids = User.objects.filter(in_province).values("pk")
    return User.objects.filter(pk__in=ids, role__in=MANAGED_ROLES, is_superuser=False)


def _snapshot(user: User) -> dict:
    return {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "role": user.role,
        "is_active": user.is_active,
        "agencies": sorted(user.agencies.values_list("name", flat=True)),
    }


def province_user_save(form, *, province, actor) -> User:
    """Create or change a user from the form, bound to the province; audited."""
    creating = form.instance.pk is None
    before = None if creating else _snapshot(User.objects.get(pk=form.instance.pk))
    with transaction.atomic():
        user = form.save(commit=False)
        if creating:
            user.set_unusable_password()
        user.save()
        user.units.set([province])
        user.agencies.set(form.cleaned_data["agencies"])
        after = _snapshot(user)
        record_change(
            user,
            actor=actor,
            action=AuditAction.CREATE if creating else AuditAction.UPDATE,
            before=before,
            after=after,
            note="province user",
        )
    return user
