import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError

from provinces.models import AdministrativeUnit

from ...generate import write_export
from ...models import local_today


class Command(BaseCommand):
    help = "Write a synthetic one-stop export (CSV) for a province: for demos, tests and benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, required=True)
        parser.add_argument("--out", required=True)
        parser.add_argument("--province", default="52", help="Current province code (default 52, Gia Lai).")
        parser.add_argument("--bad-rows", type=int, default=0, help="Malformed rows to mix in.")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--months", type=int, default=12)
        parser.add_argument("--end", help="Last day of the export, YYYY-MM-DD (default yesterday).")

    def handle(self, *args, rows, out, province, bad_rows, seed, months, end, **options):
        unit = AdministrativeUnit.objects.provinces().current().filter(code=province).first()
        if unit is None:
            raise CommandError(f"No current province with code {province} (run load_units / load_demo).")
        end_day = dt.date.fromisoformat(end) if end else local_today() - dt.timedelta(days=1)
        started = time.monotonic()
        count = write_export(out, province=unit, rows=rows, end=end_day, months=months, bad_rows=bad_rows, seed=seed)
        self.stdout.write(f"{count} rows written to {out} in {time.monotonic() - started:.1f} s")
