from django import template
from django.utils.translation import get_language

from cchc_portal.lib.numbers import format_decimal

register = template.Library()


@register.filter
def score(value, places: int = 2) -> str:
    """46.0415 -> "46,04" in Vietnamese, "46.04" in English; "–" when missing."""
    if value is None or value == "":
        return "–"
    return format_decimal(value, int(places), get_language() or "vi")


@register.filter
def signed(value, places: int = 2) -> str:
    if value is None:
        return ""
    text = format_decimal(abs(value), int(places), get_language() or "vi")
    return f"+{text}" if value > 0 else (f"−{text}" if value < 0 else text)


@register.inclusion_tag("indices/_sample_banner.html")
def sample_data_banner():
    """A banner wherever index results are shown while the demo loader's synthetic figures are loaded."""
    from indices.models import sample_results_shown

    return {"shown": sample_results_shown()}
