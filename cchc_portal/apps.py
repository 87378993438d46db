from django.apps import AppConfig, apps
from django.conf import settings
from django.db import models
from django.db.models.signals import pre_save


def _text_fields(model) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields if isinstance(f, models.CharField | models.TextField)]


def _is_ours(model) -> bool:
    path = str(model._meta.app_config.path)
    return path.startswith(str(settings.BASE_DIR)) and "site-packages" not in path


def clean_text_fields(sender, instance, **kwargs) -> None:
    """Every text field of every project model loses its control characters before it is saved,
    whatever path wrote it (form, API, admin, import, shell): one rule for all text input.
    Bulk writes (`bulk_create`, `update`, COPY) bypass signals: importers clean their cells."""
    from cchc_portal.lib.text import clean_text

    for name in _TEXT_FIELDS.get(sender, ()):
        value = getattr(instance, name)
        if isinstance(value, str):
            setattr(instance, name, clean_text(value))


_TEXT_FIELDS: dict = {}


class PortalConfig(AppConfig):
    name = "cchc_portal"
    verbose_name = "CCHC portal"

    def ready(self) -> None:
        for model in apps.get_models():
            if _is_ours(model):
                _TEXT_FIELDS[model] = _text_fields(model)
        pre_save.connect(clean_text_fields, dispatch_uid="cchc_portal.clean_text_fields")
