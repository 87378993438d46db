from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_http_methods, require_POST

from audit.history import history_rows
from audit.log import record_change, snapshot
from audit.models import AuditAction, AuditEvent
from cchc_portal.concurrency import save_versioned, versioned_save
from cchc_portal.lib.text import fold
from cchc_portal.scoping import primary_province_id

from .forms import AgencyForm, CommitteeForm, MemberForm
from .models import (
    LAST_DAY_BEFORE_REORGANISATION,
    AdministrativeUnit,
    Agency,
    AgencySuccession,
    SteeringCommittee,
    SteeringCommitteeMember,
    UnitLevel,
    today,
)


def _get_unit_for_user(request: HttpRequest, pk: int) -> AdministrativeUnit:
    return get_object_or_404(
        AdministrativeUnit.objects.for_user(request.user).select_related("parent", "province"), pk=pk
    )


def _get_agency_for_user(request: HttpRequest, pk: int) -> Agency:
    return get_object_or_404(Agency.objects.for_user(request.user).select_related("province", "commune"), pk=pk)


def _get_committee_for_user(request: HttpRequest, pk: int) -> SteeringCommittee:
    return get_object_or_404(SteeringCommittee.objects.for_user(request.user).select_related("province"), pk=pk)


def _require_manager(request: HttpRequest, province_id: int) -> None:
    if not request.user.can_manage_province(province_id):
        raise PermissionDenied(_("Only the Department of Home Affairs of this province can change this."))


@login_required
def unit_list(request: HttpRequest) -> HttpResponse:
    era = request.GET.get("era", "current")
    date = LAST_DAY_BEFORE_REORGANISATION if era == "before" else today()
    units = AdministrativeUnit.objects.for_user(request.user).provinces().valid_on(date)
    query = request.GET.get("q", "").strip()
    if query:
        units = units.filter(name_folded__contains=fold(query))
    units = units.annotate(
        child_count=Count("children", filter=Q(children__valid_to__isnull=True) | Q(children__valid_to__gte=date))
    ).order_by("code")
    return render(request, "provinces/unit_list.html", {"units": units, "era": era, "query": query, "date": date})


@login_required
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _get_unit_for_user(request, pk)
    children = unit.children.all()
    if unit.is_current:
        children = children.current()
    query = request.GET.get("q", "").strip()
    if query:
        children = children.filter(name_folded__contains=fold(query))
    page = Paginator(children.order_by("code"), 200).get_page(request.GET.get("page"))
    context = {
        "unit": unit,
        "page": page,
        "query": query,
        "predecessors": unit.successions_in.select_related("predecessor").order_by("predecessor__code"),
        "successors": unit.successions_out.select_related("successor").order_by("successor__code"),
        "committee": SteeringCommittee.objects.for_user(request.user).filter(province=unit).first()
        if unit.level == UnitLevel.PROVINCE
        else None,
    }
    return render(request, "provinces/unit_detail.html", context)


@login_required
def agency_list(request: HttpRequest) -> HttpResponse:
    agencies = Agency.objects.for_user(request.user).select_related("province", "commune")
    province_id = request.GET.get("province") or primary_province_id(request.user)
    province = None
    if province_id:
        province = get_object_or_404(AdministrativeUnit.objects.provinces(), pk=province_id)
        agencies = agencies.filter(province=province)
    show = request.GET.get("show", "current")
    if show == "current":
        agencies = agencies.current()
    kind = request.GET.get("kind", "")
    if kind:
        agencies = agencies.filter(kind=kind)
    else:
        # Commune committees are many; list them only when asked for.
        agencies = agencies.exclude(kind="commune_committee")
    query = request.GET.get("q", "").strip()
    if query:
        agencies = agencies.filter(name_folded__contains=fold(query))
    page = Paginator(agencies.in_picker_order(), 100).get_page(request.GET.get("page"))
    return render(
        request,
        "provinces/agency_list.html",
        {
            "page": page,
            "province": province,
            "show": show,
            "kind": kind,
            "query": query,
            "can_manage": province is not None and request.user.can_manage_province(province.pk),
        },
    )


@login_required
def agency_detail(request: HttpRequest, pk: int) -> HttpResponse:
    agency = _get_agency_for_user(request, pk)
    context = {
        "agency": agency,
        "predecessors": agency.successions_in.select_related("predecessor"),
        "successors": agency.successions_out.select_related("successor"),
        "events": AuditEvent.objects.for_object(agency)[:50],
        "can_manage": request.user.can_manage_province(agency.province_id),
    }
    return render(request, "provinces/agency_detail.html", context)


