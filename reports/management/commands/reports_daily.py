import datetime as dt

from django.core.management.base import BaseCommand

from reports.jobs import daily_run


class Command(BaseCommand):
    help = "Open reporting rounds whose window closes today and send the due report reminders (job reports.daily)."

    def add_arguments(self, parser):
        parser.add_argument("--date", type=dt.date.fromisoformat, help="Run as if today were this day (YYYY-MM-DD).")

    def handle(self, *args, date=None, **options):
        self.stdout.write(str(daily_run(date)))
