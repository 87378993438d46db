"""The site navigation, in one list: the project composes the apps' pages (an app adds one line)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import Role

# (url name, label, roles that see it). Apps add their entries here. Every name must
# resolve: a wrong one raises NoReverseMatch on every page (tests/accounts/test_navigation.py).
NAVIGATION = [
    ("home", _("Home"), None),
    ("dashboards:todo", _("To-do"), None),
    ("dashboards:leader", _("Dashboard"), {Role.PROVINCE_ADMIN, Role.LEADER, Role.VIEWER}),
    ("dashboards:national", _("National map"), None),
    ("tasks:my_tasks", _("My tasks"), {Role.AGENCY_OFFICER}),
    ("tasks:plan_list", _("Reform plans"), None),
    ("indices:ranking_index", _("Index rankings"), None),
    ("assessments:round_list", _("Own CCHC index"), None),
    ("dossiers:stats", _("One-stop dossiers"), None),
    ("provinces:unit_list", _("Administrative units"), None),
    (
        "provinces:committee_mine",
        _("Steering committee"),
        {Role.PROVINCE_ADMIN, Role.LEADER, Role.VIEWER, Role.AGENCY_OFFICER},
    ),
    ("provinces:agency_list", _("Agencies"), None),
    ("dossiers:import_index", _("Imports"), {Role.NATIONAL_ADMIN, Role.PROVINCE_ADMIN}),
    ("reports:rounds", _("Periodic reports"), None),
]


# Counts loaded after the page (htmx), so no page pays for them in its own queries.
BADGES = {"dashboards:todo": "dashboards:todo_count"}


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    role = user.effective_role
    items = []
    for name, label, roles in NAVIGATION:
        if roles is not None and role not in roles:
            continue
        url = reverse(name)
        items.append(
            {
                "url": url,
                "label": label,
                "active": request.path == url,
                "badge_url": reverse(BADGES[name]) if name in BADGES else None,
            }
        )
    return {"nav_items": items, "user_role": role}
