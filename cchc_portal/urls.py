import os

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, reverse_lazy
from django.utils.translation import gettext_lazy as _

from accounts import views as accounts_views
from cchc_portal import passwords
from cchc_portal import views as project_views
from dashboards import views as dashboards_views
from ops import views as ops_views

admin.site.site_header = _("CCHC portal administration")
admin.site.site_title = _("CCHC portal")
admin.site.index_title = _("Administration")

urlpatterns = [
    path("", project_views.home, name="home"),
    path("healthz", ops_views.healthz, name="healthz"),
    path("readyz", ops_views.readyz, name="readyz"),
    path("accounts/login/", accounts_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(
            template_name="registration/password_change.html", form_class=passwords.PasswordChangeForm
        ),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="registration/password_change_done.html"),
        name="password_change_done",
    ),
    # Invitations (ops/invitations.py): a one-time link to choose the first password.
    path(
        "accounts/welcome/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="registration/set_password.html",
            post_reset_login=False,
            success_url=reverse_lazy("invitation_done"),
        ),
        name="invitation_confirm",
    ),
    path(
        "accounts/welcome/done/",
        auth_views.PasswordResetCompleteView.as_view(template_name="registration/set_password_done.html"),
        name="invitation_done",
    ),
    path("accounts/token/", accounts_views.api_token, name="api_token"),
    path("accounts/login/code/", accounts_views.login_otp, name="login_otp"),
    path("accounts/two-factor/", accounts_views.two_factor_settings, name="two_factor"),
    path(
        "accounts/password/reset/",
        auth_views.PasswordResetView.as_view(
            template_name="registration/password_reset_form.html",
            email_template_name="registration/password_reset_email.txt",
            subject_template_name="registration/password_reset_subject.txt",
        ),
        name="password_reset",
    ),
    path(
        "accounts/password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="registration/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(template_name="registration/password_reset_confirm.html"),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(template_name="registration/password_reset_complete.html"),
        name="password_reset_complete",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    path("units/", include("provinces.urls")),
    path("plans/", include("tasks.urls")),
    path("indices/", include("indices.urls")),
    path("dossiers/", include("dossiers.urls")),
    path("assessments/", include("assessments.urls")),
    path("service-index/", include("service_index.urls")),
    path("dashboard/", include("dashboards.urls")),
    path("reports/", include("reports.urls")),
    path("notifications/", include("notifications.urls")),
    path("province-users/", include("ops.urls")),
    path("api/v1/", include("cchc_portal.api_urls")),
    path("admin/", admin.site.urls),
    path("search/", dashboards_views.search, name="search"),
    path("help/", dashboards_views.help_page, name="help"),
    path("favicon.ico", dashboards_views.favicon),
]

# Benchmark-only routes (bench/http_load.py sets this for the gunicorn it starts).
if os.environ.get("CCHC_BENCH_VIEWS") == "1":
    from cchc_portal import bench_views

    urlpatterns.append(path("bench/trivial", bench_views.bench_trivial, name="bench_trivial"))
