import time

from django.core.management.base import BaseCommand

from ...jobs import recompute_summaries


class Command(BaseCommand):
    help = "Rebuild the dossier summary table from the dossiers (the same function as the Celery job)."

    def handle(self, *args, **options):
        started = time.monotonic()
        rows = recompute_summaries()
        self.stdout.write(f"{rows} summary rows in {time.monotonic() - started:.2f} s")
