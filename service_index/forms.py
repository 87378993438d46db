from django import forms
from django.utils.translation import gettext_lazy as _

from cchc_portal.widgets import PortalFileField

from .figures import Period


class PublishedUploadForm(forms.Form):
    file = PortalFileField(label=_("File (.xlsx or .csv)"))
    period = forms.CharField(label=_("Period"), max_length=8, help_text=_("2026-08, 2026-Q3, 2026-H1 or 2026."))
    dry_run = forms.BooleanField(label=_("Check only (write nothing)"), required=False, initial=True)

    def clean_period(self) -> Period:
        try:
            return Period.parse(self.cleaned_data["period"])
        except ValueError:
            raise forms.ValidationError(_("Write the period as 2026-08, 2026-Q3, 2026-H1 or 2026.")) from None
