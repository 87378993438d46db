"""Third-party apps under a Vietnamese name in the admin (django-axes ships no `vi` catalogue and
names its app only by its label, "Axes")."""

from axes.apps import AppConfig as BaseAxesConfig
from django.utils.translation import gettext_lazy as _


class AxesConfig(BaseAxesConfig):
    verbose_name = _("Login lockouts")
