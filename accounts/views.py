import time

from django import forms
from django.contrib import messages
from django.contrib.auth import BACKEND_SESSION_KEY, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from rest_framework.authtoken.models import Token

from . import two_factor
from .models import User

# A password accepted, waiting for the second factor: (user id, backend, next, since).
PENDING_KEY = "cchc_otp_pending"
PENDING_SECONDS = 300


class CodeForm(forms.Form):
    token = forms.CharField(
        label=gettext_lazy("Authentication code"),
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
        help_text=gettext_lazy("The 6-digit code shown by your authenticator app."),
    )


class LoginView(auth_views.LoginView):
    """Password first; a user with a confirmed two-factor device then gives a code (login_otp)."""

    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and not user.is_verified() and two_factor.confirmed_device(user) is not None:
            # Signed in without the second factor (a session from before enrolment): ask for the code.
            return redirect(f"{reverse('login_otp')}?{urlencode({'next': self.get_redirect_url()})}")
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        user = form.get_user()
        if two_factor.confirmed_device(user) is None:
            return super().form_valid(form)
        self.request.session[PENDING_KEY] = [user.pk, user.backend, self.get_success_url(), time.time()]
        return redirect("login_otp")


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


def _pending_user(request: HttpRequest) -> tuple[User | None, str, str]:
    pending = request.session.get(PENDING_KEY)
    if not pending or time.time() - pending[3] > PENDING_SECONDS:
        return None, "", ""
    user = User.objects.filter(pk=pending[0], is_active=True).first()
    return user, pending[1], pending[2]


@never_cache
@sensitive_post_parameters("token")
@require_http_methods(["GET", "POST"])
def login_otp(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: the code from the user's authenticator app."""
    if request.user.is_authenticated and not request.user.is_verified():
        # Signed in before enrolling elsewhere, or a session from before: verify it now.
        user, backend, next_url = (
            request.user,
            request.session.get(BACKEND_SESSION_KEY, ""),
            request.GET.get("next", ""),
        )
    else:
        user, backend, next_url = _pending_user(request)
    if user is None:
        messages.error(request, _("Your sign-in has expired. Please enter your password again."))
        return redirect("login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = two_factor.confirmed_device(user)
        problem = two_factor.refusal(device, form.cleaned_data["token"])
        if problem is None:
            if not request.user.is_authenticated:
                login(request, user, backend=backend)
            otp_login(request, device)
            request.session.pop(PENDING_KEY, None)
            if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
                next_url = ""
            return redirect(next_url or "home")
        form.add_error("token", problem)
    return render(request, "registration/login_otp.html", {"form": form})


@login_required
@sensitive_post_parameters("token")
@require_http_methods(["GET", "POST"])
def two_factor_settings(request: HttpRequest) -> HttpResponse:
    """Turn two-factor sign-in on (scan, then confirm with a code) or off (with a code)."""
    user = request.user
    if not two_factor.may_enrol(user):
        raise PermissionDenied(_("Two-factor sign-in is for administrators."))
    device = two_factor.confirmed_device(user)
    form = CodeForm(request.POST or None)
    if device is None:
        pending = two_factor.pending_device(user)
        if request.method == "POST" and form.is_valid():
            problem = two_factor.refusal(pending, form.cleaned_data["token"])
            if problem is None:
                two_factor.confirm(request, pending)
                messages.success(request, _("Two-factor sign-in is on. You will be asked for a code when you sign in."))
                return redirect("two_factor")
            form.add_error("token", problem)
        context = {
            "form": form,
            "enabled": False,
            "qr": two_factor.qr_svg(pending),
            "secret": two_factor.secret_text(pending),
        }
        return render(request, "accounts/two_factor.html", context)
    if request.method == "POST" and form.is_valid():
        problem = two_factor.refusal(device, form.cleaned_data["token"])
        if problem is None:
            device.delete()
            messages.success(request, _("Two-factor sign-in is off."))
            return redirect("two_factor")
        form.add_error("token", problem)
    return render(request, "accounts/two_factor.html", {"form": form, "enabled": True})