def _save_predecessors(agency: Agency, predecessors, user) -> None:
    wanted = {a.pk for a in predecessors}
    current = set(agency.successions_in.values_list("predecessor_id", flat=True))
    if wanted == current:
        return
    agency.successions_in.exclude(predecessor_id__in=wanted).delete()
    AgencySuccession.objects.bulk_create(
        [
            AgencySuccession(predecessor_id=pk, successor=agency, effective_date=agency.valid_from)
            for pk in wanted - current
        ]
    )
    names = dict(Agency.objects.filter(pk__in=wanted | current).values_list("pk", "name"))
    record_change(
        agency,
        actor=user,
        changes={"predecessors": [sorted(names[p] for p in current), sorted(names[p] for p in wanted)]},
    )


@login_required
@require_http_methods(["GET", "POST"])
def agency_create(request: HttpRequest, province_pk: int) -> HttpResponse:
    province = get_object_or_404(AdministrativeUnit.objects.provinces(), pk=province_pk)
    _require_manager(request, province.pk)
    form = AgencyForm(request.POST or None, province=province, instance=Agency(province=province))
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            agency = form.save()
            record_change(agency, actor=request.user, action=AuditAction.CREATE)
            _save_predecessors(agency, form.cleaned_data["predecessors"], request.user)
        messages.success(request, _("Agency “%(name)s” added.") % {"name": agency.name})
        return redirect(agency)
    return render(request, "provinces/agency_form.html", {"form": form, "province": province})


@login_required
@require_http_methods(["GET", "POST"])
def agency_edit(request: HttpRequest, pk: int) -> HttpResponse:
    agency = _get_agency_for_user(request, pk)
    _require_manager(request, agency.province_id)
    before = snapshot(agency)
    form = AgencyForm(request.POST or None, province=agency.province, instance=agency)
    if request.method == "POST" and form.is_valid():

        def write():
            saved = form.save(commit=False)
            save_versioned(saved, form.cleaned_data["version"], list(form.Meta.fields))
            record_change(saved, actor=request.user, before=before)
            _save_predecessors(saved, form.cleaned_data["predecessors"], request.user)

        if versioned_save(form, write, current=lambda: _get_agency_for_user(request, pk)):
            messages.success(request, _("Changes saved."))
            return redirect(agency)
        return render(request, "provinces/agency_form.html", {"form": form, "province": agency.province}, status=409)
    return render(request, "provinces/agency_form.html", {"form": form, "province": agency.province})


@login_required
def committee_mine(request: HttpRequest) -> HttpResponse:
    province_id = primary_province_id(request.user)
    committee = SteeringCommittee.objects.for_user(request.user).filter(province_id=province_id).first()
    if committee:
        return redirect(committee)
    if province_id and request.user.can_manage_province(province_id):
        return redirect("provinces:committee_create", province_pk=province_id)
    raise Http404(_("No steering committee has been recorded for your province yet."))


@login_required
@require_http_methods(["GET", "POST"])
def committee_create(request: HttpRequest, province_pk: int) -> HttpResponse:
    province = get_object_or_404(AdministrativeUnit.objects.provinces().current(), pk=province_pk)
    _require_manager(request, province.pk)
    if SteeringCommittee.objects.filter(province=province).exists():
        return redirect(province.steering_committee)
    initial = {
        "name": _("Steering Committee for Public Administration Reform of %(province)s") % {"province": province.name}
    }
    form = CommitteeForm(request.POST or None, instance=SteeringCommittee(province=province), initial=initial)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            committee = form.save()
            record_change(committee, actor=request.user, action=AuditAction.CREATE)
        return redirect(committee)
    return render(request, "provinces/committee_form.html", {"form": form, "province": province})


