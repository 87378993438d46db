from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

SCOPE_CACHE = "dashboards.scope"  # bumped whenever a user's units or agencies change


def _scope_changed(sender, action, **kwargs) -> None:
    """Whole pages are cached per user (dashboards.views.page_cached): a change of anyone's units or
    agencies (their scope) makes every cached page key new."""
    if action in {"post_add", "post_remove", "post_clear"}:
        from cchc_portal.cache import bump_generation

        bump_generation(SCOPE_CACHE)


class DashboardsConfig(AppConfig):
    name = "dashboards"
    verbose_name = _("Dashboards")

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.db.models.signals import m2m_changed

        from cchc_portal.warming import register_warmer

        from . import blocks, dossier_block
        from .views import warm_leader_bodies

        # The leader body also depends on the indices generation; a rankings job (rare, every
        # province at once) does not warm yet.
        for name in (dossier_block.DOSSIERS_CACHE, blocks.TASKS_CACHE):
            register_warmer(name, "dashboards.leader_body", warm_leader_bodies)

        user_model = get_user_model()
        for through in (user_model.units.through, user_model.agencies.through):
            m2m_changed.connect(_scope_changed, sender=through, dispatch_uid=f"dashboards-scope-{through.__name__}")
