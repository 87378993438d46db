from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DossiersConfig(AppConfig):
    name = "dossiers"
    verbose_name = _("One-stop dossiers")

    def ready(self) -> None:
        from cchc_portal.warming import register_warmer

        from .stats import STATS_CACHE, warm_stats_pages

        register_warmer(STATS_CACHE, "dossiers.stats_page", warm_stats_pages)
