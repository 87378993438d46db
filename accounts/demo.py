"""One demo user per role, for the demo province."""

from __future__ import annotations

from .models import Role, User

DEMO_PASSWORD = "cchc-demo-2025"

# username, role, full name, agency name (for the officer)
DEMO_USERS = [
    ("admin", Role.NATIONAL_ADMIN, "Quản trị viên quốc gia", None),
    ("province_admin", Role.PROVINCE_ADMIN, "Chuyên viên Sở Nội vụ", None),
    ("officer", Role.AGENCY_OFFICER, "Cán bộ Sở Tư pháp", "Sở Tư pháp"),
    ("leader", Role.LEADER, "Lãnh đạo UBND tỉnh", None),
    ("viewer", Role.VIEWER, "Người xem", None),
]


def load_demo_users(province) -> list[tuple[str, str, bool]]:
    """Create the demo users if missing; returns (username, role label, created)."""
    from provinces.models import Agency

    result = []
    for username, role, full_name, agency_name in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "role": role,
                "first_name": full_name,
                "is_staff": role in (Role.NATIONAL_ADMIN, Role.PROVINCE_ADMIN),
            },
        )
        if created:
            user.is_superuser = role == Role.NATIONAL_ADMIN
            user.set_password(DEMO_PASSWORD)
            user.save()
            if role != Role.NATIONAL_ADMIN:
                user.units.add(province)
            if agency_name:
                user.agencies.add(Agency.objects.get(province=province, name=agency_name))
        result.append((username, Role(role).label, created))
    return result
