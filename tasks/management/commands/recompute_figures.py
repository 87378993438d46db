from django.core.management.base import BaseCommand

from tasks.jobs import recompute_all


class Command(BaseCommand):
    help = "Recompute stored plan figures (all plans, or --plan ID ...). Same function as the nightly job."

    def add_arguments(self, parser):
        parser.add_argument("--plan", type=int, action="append", help="Plan id; repeat for several.")

    def handle(self, *args, plan=None, **options):
        count = recompute_all(plan)
        self.stdout.write(self.style.SUCCESS(f"Recomputed figures of {count} plan(s)."))
