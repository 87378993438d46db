from django.core.management.base import BaseCommand

from ops.uploads import uploads_cleanup


class Command(BaseCommand):
    help = "Delete stored import uploads of jobs finished more than --days ago (default UPLOAD_RETENTION_DAYS)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int)

    def handle(self, *args, days=None, **options):
        counts = uploads_cleanup(days=days)
        self.stdout.write(f"{counts['files']} files deleted ({counts['bytes'] / 1024**2:.1f} MB)")
