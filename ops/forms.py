from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, User
from cchc_portal.widgets import PortalFileField
from provinces.models import Agency

# What a province administrator may give: never an administrator role.
PROVINCE_ROLES = [(r.value, r.label) for r in (Role.AGENCY_OFFICER, Role.LEADER, Role.VIEWER)]


class ProvinceUserForm(forms.ModelForm):
    """A user of one province: officers of its agencies, leaders, viewers."""

    role = forms.ChoiceField(label=_("Role"), choices=PROVINCE_ROLES)
    agencies = forms.ModelMultipleChoiceField(
        label=_("Agencies"),
        queryset=Agency.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("An agency officer updates the tasks of the agencies ticked here."),
    )

    class Meta:
        model = User
        # Vietnamese order: family name (họ) first.
        fields = ["username", "last_name", "first_name", "email", "role", "agencies", "is_active"]

    def __init__(self, *args, province, **kwargs):
        super().__init__(*args, **kwargs)
        self.province = province
        self.fields["email"].required = True
        self.fields["agencies"].queryset = (
            Agency.objects.current().filter(province=province).exclude(kind="commune_committee").order_by("name")
        )
        if self.instance.pk:
            del self.fields["username"]
        else:
            del self.fields["is_active"]

    def clean_username(self):
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("This user name is taken."))
        return username

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("role") == Role.AGENCY_OFFICER and not cleaned.get("agencies"):
            self.add_error("agencies", _("Choose at least one agency for an agency officer."))
        if cleaned.get("role") != Role.AGENCY_OFFICER:
            cleaned["agencies"] = []
        return cleaned


class AgencyImportForm(forms.Form):
    file = PortalFileField(label=_("Agency list (.xlsx)"))
