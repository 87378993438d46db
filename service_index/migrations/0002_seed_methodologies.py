"""The shipped methodologies (service_index/methodologies.py)."""

from django.db import migrations


def seed(apps, schema_editor):
    from service_index.methodologies import seed_shipped

    seed_shipped(
        apps.get_model("service_index", "Methodology"),
        apps.get_model("service_index", "IndexGroup"),
        apps.get_model("service_index", "Indicator"),
    )


def unseed(apps, schema_editor):
    from service_index.methodologies import METHODOLOGIES

    apps.get_model("service_index", "Methodology").objects.filter(code__in=[m[0] for m in METHODOLOGIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("service_index", "0001_methodology")]
    operations = [migrations.RunPython(seed, unseed)]
