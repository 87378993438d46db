from django.core.management.base import BaseCommand

from tasks.reminders import reminders_send


class Command(BaseCommand):
    help = "E-mail lead agencies about approaching deadlines and overdue tasks (each event once)."

    def handle(self, *args, **options):
        result = reminders_send()
        self.stdout.write(self.style.SUCCESS(f"{result}"))
