from django.core.management.base import BaseCommand

from ops.reference import reference_load


class Command(BaseCommand):
    help = (
        "Load all reference data — administrative units and their 2025 lineage, index methodologies, "
        "regions, public holidays — and nothing else. Safe to run again."
    )

    def handle(self, *args, **options):
        reference_load(stdout=self.stdout)
