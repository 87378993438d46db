from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

SHIPPED_HOLIDAYS = "dossiers.migrations.0002_holidays_2024_2027"


class DossiersConfig(AppConfig):
    name = "dossiers"
    verbose_name = _("One-stop dossiers")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from cchc_portal.warming import register_warmer

        from .stats import STATS_CACHE, warm_stats_pages

        register_warmer(STATS_CACHE, "dossiers.stats_page", warm_stats_pages)
        post_migrate.connect(_seed_holidays_after_migrate, sender=self, dispatch_uid="dossiers-seed-holidays")


def _seed_holidays_after_migrate(sender, using: str = "default", apps=None, **kwargs) -> None:
    """A flushed database (transactional tests, `flush`) gets the shipped holidays back, as the
    service index gets its methodologies: without them every working-day count after a flush (a
    `--reuse-db` run after a transactional test) silently counts Tết and National Day as working days.

    Only into an empty table, and only once the data migration is applied: an operator who deleted a
    shipped day (a corrected annual notice) does not see it come back at the next `migrate`."""
    import datetime as dt
    import importlib

    from django.apps import apps as global_apps
    from django.db import connections
    from django.db.migrations.recorder import MigrationRecorder

    try:
        holiday = (apps or global_apps).get_model("dossiers", "Holiday")
    except LookupError:  # migrated back before the table
        return
    recorder = MigrationRecorder(connections[using])
    if (
        not recorder.has_table()
        or not recorder.migration_qs.filter(app="dossiers", name=SHIPPED_HOLIDAYS.rsplit(".", 1)[1]).exists()
    ):
        return
    if holiday.objects.using(using).exists():
        return
    shipped = importlib.import_module(SHIPPED_HOLIDAYS).HOLIDAYS
    rows = [holiday(date=dt.date.fromisoformat(day), name=name) for day, name in shipped]
    holiday.objects.using(using).bulk_create(rows, ignore_conflicts=True)
