from django.core.management.base import BaseCommand

from assessments.scoring import rounds_lock_due


class Command(BaseCommand):
    help = "Close the stages of scoring rounds whose deadline has passed (what the beat job runs nightly)."

    def handle(self, *args, **options):
        moved = rounds_lock_due()
        for round_id, stage in moved:
            self.stdout.write(f"round {round_id}: {stage}")
        self.stdout.write(self.style.SUCCESS(f"{len(moved)} stage(s) closed"))
