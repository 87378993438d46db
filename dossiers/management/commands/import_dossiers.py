import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from provinces.models import AdministrativeUnit

from ...importing import RefusedFile
from ...importing.initial import InitialRefused, initial_load
from ...jobs import run_import
from ...models import ImportJob, ImportSource, JobStatus


class Command(BaseCommand):
    help = "Import a one-stop dossier export (.csv or .xlsx). Re-importing the same file changes nothing."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="Check and count, write nothing.")
        parser.add_argument("--province", help="Refuse rows for units outside this province (code).")
        parser.add_argument("--source", help="Name of a saved import source (its header mapping is used).")
        parser.add_argument("--errors", help="Where to write the error CSV (default: next to the job's media).")
        parser.add_argument(
            "--initial",
            action="store_true",
            help="First load into a province without dossiers (needs --province): when the dossier table is "
            "empty, its secondary indexes are built after the load; summaries are recomputed.",
        )

    def handle(self, *args, file, dry_run, province, source, errors, initial=False, **options):
        unit = None
        if province:
            unit = AdministrativeUnit.objects.provinces().current().filter(code=province).first()
            if unit is None:
                raise CommandError(f"No current province with code {province}.")
        if initial:
            with override("vi"):
                if unit is None or dry_run:
                    raise CommandError(_("--initial needs --province and cannot be a dry run."))
                try:
                    with initial_load(unit) as load:
                        self._import(file, unit, dry_run, source, errors)
                except InitialRefused as refused:
                    raise CommandError(str(refused)) from None
            kept = "dropped and rebuilt" if load.dropped_indexes else "kept (other provinces' dossiers in the table)"
            self.stdout.write(f"Initial load: secondary indexes {kept}: {', '.join(load.dropped_indexes)} {load.steps}")
            return
        self._import(file, unit, dry_run, source, errors)

    def _import(self, file, unit, dry_run, source, errors) -> None:
        source_obj = ImportSource.objects.filter(name=source).first() if source else None
        job = ImportJob.objects.create(
            province=unit, source=source_obj, original_name=file, dry_run=dry_run, started_at=timezone.now()
        )
        started = time.monotonic()
        try:
            report = run_import(job.pk, path=file, errors_path=errors)
        except RefusedFile as refused:
            raise CommandError(str(refused)) from None
        job.refresh_from_db()
        elapsed = time.monotonic() - started
        if job.status != JobStatus.SUCCEEDED:
            raise CommandError(job.message_text or job.status)
        self.stdout.write(
            f"{'DRY RUN: ' if dry_run else ''}{report.total_rows} rows read, {report.good_rows} valid, "
            f"{report.error_rows} with errors; {report.inserted} new, {report.updated} updated, "
            f"{report.unchanged} unchanged; {report.touched_keys} summary keys refreshed; "
            f"{elapsed:.1f} s ({report.total_rows / elapsed if elapsed else 0:,.0f} rows/s; "
            f"read+check+stage {report.stage_seconds:.1f} s, upsert+summaries {report.apply_seconds:.1f} s {report.steps})"
        )
        if report.errors_path:
            self.stdout.write(f"Errors: {report.errors_path}")
