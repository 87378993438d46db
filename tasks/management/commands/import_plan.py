from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import translation

from audit.models import AuditSource
from provinces.models import AdministrativeUnit
from tasks import importing


class Command(BaseCommand):
    help = "Import a plan's task annex (.xlsx or .csv) for a unit and year. Nothing is written if any row is wrong."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--unit", required=True, help="Official code of the province or commune, e.g. 52")
        parser.add_argument("--year", required=True, type=int)
        parser.add_argument("--dry-run", action="store_true", help="Check and show the preview only.")

    def handle(self, *args, file, unit, year, dry_run=False, **options):
        translation.activate("vi")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {file}")
        units = AdministrativeUnit.objects.current().filter(code=unit.strip())
        if units.count() != 1:
            raise CommandError(f"No current unit with code {unit!r} (load units first: manage.py load_units).")
        try:
            rows = importing.read_rows(path.read_bytes(), path.name)
        except importing.ImportFileError as exc:
            raise CommandError(str(exc)) from exc
        with transaction.atomic():
            plan, created = importing.plan_for_unit(units.get(), year, source=AuditSource.COMMAND)
            preview = importing.plan_import_preview(plan, rows)
            for problem in preview.problems:
                self.stderr.write(str(problem))
            summary = preview.summary
            self.stdout.write(
                "{rows} task rows: {create} new, {update} changed, {unchanged} unchanged, {errors} with problems; "
                "{new_areas} new areas; {missing} plan tasks not in the file".format(**summary)
            )
            if dry_run or not preview.ok:
                transaction.set_rollback(True)
                if not preview.ok:
                    raise CommandError("Nothing imported: fix the rows above.")
                self.stdout.write("Dry run: nothing written.")
                return
            result = importing.plan_import_commit(preview, source=AuditSource.COMMAND, note=path.name)
        self.stdout.write(
            self.style.SUCCESS(f"Imported into plan {plan.pk} ({'new' if created else 'existing'}): {result}")
        )
