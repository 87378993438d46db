"""Template versions: data, editable for the next rounds, never under a report already made."""

import pytest
from django.core.exceptions import ValidationError

from cchc_portal.lib.periods import ReportingPeriod
from reports.models import ReportTemplate, round_open


def test_the_first_template_ships_as_data_with_the_issues_figures(db):
    template = ReportTemplate.objects.get(province__isnull=True, version=1)
    codes = set(template.figures.values_list("code", flat=True))
    assert {"NV1", "NV2", "NV3", "NV4", "TC1", "TT1", "TT2", "TT3", "HS1", "HS3", "HS4", "HS5", "HS6", "KT1", "KT2",
            "VB1", "VB2", "MT1"} <= codes  # fmt: skip
    assert list(template.sections.values_list("code", flat=True)) == ["I", "II", "III", "IV", "V"]


def test_a_used_version_cannot_change_and_an_old_report_keeps_its_template(rnd, dept_report, province):
    old = rnd.template
    figure = old.figures.get(code="TC1")
    figure.label = "Đổi tên"
    with pytest.raises(ValidationError):
        figure.full_clean()
    new = old.new_version(province=province)
    new.figures.filter(code="TC1").update(retired=True)
    new.figures.create(code="CD1", label="Số thủ tục chuyển đổi số", unit="thủ tục", order=999)
    assert ReportTemplate.objects.latest_for(province) == new
    later = round_open(province=province, period=ReportingPeriod(2026, "m9"))
    assert later.template == new
    assert {f.code for f in later.reports.first().figures()} >= {"CD1"}
    assert "TC1" not in {f.code for f in later.reports.first().figures()}
    dept_report.refresh_from_db()
    assert dept_report.round.template == old
    assert "TC1" in {f.code for f in dept_report.figures()}
