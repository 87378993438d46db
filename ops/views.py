"""Health endpoints: /healthz reports each dependency, /readyz answers the proxy."""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import User
from audit.models import AuditSource
from cchc_portal.scoping import primary_province_id
from cchc_portal.version import get_version
from provinces.models import AdministrativeUnit, Agency

from .agency_import import (
    AgencyFileRefused,
    agency_rows_check,
    agency_rows_create,
    sample_workbook,
    sign_rows,
    unsign_rows,
)
from .commune_committees import commune_committees_create
from .forms import AgencyImportForm, ProvinceUserForm
from .invitations import invitation_send, set_password_url
from .users import province_user_save, province_users

logger = logging.getLogger(__name__)


def _check(name: str, probe) -> dict:
    started = time.monotonic()
    try:
        detail = probe()
    except Exception as exc:
        logger.warning("health check %s failed: %s", name, exc)
        return {"status": "error", "error": f"{type(exc).__name__}: {exc}"[:300]}
    result = {"status": "ok", "ms": round((time.monotonic() - started) * 1000, 1)}
    if detail:
        result["detail"] = detail
    return result


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return connection.vendor


def _cache():
    key = "healthz:probe"
    cache.set(key, "1", 10)
    if cache.get(key) != "1":
        raise RuntimeError("cache did not return the value just written")
    return settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]


def _broker():
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "in-process (no broker configured)"
    from cchc_portal.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return "reachable"


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Every dependency, each with its status: 503 when one is down (for monitoring)."""
    checks = {"database": _check("database", _database), "cache": _check("cache", _cache)}
    checks["broker"] = _check("broker", _broker)
    healthy = all(check["status"] == "ok" for check in checks.values())
    body = {"status": "ok" if healthy else "error", "version": get_version(), "checks": checks}
    return JsonResponse(body, status=200 if healthy else 503)


@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """For the proxy: this process can serve pages (its database answers). The cache and the broker
    may be down without taking pages down, so they are /healthz's business."""
    check = _check("database", _database)
    ready = check["status"] == "ok"
    return JsonResponse({"status": "ok" if ready else "error", "database": check}, status=200 if ready else 503)


# --- province users --------------------------------------------------------------------


def _get_managed_province(request: HttpRequest) -> AdministrativeUnit:
    """The province whose users the requester manages: their own; a national administrator picks one."""
    user = request.user
    if user.is_national_admin:
        code = request.GET.get("province") or request.POST.get("province")  # the official code, as everywhere
        provinces = AdministrativeUnit.objects.provinces().current()
        province = provinces.filter(code=code).first() if code else provinces.order_by("code").first()
        if province is None:
            raise Http404
        return province
    province_id = primary_province_id(user)
    if not user.is_province_admin or province_id is None:
        raise PermissionDenied(_("Only the Department of Home Affairs of this province can manage its users."))
    return get_object_or_404(AdministrativeUnit, pk=province_id)


def _get_province_user_for_user(request: HttpRequest, pk: int) -> tuple[AdministrativeUnit, User]:
    province = _get_managed_province(request)
    return province, get_object_or_404(province_users(province.pk), pk=pk)


@login_required
def user_list(request: HttpRequest) -> HttpResponse:
    province = _get_managed_province(request)
    users = (
        province_users(province.pk)
        .prefetch_related(Prefetch("agencies", queryset=Agency.objects.order_by("name")))
        .order_by("-is_active", "username")
    )
    return render(request, "ops/user_list.html", {"province": province, "users": users})


@login_required
@require_http_methods(["GET", "POST"])
def user_create(request: HttpRequest) -> HttpResponse:
    province = _get_managed_province(request)
    form = ProvinceUserForm(request.POST or None, province=province)
    if request.method == "POST" and form.is_valid():
        user = province_user_save(form, province=province, actor=request.user)
        _invite(request, user)
        return redirect(f"{reverse('ops:user_list')}?province={province.pk}")
    return render(request, "ops/user_form.html", {"form": form, "province": province})


