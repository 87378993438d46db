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

    No migration follows: a field deconstructs its original `_verbose_name`, and each help text's msgid
    is django-otp's own English text (migrations compare them untranslated, so `makemigrations --check`
    fails if one drifts). Fieldset titles are the admin's (accounts/admin.py).
    """

    verbose_name = _("Two-factor sign-in")

    def ready(self) -> None:
        super().ready()
        model = self.get_model("TOTPDevice")
        model._meta.verbose_name = _("authenticator device")
        model._meta.verbose_name_plural = _("authenticator devices")
        for name, label in TOTP_FIELD_LABELS.items():
            model._meta.get_field(name).verbose_name = label
        for name, help_text in TOTP_HELP_TEXTS.items():
            model._meta.get_field(name).help_text = help_text


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

# django-otp's help texts, word for word (see TOTPConfig).
TOTP_HELP_TEXTS = {
    "user": _("The user that this device belongs to."),
    "name": _("The human-readable name of this device."),
    "confirmed": _("Is this device ready for use?"),
    "created_at": _("The date and time when this device was initially created in the system."),
    "last_used_at": _("The most recent date and time this device was used."),
    "throttling_failure_timestamp": _(
        "A timestamp of the last failed verification attempt. Null if last attempt succeeded."
    ),
    "throttling_failure_count": _("Number of successive failed attempts."),
    "key": _("A hex-encoded secret key of up to 40 bytes."),
    "step": _("The time step in seconds."),
    "t0": _("The Unix time at which to begin counting steps."),
    "digits": _("The number of digits to expect in a token."),
    "tolerance": _("The number of time steps in the past or future to allow."),
    "drift": _("The number of time steps the prover is known to deviate from our clock."),
    "last_t": _("The t value of the latest verified token. The next token must be at a higher time step."),
}
