from django import forms
from django.utils.translation import gettext_lazy as _

from cchc_portal.widgets import PortalFileField

from .models import Edition


class EditionChoiceField(forms.ModelChoiceField):
    """Editions by name and year ("Chỉ số ... (PAPI) 2023"), not by code."""

    def label_from_instance(self, obj: Edition) -> str:
        return obj.title


class ScoreUploadForm(forms.Form):
    edition = EditionChoiceField(queryset=Edition.objects.none(), label=_("Index and year"))
    file = PortalFileField(label=_("File of results (.xlsx or .csv)"))

    def __init__(self, editions, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["edition"].queryset = editions
