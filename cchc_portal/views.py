"""Project-level pages that compose several apps: the role home page."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from accounts.models import Role
from provinces.models import AdministrativeUnit, Agency, SteeringCommittee
from tasks.models import Plan

from .scoping import home_unit_id, primary_province_id

HOME_TEMPLATES = {
    Role.NATIONAL_ADMIN: "home/national_admin.html",
    Role.PROVINCE_ADMIN: "home/province_admin.html",
    Role.LEADER: "home/leader.html",
    Role.VIEWER: "home/viewer.html",
    Role.SERVICE_ACCOUNT: "home/viewer.html",
}


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    role = user.effective_role
    if role == Role.AGENCY_OFFICER:
        # An agency officer's home is "my tasks".
        return redirect("tasks:my_tasks")
    if role == Role.LEADER and primary_province_id(user) is not None:
        # A leader's home is their province's dashboard.
        return redirect("dashboards:leader")
    context: dict = {"role": role}
    if role == Role.NATIONAL_ADMIN:
        context["provinces"] = AdministrativeUnit.objects.provinces().current().order_by("code")
    else:
        context.update(_province_context(user))
    return render(request, HOME_TEMPLATES[role], context)


def _province_context(user) -> dict:
    """The user's province (or, for a commune-scoped user, their commune) at a glance."""
    province_id = primary_province_id(user)
    # A commune-scoped user's own plan is their commune's.
    unit_id = home_unit_id(user)
    return {
        "province": AdministrativeUnit.objects.filter(pk=province_id).first() if province_id is not None else None,
        "commune": (
            AdministrativeUnit.objects.filter(pk=unit_id).first() if unit_id and unit_id != province_id else None
        ),
        "committee": SteeringCommittee.objects.for_user(user).filter(province_id=province_id).first(),
        "agency_count": Agency.objects.for_user(user).current().filter(province_id=province_id).count(),
        "plan": (
            Plan.objects.for_user(user)
            .filter(unit_id=unit_id, agency__isnull=True, year=timezone.localdate().year)
            .select_related("figures")
            .first()
        ),
    }
