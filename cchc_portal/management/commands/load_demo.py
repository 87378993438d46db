from django.core.management.base import BaseCommand
from django.utils import translation

from accounts.demo import DEMO_PASSWORD, load_demo_users
from assessments import demo as assessments_demo
from dossiers import demo as dossiers_demo
from indices import demo as indices_demo
from provinces.demo import load_demo_province
from provinces.reference import load_reference_units
from reports import demo as reports_demo
from tasks import demo as tasks_demo

# The project composes the apps' demo content: each app provides `load_demo(province=...)`;
# a new app adds its module here.
DEMO_MODULES = [
    ("tasks", tasks_demo),
    ("indices", indices_demo),
    ("dossiers", dossiers_demo),
    ("reports", reports_demo),
    ("assessments", assessments_demo),
]


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
        for label, module in DEMO_MODULES:
            self.stdout.write(f"{label}: {module.load_demo(province=province)}")
        self.stdout.write(self.style.SUCCESS(f"Demo province: {province.name}"))
        self.stdout.write(f"Demo users (password for all: {DEMO_PASSWORD}):")
        for username, role, created in users:
            self.stdout.write(f"  {username:<16} {role}{'' if created else ' (existing; password unchanged)'}")
