from importlib import import_module
from importlib.util import find_spec

from django.core.management.base import BaseCommand
from django.utils import translation

from accounts.demo import DEMO_PASSWORD, load_demo_users
from provinces.demo import load_demo_province
from provinces.reference import load_reference_units

# Each app that has demo content provides `<app>.demo.load_demo(province=...)`.
DEMO_APPS = ["tasks", "indices", "dossiers", "reports"]


class Command(BaseCommand):
    help = "Load reference units and the demo province, its users and content. Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("--skip-units", action="store_true", help="Do not reload the administrative units.")

    def handle(self, *args, skip_units=False, **options):
        translation.activate("vi")
        if not skip_units:
            counts = load_reference_units()
            self.stdout.write(f"Units: {counts}")
        province = load_demo_province()
        users = load_demo_users(province)
        for app in DEMO_APPS:
            if find_spec(f"{app}.demo") is not None:
                result = import_module(f"{app}.demo").load_demo(province=province)
                self.stdout.write(f"{app}: {result}")
        self.stdout.write(self.style.SUCCESS(f"Demo province: {province.name}"))
        self.stdout.write(f"Demo users (password for all: {DEMO_PASSWORD}):")
        for username, role, created in users:
            self.stdout.write(f"  {username:<16} {role}{'' if created else ' (existing; password unchanged)'}")
