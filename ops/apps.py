from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Running the portal: health, job liveness, logs, reference data and province set-up."""

    name = "ops"
    verbose_name = _("Operations")
