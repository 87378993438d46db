from django.core.management.base import BaseCommand

from tasks.overdue import overdue_mark


class Command(BaseCommand):
    help = "Mark tasks that became overdue (and clear those that no longer are); recompute their plans' figures."

    def handle(self, *args, **options):
        result = overdue_mark()
        self.stdout.write(self.style.SUCCESS(f"{result}"))
