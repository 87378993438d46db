"""Demo content: the SAMPLE departments' index of this year, its round open for self-assessment,
areas assigned to appraising departments (justice: institutional reform, finance: public finance,
home affairs: the rest). The tree is a sample, not a decision of any province."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from provinces.models import Agency

from .models import AreaAssignment, Round, Stage
from .scoring import round_open
from .trees import sample_methodology

APPRAISERS = {"2": "Sở Tư pháp", "6": "Sở Tài chính"}
DEFAULT_APPRAISER = "Sở Nội vụ"


def load_demo(*, province) -> str:
    today = timezone.localdate()
    methodology = sample_methodology(province, today.year)
    round_ = Round.objects.filter(methodology=methodology).first()
    if round_ is None:
        round_ = round_open(
            methodology,
            deadlines={
                "self_opens": today - dt.timedelta(days=7),
                "self_closes": today + dt.timedelta(days=14),
                "appraisal1_closes": today + dt.timedelta(days=28),
                "explanation_closes": today + dt.timedelta(days=35),
                "appraisal2_closes": today + dt.timedelta(days=42),
            },
        )
        Round.objects.filter(pk=round_.pk).update(stage=Stage.SELF)
    agencies = {a.name: a for a in Agency.objects.filter(province=province).valid_on(today)}
    for area in methodology.criteria.filter(kind="area"):
        agency = agencies.get(APPRAISERS.get(area.code, DEFAULT_APPRAISER))
        if agency is not None:
            AreaAssignment.objects.get_or_create(round=round_, area=area, agency=agency)
    return f"SAMPLE index {methodology} ({methodology.criteria.count()} criteria), round {round_.get_stage_display()}"
