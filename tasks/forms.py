from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cchc_portal.concurrency import VersionedModelForm
from cchc_portal.files import validate_upload
from cchc_portal.widgets import PortalFileField, PortalFileInput, PortalMultipleFileInput, VnDateField, use_picker

from .models import DEFAULT_AREAS, Plan, Task, TaskStatus, progress_check, today


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", PortalMultipleFileInput(attrs={"accept": ".pdf,.doc,.docx,.xls,.xlsx,.png,.jpg,.jpeg"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class ProgressForm(forms.Form):
    """The one short form an agency officer fills in."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    status = forms.ChoiceField(label=_("Status"), choices=TaskStatus.choices)
    percent = forms.IntegerField(label=_("Percent complete"), min_value=0, max_value=100, required=False)
    completion_date = VnDateField(
        label=_("Completion date"),
        required=False,
        help_text=_("Only when completed; default today."),
    )
    note = forms.CharField(
        label=_("Progress note for this reporting period"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    files = MultipleFileField(
        label=_("Evidence files"),
        required=False,
        help_text=_("PDF, Word, Excel or images (PNG, JPEG); up to 20 MB each."),
    )
    document_number = forms.CharField(label=_("Document number"), max_length=100, required=False)
    document_date = VnDateField(label=_("Document date"), required=False)

    def __init__(self, *args, task: Task, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "version": task.version,
                "status": task.status,
                "percent": task.percent,
                "completion_date": task.completion_date,
            },
        )
        super().__init__(*args, **kwargs)
        self.task = task

    def clean_files(self):
        files = self.cleaned_data.get("files") or []
        errors = []
        for upload in files:
            try:
                validate_upload(upload)
            except ValidationError as exc:
                errors.extend(exc.messages)
        if errors:
            raise ValidationError(errors)
        return files

    def clean(self):
        data = super().clean()
        if data.get("document_date") and not data.get("document_number"):
            self.add_error("document_number", _("Give the document's number too."))
        if data.get("status"):
            completed = data["status"] == TaskStatus.COMPLETED
            percent = data.get("percent")
            try:
                progress_check(
                    status=data["status"],
                    percent=(100 if percent is None else percent) if completed else percent,
                    completion_date=(data.get("completion_date") or today()) if completed else None,
                    plan_year=self.task.plan.year,
                )
            except ValidationError as exc:
                for field, messages in exc.message_dict.items():
                    self.add_error(field, messages)
        if (
            not data.get("note")
            and not data.get("files")
            and data.get("status") == self.task.status
            and (data.get("percent") == self.task.percent)
        ):
            raise ValidationError(_("Nothing to save: change the status or percent, or write a note."))
        return data


class PlanForm(VersionedModelForm):
    areas_text = forms.CharField(
        label=_("Content areas"),
        widget=forms.Textarea(attrs={"rows": 8}),
        required=False,
        help_text=_("One per line as “CODE. Name”; leave empty for the eight default areas."),
    )

    class Meta:
        model = Plan
        fields = ["title", "year", "decision_number", "decision_date"]
        field_classes = {"decision_date": VnDateField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["year"].disabled = True
            self.initial.setdefault("areas_text", "\n".join(f"{a.code}. {a.name}" for a in self.instance.areas.all()))
        else:
            self.initial.setdefault("areas_text", "\n".join(f"{c}. {n}" for c, n in DEFAULT_AREAS))

    def clean_areas_text(self):
        areas = []
        for index, line in enumerate((self.cleaned_data.get("areas_text") or "").splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            code, sep, name = line.partition(". ")
            if not sep or not name.strip() or len(code) > 10:
                raise ValidationError(_("Line %(n)d: write “CODE. Name”, e.g. “I. Cải cách thể chế”.") % {"n": index})
            areas.append((code.strip(), name.strip()))
        codes = [c for c, _n in areas]
        if len(set(codes)) != len(codes):
            raise ValidationError(_("Each area needs its own code."))
        return areas or list(DEFAULT_AREAS)


class ImportUploadForm(forms.Form):
    file = PortalFileField(
        label=_("Plan annex (.xlsx or .csv)"),
        widget=PortalFileInput(attrs={"accept": ".xlsx,.csv"}),
        help_text=_("Columns: STT, Nhiệm vụ, Cơ quan chủ trì, Cơ quan phối hợp, Thời gian hoàn thành, Sản phẩm."),
    )


class TaskForm(VersionedModelForm):
    """A plan's task as Home Affairs staff keep it (progress is entered with ProgressForm)."""

    criteria_text = forms.CharField(
        label=_("Index criteria served"),
        required=False,
        help_text=_("Index code and criterion code, separated by commas, e.g. “PAR 3.2, PAR 6.1, SIPAS”."),
    )

    class Meta:
        model = Task
        fields = [
            "area",
            "number",
            "title",
            "lead_agency",
            "coordinating_agencies",
            "coordinating_note",
            "deadline",
            "recurring",
            "deadline_text",
            "expected_output",
        ]
        field_classes = {"deadline": VnDateField}
        widgets = {"title": forms.Textarea(attrs={"rows": 3}),
                   "expected_output": forms.Textarea(attrs={"rows": 2})}  # fmt: skip

    def __init__(self, *args, plan: Plan, **kwargs):
        super().__init__(*args, **kwargs)
        from provinces.models import Agency

        self.plan = plan
        self.fields["area"].queryset = plan.areas.all()
        agencies = Agency.objects.current().filter(province_id=plan.province_id).in_picker_order()
        use_picker(self.fields["lead_agency"], agencies)
        use_picker(self.fields["coordinating_agencies"], agencies)
        if self.instance.pk:
            self.initial.setdefault(
                "criteria_text",
                ", ".join(f"{c.index_code} {c.component_code}".strip() for c in self.instance.criteria.all()),
            )

    def clean_criteria_text(self) -> list[tuple[str, str]]:
        items = []
        for part in (self.cleaned_data.get("criteria_text") or "").split(","):
            words = part.split()
            if not words:
                continue
            if len(words) > 2:
                raise ValidationError(_("Write each criterion as “INDEX CODE”, e.g. “PAR 3.2”."))
            items.append((words[0].upper(), words[1] if len(words) == 2 else ""))
        return list(dict.fromkeys(items))

    def clean(self):
        data = super().clean()
        if not data.get("recurring") and not data.get("deadline"):
            self.add_error("deadline", _("Give a deadline, or mark the task as recurring through the year."))
        if data.get("recurring"):
            data["deadline"] = None
        area, number = data.get("area"), data.get("number")
        if area and number:
            clash = Task.objects.filter(plan=self.plan, area=area, number=number).exclude(pk=self.instance.pk)
            if clash.exists():
                self.add_error("number", _("This number is already used in this area."))
        return data