@login_required
@require_http_methods(["GET", "POST"])
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    province, managed = _get_province_user_for_user(request, pk)
    form = ProvinceUserForm(request.POST or None, instance=managed, province=province)
    if request.method == "GET":
        form.initial["agencies"] = list(managed.agencies.values_list("pk", flat=True))
    if request.method == "POST" and form.is_valid():
        province_user_save(form, province=province, actor=request.user)
        messages.success(request, _("Saved."))
        return redirect(f"{reverse('ops:user_list')}?province={province.pk}")
    return render(request, "ops/user_form.html", {"form": form, "province": province, "managed": managed})


@login_required
@require_POST
def user_invite(request: HttpRequest, pk: int) -> HttpResponse:
    province, managed = _get_province_user_for_user(request, pk)
    _invite(request, managed)
    return redirect(f"{reverse('ops:user_list')}?province={province.pk}")


def _invite(request: HttpRequest, user: User) -> None:
    try:
        invitation_send(user, base_url=request.build_absolute_uri("/"))
    except Exception:  # the SMTP server is down or refuses: give the link to the administrator instead
        logger.exception("could not e-mail the invitation of user %s", user.pk)
        link = set_password_url(user, base_url=request.build_absolute_uri("/"))
        messages.warning(
            request,
            _("The e-mail could not be sent; give %(user)s this link to choose a password: %(link)s")
            % {"user": user.username, "link": link},
        )
        return
    messages.success(request, _("Invitation sent to %(email)s.") % {"email": user.email})


# --- agencies: import from .xlsx, commune committees from the registry -------------------


def _get_province_to_manage(request: HttpRequest, pk: int) -> AdministrativeUnit:
    province = get_object_or_404(AdministrativeUnit.objects.provinces().current(), pk=pk)
    if not request.user.can_manage_province(province.pk):
        raise PermissionDenied(_("Only the Department of Home Affairs of this province can change this."))
    return province


def _agency_list_url(province: AdministrativeUnit) -> str:
    return f"{reverse('provinces:agency_list')}?province={province.pk}"


@login_required
@require_http_methods(["GET", "POST"])
def agency_import(request: HttpRequest, province_pk: int) -> HttpResponse:
    province = _get_province_to_manage(request, province_pk)
    context = {"province": province, "form": AgencyImportForm(request.POST or None, request.FILES or None)}
    if request.method == "POST" and "payload" in request.POST:
        try:
            rows = unsign_rows(request.POST["payload"], province)
            created = agency_rows_create(rows, province, actor=request.user)
        except signing.BadSignature:
            messages.error(request, _("The preview has expired; upload the file again."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("%(n)d agencies imported.") % {"n": created})
            return redirect(_agency_list_url(province))
    elif request.method == "POST" and context["form"].is_valid():
        try:
            rows = agency_rows_check(context["form"].cleaned_data["file"], province)
        except AgencyFileRefused as refused:
            context["form"].add_error("file", str(refused))
        else:
            good = sum(1 for row in rows if not row.problems)
            context.update(rows=rows, good=good, bad=len(rows) - good, payload=sign_rows(rows, province))
    return render(request, "ops/agency_import.html", context)


@login_required
def agency_import_sample(request: HttpRequest, province_pk: int) -> HttpResponse:
    _get_province_to_manage(request, province_pk)
    response = HttpResponse(
        sample_workbook(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = 'attachment; filename="mau-nhap-co-quan.xlsx"'
    return response


@login_required
@require_POST
def commune_committees(request: HttpRequest, province_pk: int) -> HttpResponse:
    province = _get_province_to_manage(request, province_pk)
    created = commune_committees_create(province, actor=request.user, source=AuditSource.WEB)
    messages.success(request, _("%(n)d commune people's committees created.") % {"n": created})
    return redirect(f"{_agency_list_url(province)}&kind=commune_committee")
