from io import StringIO

from django.core.management import call_command

from accounts.models import User
from tasks.models import Plan


def test_the_project_demo_command_loads_the_province_its_users_and_every_apps_content(reference_units):
    out = StringIO()
    call_command("load_demo", "--skip-units", stdout=out)
    assert {"admin", "province_admin", "officer", "leader", "viewer"} <= set(
        User.objects.values_list("username", flat=True)
    )
    assert Plan.objects.exists()
    text = out.getvalue()
    assert "tasks:" in text and "indices:" in text and "dossiers:" in text
