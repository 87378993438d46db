import os

from celery import Celery
from celery.signals import setup_logging

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cchc_portal.settings")

app = Celery("cchc_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
# The app is named `tasks` after the domain word, so job modules are `jobs.py`.
app.autodiscover_tasks(related_name="jobs")


@setup_logging.connect
def _use_the_portal_logging(**kwargs) -> None:
    """Workers and beat log through settings.LOGGING (JSON lines), not Celery's own format."""
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)
