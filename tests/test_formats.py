import datetime as dt
from decimal import Decimal

import pytest
from django import forms
from django.template import Context, Template
from django.utils import translation

from cchc_portal.lib.numbers import AmbiguousNumber, format_percent, parse_score, percent


def test_completion_rate_is_written_with_two_decimals_and_a_decimal_comma():
    assert format_percent(percent(26, 34)) == "76,47%"
    assert format_percent(percent(26, 34), lang="en") == "76.47%"
    assert format_percent(percent(1, 0)) == "–"


def test_dates_render_day_first_with_slashes_in_vietnamese():
    with translation.override("vi"):
        rendered = Template('{{ d|date:"SHORT_DATE_FORMAT" }}').render(Context({"d": dt.date(2019, 9, 20)}))
    assert rendered == "20/09/2019"


def test_dates_typed_day_first_parse_as_day_first():
    class F(forms.Form):
        d = forms.DateField(localize=True)

    with translation.override("vi"):
        form = F({"d": "05/06/2025"})
        assert form.is_valid()
        assert form.cleaned_data["d"] == dt.date(2025, 6, 5)


def test_large_numbers_group_thousands_with_dots():
    with translation.override("vi"):
        rendered = Template("{% load humanize %}{{ n|intcomma }}").render(Context({"n": 659245}))
    assert rendered == "659.245"


@pytest.mark.parametrize(
    "text,value", [("46,0415", "46.0415"), ("46.0415", "46.0415"), ("7", "7"), ("83,84%", "83.84")]
)
def test_scores_parse_in_either_decimal_convention(text, value):
    assert parse_score(text) == Decimal(value)


@pytest.mark.parametrize("text", ["1.234,5", "1,234.5", "1.234.5"])
def test_scores_with_both_separators_are_ambiguous(text):
    with pytest.raises(AmbiguousNumber):
        parse_score(text)


def _day_first_date_fields():
    import inspect

    import assessments.forms
    import provinces.forms
    import tasks.forms
    from cchc_portal.widgets import VnDateInput

    for module in (assessments.forms, provinces.forms, tasks.forms):
        for name, form in inspect.getmembers(module, inspect.isclass):
            for field_name, field in getattr(form, "base_fields", {}).items():
                if isinstance(field.widget, VnDateInput):
                    yield f"{module.__name__}.{name}.{field_name}", field


def test_every_day_first_date_field_refuses_a_year_before_1900_or_after_2100():
    from django.core.exceptions import ValidationError

    from cchc_portal.widgets import VnDateField

    fields = dict(_day_first_date_fields())
    assert len(fields) >= 15  # the round's dates, plans, tasks, progress, agencies, committees
    for name, field in fields.items():
        assert isinstance(field, VnDateField), name
        with translation.override("vi"):
            assert field.clean("20/09/2026") == dt.date(2026, 9, 20), name
            for typed in ("20/09/0026", "31/12/1899", "01/01/2101"):
                with pytest.raises(ValidationError) as refused:
                    field.clean(typed)
                assert refused.value.messages == [
                    "Năm phải từ 1900 đến 2100 (nhập ngày theo dạng dd/mm/yyyy, ví dụ 20/09/2026)."
                ], name
