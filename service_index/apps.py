from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceIndexConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "service_index"
    verbose_name = _("Service index (Decision 766)")
