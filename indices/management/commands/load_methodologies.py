from django.core.management.base import BaseCommand

from indices.reference import load_methodologies


class Command(BaseCommand):
    help = "Load the shipped methodologies (PAR INDEX, SIPAS, PAPI) and the 6 regions. Safe to run again."

    def handle(self, *args, **options):
        self.stdout.write(str(load_methodologies()))
