from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from .models import Notification


@login_required
def notification_list(request):
    notes = Notification.objects.for_user(request.user)
    page = Paginator(notes, 50).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {"page": page})


@login_required
def unread_count(request):
    """The badge beside "To-do" in the navigation, loaded after the page (keeps pages' query counts)."""
    count = Notification.objects.for_user(request.user).unread().count()
    return HttpResponse(str(count) if count else "")


@login_required
@require_POST
def open_notification(request, pk: int):
    note = Notification.objects.for_user(request.user).filter(pk=pk).first()
    if note is None:
        raise Http404
    note.mark_read()
    if note.url and url_has_allowed_host_and_scheme(note.url, allowed_hosts={request.get_host()}):
        return redirect(note.url)
    return redirect("notifications:list")


@login_required
@require_POST
def mark_all_read(request):
    Notification.objects.for_user(request.user).unread().update(read_at=timezone.now())
    return redirect("notifications:list")
