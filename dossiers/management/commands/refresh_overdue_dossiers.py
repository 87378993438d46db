from django.core.management.base import BaseCommand

from ...jobs import refresh_overdue_dossiers


class Command(BaseCommand):
    help = "Mark unfinished dossiers past their due day as overdue and refresh their summaries (daily job)."

    def handle(self, *args, **options):
        self.stdout.write(f"{refresh_overdue_dossiers()} dossiers became overdue")
