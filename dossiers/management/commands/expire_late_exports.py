from django.core.management.base import BaseCommand

from ...jobs import expire_late_exports


class Command(BaseCommand):
    help = "Delete the files of late-list exports finished more than 7 days ago (daily job)."

    def handle(self, *args, **options):
        self.stdout.write(f"{expire_late_exports()} exports expired")
