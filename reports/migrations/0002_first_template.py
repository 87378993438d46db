from django.db import migrations


def load(apps, schema_editor):
    from reports.template_data import load_first_template

    load_first_template(
        apps.get_model("reports", "ReportTemplate"),
        apps.get_model("reports", "ReportSection"),
        apps.get_model("reports", "ReportFigure"),
    )


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_reporting_cycle")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
