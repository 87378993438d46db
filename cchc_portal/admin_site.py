"""The admin site: sign-in through the portal's login (with its two-factor step), and a verified
session required from users who have a two-factor device."""

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse


class AdminSite(admin.AdminSite):
    def has_permission(self, request):
        if not super().has_permission(request):
            return False
        from django_otp import user_has_device

        user = request.user
        return not user_has_device(user) or user.is_verified()

    def login(self, request, extra_context=None):
        return redirect_to_login(request.GET.get("next") or reverse("admin:index"), reverse("login"))
