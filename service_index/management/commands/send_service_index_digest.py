import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from service_index.digest import send_weekly_digest


class Command(BaseCommand):
    help = "Send the weekly Decision 766 digest to leaders and province administrators (once per ISO week per user)."

    def add_arguments(self, parser):
        parser.add_argument("--today", help="YYYY-MM-DD (default: today)")

    def handle(self, *args, today=None, **options):
        try:
            day = dt.date.fromisoformat(today) if today else None
        except ValueError:
            raise CommandError("--today: use YYYY-MM-DD") from None
        sent = send_weekly_digest(day)
        self.stdout.write(f"{sent} notifications")
