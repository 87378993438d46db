from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from indices.models import Edition, edition_copy_forward


class Command(BaseCommand):
    help = "Copy an edition's methodology (settings and component tree) to another year, to edit it there."

    def add_arguments(self, parser):
        parser.add_argument("--index", required=True)
        parser.add_argument("--from-year", type=int, required=True)
        parser.add_argument("--to-year", type=int)

    def handle(self, *args, index, from_year, to_year=None, **options):
        try:
            edition = Edition.objects.get(index__code=index, year=from_year)
        except Edition.DoesNotExist as exc:
            raise CommandError(f"No edition {index} {from_year}") from exc
        try:
            copy = edition_copy_forward(edition, to_year)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(self.style.SUCCESS(f"{copy}: {copy.components.count()} components"))
