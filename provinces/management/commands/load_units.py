from django.core.management.base import BaseCommand

from provinces.reference import load_reference_units


class Command(BaseCommand):
    help = "Load or refresh the administrative units (63 → 34 provinces) and their 2025 lineage. Idempotent."

    def handle(self, *args, **options):
        counts = load_reference_units()
        self.stdout.write(", ".join(f"{key}={value}" for key, value in counts.items()))
