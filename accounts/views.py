from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods
from rest_framework.authtoken.models import Token

from provinces.models import AdministrativeUnit, Agency, SteeringCommittee
from tasks.models import Plan

from .models import Role
from .scoping import primary_province_id


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True


HOME_TEMPLATES = {
    Role.NATIONAL_ADMIN: "accounts/home_national_admin.html",
    Role.PROVINCE_ADMIN: "accounts/home_province_admin.html",
    Role.LEADER: "accounts/home_leader.html",
    Role.VIEWER: "accounts/home_viewer.html",
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
        province_id = primary_province_id(user)
        context["province"] = (
            AdministrativeUnit.objects.filter(pk=province_id).first() if province_id is not None else None
        )
        context["committee"] = SteeringCommittee.objects.for_user(user).filter(province_id=province_id).first()
        context["agency_count"] = Agency.objects.for_user(user).current().filter(province_id=province_id).count()
        context["plan"] = (
            Plan.objects.for_user(user)
            .filter(unit_id=province_id, agency__isnull=True, year=timezone.localdate().year)
            .select_related("figures")
            .first()
        )
    return render(request, HOME_TEMPLATES[role], context)


@login_required
@require_http_methods(["GET", "POST"])
def api_token(request: HttpRequest) -> HttpResponse:
    """Show the user's API token; POST issues a new one (the old stops working)."""
    token = Token.objects.filter(user=request.user).first()
    if request.method == "POST":
        if token:
            token.delete()
        token = Token.objects.create(user=request.user)
    return render(request, "accounts/api_token.html", {"token": token})
