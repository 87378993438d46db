"""import-linter checks the layers (make lint, .ci/run); this keeps its list of apps complete."""

import configparser
from pathlib import Path

from django.apps import apps
from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def _root_packages() -> set[str]:
    config = configparser.ConfigParser()
    config.read(ROOT / ".importlinter")
    return set(config["importlinter"]["root_packages"].split())


def test_every_app_of_the_project_is_checked_by_import_linter():
    ours = {
        app.name.split(".")[0] for app in apps.get_app_configs() if Path(app.path).resolve().parent == ROOT.resolve()
    }
    assert ours <= _root_packages(), "add the new app to .importlinter (root_packages and its layer)"
