from django.core.management.base import BaseCommand

from indices.rankings import rankings_compute_all


class Command(BaseCommand):
    help = "Recompute index rankings (all editions, or one index and/or year). Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("--index", help="Index code, e.g. PAPI")
        parser.add_argument("--year", type=int)

    def handle(self, *args, index=None, year=None, **options):
        result = rankings_compute_all(index, year)
        for edition, count in result.items():
            self.stdout.write(f"{edition}: {count} ranked")
        self.stdout.write(self.style.SUCCESS(f"{len(result)} editions ranked"))
