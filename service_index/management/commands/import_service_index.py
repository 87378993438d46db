from django.core.management.base import BaseCommand, CommandError

from audit.models import AuditSource
from provinces.models import AdministrativeUnit
from service_index.figures import Period
from service_index.importing import FileRefused, commit, preview


class Command(BaseCommand):
    help = "Import the national portal's published Decision 766 figures of a province's units for a period."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--province", required=True, help="Official code of the province")
        parser.add_argument("--period", required=True, help="2026-08, 2026-Q3, 2026-H1 or 2026")
        parser.add_argument("--dry-run", action="store_true", help="Check the file and report; write nothing")

    def handle(self, *args, file, province, period, dry_run=False, **options):
        unit = AdministrativeUnit.objects.provinces().current().filter(code=province).first()
        if unit is None:
            raise CommandError(f"No current province with code {province}.")
        try:
            parsed_period = Period.parse(period)
        except ValueError:
            raise CommandError("--period: 2026-08, 2026-Q3, 2026-H1 or 2026") from None
        try:
            result = preview(file, province=unit, period=parsed_period)
        except FileRefused as refused:
            raise CommandError(str(refused)) from None
        except OSError as error:
            raise CommandError(str(error)) from None
        for problem in result.problems:
            self.stderr.write(str(problem))
        if dry_run:
            self.stdout.write(f"{len(result.rows)} rows can be imported, {len(result.problems)} with errors (dry run).")
            return
        written = commit(result, province=unit, period=parsed_period, source_name=file, source=AuditSource.COMMAND)
        self.stdout.write(f"{written} rows imported, {len(result.problems)} with errors.")
