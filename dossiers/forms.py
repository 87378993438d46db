from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from cchc_portal.scoping import scope_for
from cchc_portal.widgets import PortalFileField
from provinces.models import AdministrativeUnit

from .models import ImportSource

MAX_UPLOAD_BYTES = getattr(settings, "DOSSIER_IMPORT_MAX_BYTES", 2 * 1024**3)


class UploadForm(forms.Form):
    file = PortalFileField(label=_("Export file (.csv or .xlsx)"))
    province = forms.ModelChoiceField(queryset=AdministrativeUnit.objects.none(), label=_("Province"))
    source = forms.ModelChoiceField(
        queryset=ImportSource.objects.all(), required=False, label=_("Source system (header mapping)")
    )
    dry_run = forms.BooleanField(required=False, label=_("Check only, do not save"))

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        provinces = AdministrativeUnit.objects.provinces().filter(valid_to__isnull=True).order_by("code")
        scope = scope_for(user)
        if not scope.all:
            provinces = provinces.filter(pk__in=scope.province_ids)
        self.fields["province"].queryset = provinces
        self.fields["source"].queryset = ImportSource.objects.for_user(user)
        if provinces.count() == 1:
            self.fields["province"].initial = provinces.first()

    def clean_file(self):
        upload = self.cleaned_data["file"]
        # The type is read from the content (cchc_portal.lib.imports), not from the name.
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is too large."))
        return upload
