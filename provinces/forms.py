from django import forms
from django.utils.translation import gettext_lazy as _

from cchc_portal.concurrency import VersionedModelForm
from cchc_portal.widgets import SearchSelect, VnDateField, use_picker

from .models import AdministrativeUnit, Agency, SteeringCommittee, SteeringCommitteeMember, UnitLevel


class AgencyForm(VersionedModelForm):
    predecessors = forms.ModelMultipleChoiceField(
        queryset=Agency.objects.none(),
        required=False,
        label=_("Took over from"),
        help_text=_("Agencies merged into or renamed as this one (effective from its start date)."),
    )

    class Meta:
        model = Agency
        fields = ["name", "short_name", "kind", "commune", "aliases", "valid_from", "valid_to"]
        field_classes = {"valid_from": VnDateField, "valid_to": VnDateField}
        widgets = {"aliases": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, province, **kwargs):
        super().__init__(*args, **kwargs)
        self.province = province
        self.fields["commune"].queryset = (
            AdministrativeUnit.objects.current()
            .filter(province=province, level=UnitLevel.COMMUNE)
            .order_by("name_folded")
        )
        self.fields["commune"].widget = SearchSelect(choices=self.fields["commune"].choices)
        self.fields["commune"].widget.is_required = self.fields["commune"].required
        others = Agency.objects.filter(province=province).in_picker_order()
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
            self.initial.setdefault("predecessors", list(self.instance.predecessors.values_list("pk", flat=True)))
        use_picker(self.fields["predecessors"], others)

    def clean(self):
        data = super().clean()
        if data.get("predecessors") and not data.get("valid_from"):
            self.add_error("valid_from", _("Give the date from which this agency took over."))
        return data


class CommitteeForm(VersionedModelForm):
    class Meta:
        model = SteeringCommittee
        fields = [
            "name",
            "establishing_decision_number",
            "establishing_decision_date",
            "establishing_decision_signer",
            "regulation_decision_number",
            "regulation_decision_date",
        ]
        field_classes = {"establishing_decision_date": VnDateField, "regulation_decision_date": VnDateField}


class MemberForm(VersionedModelForm):
    class Meta:
        model = SteeringCommitteeMember
        fields = ["person_name", "position", "agency", "role", "term_start", "term_end", "decision_number", "order"]
        field_classes = {"term_start": VnDateField, "term_end": VnDateField}

    def __init__(self, *args, province, **kwargs):
        super().__init__(*args, **kwargs)
        use_picker(self.fields["agency"], Agency.objects.current().filter(province=province).in_picker_order())