@login_required
def committee_detail(request: HttpRequest, pk: int) -> HttpResponse:
    committee = _get_committee_for_user(request, pk)
    members = list(committee.members.select_related("agency"))
    current = [m for m in members if m.is_current]
    context = {
        "committee": committee,
        "committee_members": [m for m in current if not m.in_working_group],
        "working_group": [m for m in current if m.in_working_group],
        "past_members": [m for m in members if not m.is_current],
        "can_manage": request.user.can_manage_province(committee.province_id),
    }
    return render(request, "provinces/committee_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def committee_edit(request: HttpRequest, pk: int) -> HttpResponse:
    committee = _get_committee_for_user(request, pk)
    _require_manager(request, committee.province_id)
    before = snapshot(committee)
    form = CommitteeForm(request.POST or None, instance=committee)
    if request.method == "POST" and form.is_valid():

        def write():
            saved = form.save(commit=False)
            save_versioned(saved, form.cleaned_data["version"], list(form.Meta.fields))
            record_change(saved, actor=request.user, before=before)

        if versioned_save(form, write, current=lambda: _get_committee_for_user(request, pk)):
            messages.success(request, _("Changes saved."))
            return redirect(committee)
        return render(
            request, "provinces/committee_form.html", {"form": form, "province": committee.province}, status=409
        )
    return render(request, "provinces/committee_form.html", {"form": form, "province": committee.province})


@login_required
@require_http_methods(["GET", "POST"])
def member_edit(request: HttpRequest, committee_pk: int, pk: int | None = None) -> HttpResponse:
    committee = _get_committee_for_user(request, committee_pk)
    _require_manager(request, committee.province_id)
    member = get_object_or_404(committee.members, pk=pk) if pk else SteeringCommitteeMember(committee=committee)
    before = snapshot(member) if pk else None
    form = MemberForm(request.POST or None, instance=member, province=committee.province)
    if request.method == "POST" and form.is_valid():

        def write():
            if pk:
                saved = form.save(commit=False)
                save_versioned(saved, form.cleaned_data["version"], list(form.Meta.fields))
            else:
                saved = form.save()
            record_change(
                saved,
                actor=request.user,
                action=AuditAction.UPDATE if pk else AuditAction.CREATE,
                before=before,
                note=str(committee),
            )

        if versioned_save(form, write, current=lambda: get_object_or_404(committee.members, pk=pk)):
            messages.success(request, _("Changes saved."))
            return redirect(committee)
        status = 409
    else:
        status = 400 if request.method == "POST" else 200
    context = {"form": form, "committee": committee, "member": member}
    return render(request, "provinces/member_form.html", context, status=status)


@login_required
@require_POST
def member_end_term(request: HttpRequest, committee_pk: int, pk: int) -> HttpResponse:
    committee = _get_committee_for_user(request, committee_pk)
    _require_manager(request, committee.province_id)
    member = get_object_or_404(committee.members, pk=pk)
    if member.term_end is None:
        before = snapshot(member)
        member.term_end = today()
        with transaction.atomic():
            save_versioned(member, member.version, ["term_end"])
            record_change(member, actor=request.user, before=before, note=str(committee))
        messages.success(
            request,
            _("%(name)s no longer serves on the committee. This can be undone from the history of changes.")
            % {"name": member.person_name},
        )
    return redirect(committee)


def _end_term_undo_url(committee: SteeringCommittee, members: dict):
    """The undo URL of a "term ended" event whose end date is still the member's (else "")."""

    def undo(event: AuditEvent) -> str:
        member = members.get(event.object_id)
        change = (event.changes or {}).get("term_end")
        if member is None or set(event.changes) != {"term_end"} or not change or change[0] is not None:
            return ""
        if member.term_end is None or member.term_end.isoformat() != change[1]:
            return ""
        return reverse("provinces:member_undo_end", args=[committee.pk, member.pk, event.pk])

    return undo


@login_required
def committee_history(request: HttpRequest, pk: int) -> HttpResponse:
    committee = _get_committee_for_user(request, pk)
    members = {str(m.pk): m for m in committee.members.all()}
    events = (
        AuditEvent.objects.for_object(committee)
        | AuditEvent.objects.for_objects(SteeringCommitteeMember, list(members))
    ).order_by("-at", "-id")
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    can_manage = request.user.can_manage_province(committee.province_id)
    rows = history_rows(page.object_list, undo=_end_term_undo_url(committee, members) if can_manage else None)
    return render(request, "provinces/committee_history.html", {"committee": committee, "page": page, "rows": rows})


@login_required
@require_POST
def member_undo_end(request: HttpRequest, committee_pk: int, pk: int, event_pk: int) -> HttpResponse:
    """Undo "End term today" from the history: the member serves again, recorded as a change."""
    committee = _get_committee_for_user(request, committee_pk)
    _require_manager(request, committee.province_id)
    member = get_object_or_404(committee.members, pk=pk)
    event = get_object_or_404(AuditEvent.objects.for_object(member), pk=event_pk)
    if _end_term_undo_url(committee, {str(member.pk): member})(event):
        before = snapshot(member)
        member.term_end = None
        with transaction.atomic():
            save_versioned(member, member.version, ["term_end"])
            record_change(member, actor=request.user, before=before, note=gettext_noop("undo"))
        messages.success(request, _("%(name)s serves on the committee again.") % {"name": member.person_name})
    else:
        messages.error(request, _("This change can no longer be undone: the member was changed since."))
    return redirect("provinces:committee_history", pk=committee.pk)
