import time

from django.core.management.base import BaseCommand

from ...jobs import recompute_summaries


class Command(BaseCommand):
    help = (
        "Rebuild the dossier summary table from the dossiers (the same function as the Celery job). "
        "The dossiers' stored handling facts are refreshed when the holidays or office hours changed since "
        "they were last refreshed; --refresh-facts refreshes them anyway."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--refresh-facts",
            action="store_true",
            help="Recompute every dossier's stored handling facts even if the calendar did not change.",
        )

    def handle(self, *args, **options):
        started = time.monotonic()
        rows = recompute_summaries(refresh_facts=options["refresh_facts"])
        self.stdout.write(f"{rows} summary rows in {time.monotonic() - started:.2f} s")
