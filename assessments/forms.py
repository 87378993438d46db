from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cchc_portal.widgets import PortalFileField, VnDateField

from .models import DEADLINE_FIELDS, Answer, Methodology, Stage, TargetGroup, default_bands
from .scoring import parse_points


class PointsField(forms.CharField):
    """Points typed the Vietnamese way (12,5) or the other (12.5)."""

    def to_python(self, value):
        value = super().to_python(value)
        try:
            return parse_points(value)
        except ValidationError as exc:
            raise ValidationError(exc.messages) from exc


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class SelfScoreForm(VersionForm):
    answer = forms.ChoiceField(label=_("Answer"), choices=[("", "–"), *Answer.choices], required=False)
    declared_value = forms.CharField(label=_("Declared figure"), max_length=255, required=False)
    self_score = PointsField(label=_("Self-score"), required=False)
    self_explanation = forms.CharField(
        label=_("Explanation (scored without evidence)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    self_note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class AppraisalForm(VersionForm):
    appraised_score = PointsField(label=_("Appraised score"), required=False)
    appraisal_note = forms.CharField(
        label=_("Note to the unit"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    internal_note = forms.CharField(
        label=_("Internal note (never shown to the unit)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ExplanationAnswerForm(VersionForm):
    explanation_answer = forms.CharField(
        label=_("Your explanation"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class EvidenceUploadForm(forms.Form):
    file = PortalFileField(label=_("File"))
    location = forms.CharField(label=_("Page / section"), max_length=255, required=False)


class EvidenceLinkForm(forms.Form):
    task_evidence = forms.IntegerField(label=_("A file of one of your tasks"))
    location = forms.CharField(label=_("Page / section"), max_length=255, required=False)


class SubmitForm(VersionForm):
    signed_report = PortalFileField(label=_("Signed self-assessment report (PDF)"))


class ExplanationRequestForm(forms.Form):
    text = forms.CharField(label=_("What the unit should explain"), widget=forms.Textarea(attrs={"rows": 3}))


class MethodologyForm(forms.ModelForm):
    bands_text = forms.CharField(
        label=_("Classification bands"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One band a line, the lowest percent it needs: “Tốt: 80”."),
    )

    class Meta:
        model = Methodology
        fields = ["year", "group", "name", "decision_ref", "bonus_cap", "penalty_cap"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = TargetGroup.choices
        bands = self.instance.bands if self.instance.pk else default_bands()
        self.initial.setdefault("bands_text", "\n".join(f"{b.get('label') or b['code']}: {b['min']}" for b in bands))

    def clean_bands_text(self):
        bands = []
        for number, line in enumerate((self.cleaned_data.get("bands_text") or "").splitlines(), start=1):
            if not line.strip():
                continue
            label, _sep, minimum = line.rpartition(":")
            try:
                value = parse_points(minimum)
            except ValidationError:
                value = None
            if not label.strip() or value is None or not 0 <= value <= 100:
                raise ValidationError(_("Line %(n)d: write “label: lowest percent”, e.g. “Tốt: 80”.") % {"n": number})
            bands.append({"code": label.strip(), "label": label.strip(), "min": float(value)})
        return bands

    def save(self, commit=True):
        self.instance.bands = self.cleaned_data.get("bands_text") or default_bands()
        return super().save(commit)


class NotApplicableForm(forms.Form):
    criterion = forms.IntegerField(label=_("Criterion"))
    subject = forms.CharField(label=_("Unit"))
    reason = forms.CharField(label=_("Reason"), max_length=255, required=False)


class TreeUploadForm(forms.Form):
    file = PortalFileField(label=_("Decision annex (.xlsx)"))


class SurveyUploadForm(forms.Form):
    file = PortalFileField(label=_("Survey results (.xlsx)"))


class RoundOpenForm(forms.Form):
    self_opens = VnDateField(label=_("Self-assessment opens"))
    self_closes = VnDateField(label=_("Self-assessment closes"))
    appraisal1_closes = VnDateField(label=_("First appraisal closes"))
    explanation_closes = VnDateField(label=_("Explanation deadline"))
    appraisal2_closes = VnDateField(label=_("Second appraisal closes"))


class ExtensionForm(forms.Form):
    stage = forms.ChoiceField(label=_("Stage"), choices=[(s.value, s.label) for s in Stage if s in DEADLINE_FIELDS])
    new_date = VnDateField(label=_("New deadline"))
    reason = forms.CharField(label=_("Reason"), max_length=500)


class AssignmentForm(forms.Form):
    area = forms.IntegerField(label=_("Area"))
    agency = forms.IntegerField(label=_("Appraising agency"))


class PublishForm(VersionForm):
    decision_number = forms.CharField(label=_("Decision number"), max_length=100)
    decision_date = VnDateField(label=_("Decision date"))
    signer = forms.CharField(label=_("Signed by"), max_length=255)
