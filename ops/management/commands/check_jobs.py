from django.core.management.base import BaseCommand

from cchc_portal.liveness import check_jobs


class Command(BaseCommand):
    help = "Finish jobs whose worker is gone (failed, with 'run again') and resend jobs the broker never got."

    def handle(self, *args, **options):
        counts = check_jobs()
        self.stdout.write(f"gave up on {counts['gave_up']} jobs, resent {counts['resent']}")
