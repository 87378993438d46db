"""Third-party apps under a Vietnamese name in the admin (django-axes ships no `vi` catalogue and
names its app only by its label, "Axes"; django-otp's TOTP device has English-only field names)."""

from axes.apps import AppConfig as BaseAxesConfig
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.apps import DefaultConfig as BaseTOTPConfig


class AxesConfig(BaseAxesConfig):
    verbose_name = _("Login lockouts")


class TOTPConfig(BaseTOTPConfig):
    """django-otp's authenticator-app devices: its models name fields in plain English strings (not
    marked for translation), so the admin's columns, filters and form labels get Vietnamese names here.

    Only `verbose_name` is set: the field's deconstructed `_verbose_name` stays django-otp's, so no
    migration follows. Help texts and fieldset titles are the admin's (accounts/admin.py).
    """

    verbose_name = _("Two-factor sign-in")

    def ready(self) -> None:
        super().ready()
        model = self.get_model("TOTPDevice")
        model._meta.verbose_name = _("authenticator device")
        model._meta.verbose_name_plural = _("authenticator devices")
        for name, label in TOTP_FIELD_LABELS.items():
            model._meta.get_field(name).verbose_name = label


TOTP_FIELD_LABELS = {
    "user": _("user"),
    "name": _("device name"),
    "confirmed": _("confirmed"),
    "created_at": _("created at"),
    "last_used_at": _("last used at"),
    "throttling_failure_timestamp": _("last failed attempt"),
    "throttling_failure_count": _("failed attempts in a row"),
    "key": _("secret key"),
    "step": _("time step (seconds)"),
    "t0": _("start time (t0)"),
    "digits": _("digits"),
    "tolerance": _("tolerance (steps)"),
    "drift": _("clock drift (steps)"),
    "last_t": _("time step of the last code accepted"),
}
