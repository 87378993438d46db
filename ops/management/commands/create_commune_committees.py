from django.core.management.base import BaseCommand, CommandError

from ops.commune_committees import commune_committees_create
from provinces.models import AdministrativeUnit


class Command(BaseCommand):
    help = "Create the commune people's committees of a current province from the unit registry. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--province", required=True, help="Current province code, e.g. 52.")

    def handle(self, *args, province, **options):
        unit = AdministrativeUnit.objects.provinces().current().filter(code=province).first()
        if unit is None:
            raise CommandError(f"No current province with code {province!r}; run `manage.py load_reference` first.")
        created = commune_committees_create(unit)
        self.stdout.write(f"{created} commune people's committees created in {unit.name}.")
