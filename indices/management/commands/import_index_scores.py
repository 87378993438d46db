from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from audit.models import AuditSource
from indices.importing import import_scores
from indices.models import Edition


class Command(BaseCommand):
    help = (
        "Import an index's published results from .xlsx or .csv: one row per subject, one column per component. "
        "Nothing is written when any row has an error."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--index", required=True, help="Index code: PAR_INDEX, SIPAS, PAPI, ...")
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--dry-run", action="store_true", help="Check and report; write nothing.")

    def handle(self, *args, file, index, year, dry_run=False, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{file}: no such file")
        try:
            edition = Edition.objects.select_related("index").get(index__code__iexact=index, year=year)
        except Edition.DoesNotExist as exc:
            years = Edition.objects.filter(index__code__iexact=index).order_by("year").values_list("year", flat=True)
            known = ", ".join(str(y) for y in years)
            raise CommandError(f"No edition {index} {year}. Years of {index}: {known or 'none'}") from exc
        plan = import_scores(edition, path.read_bytes(), path.name, dry_run=dry_run, source=AuditSource.COMMAND)
        for problem in plan.problems:
            self.stderr.write(str(problem))
        self.stdout.write(plan.summary())
        if not plan.ok:
            raise CommandError(f"{len(plan.errors)} errors; nothing written")
