from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceIndexConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "service_index"
    verbose_name = _("Service index (Decision 766)")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        post_migrate.connect(_seed_after_migrate, sender=self)

        from cchc_portal.warming import register_warmer
        from dossiers.stats import STATS_CACHE

        from .views import warm_pages

        # The 766 page of the current month, after a dossier import, a recompute or the overdue job.
        register_warmer(STATS_CACHE, "service_index.page", warm_pages)


def _seed_after_migrate(sender, using: str = "default", **kwargs) -> None:
    """A flushed database (transactional tests) gets the shipped methodologies back."""
    from .methodologies import seed_shipped
    from .models import IndexGroup, Indicator, Methodology

    seed_shipped(Methodology, IndexGroup, Indicator)
