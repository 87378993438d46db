from django import template
from django.utils.translation import get_language

from cchc_portal.lib.numbers import format_decimal, format_percent

from ..formatting import change_phrase, rank_change_text, rate_sentence, score_change_text

register = template.Library()


def _lang() -> str:
    return get_language() or "vi"


@register.filter
def pct(value, places: int = 2) -> str:
    """76.47 → "76,47%" (vi) / "76.47%" (en); "–" when undefined."""
    if value is None or value == "":
        return "–"
    return format_percent(value, int(places), _lang())


@register.filter
def dec(value, places: int = 2) -> str:
    if value is None or value == "":
        return "–"
    return format_decimal(value, int(places), _lang())


@register.filter
def score_change(value) -> str:
    return score_change_text(value, _lang())


@register.filter
def rank_change(value) -> str:
    return rank_change_text(value, _lang())


@register.simple_tag
def change(score_delta, rank_delta) -> str:
    return change_phrase(score_delta, rank_delta, _lang())


@register.simple_tag
def completion(figures) -> str:
    return rate_sentence(figures["completed"], figures["total"], figures["completion_rate"], _lang())


@register.filter
def vi_en(obj, field: str) -> str:
    """obj["name_vi"] or obj["name_en"] by the reader's language (English falls back to Vietnamese)."""
    if _lang().startswith("en"):
        return obj.get(f"{field}_en") or obj.get(f"{field}_vi", "")
    return obj.get(f"{field}_vi", "")


@register.filter
def get_item(mapping, key):
    return mapping.get(key, key) if mapping else key


@register.simple_tag
def leader_export_url(table: str, province_code: str) -> str:
    from django.urls import reverse
    from django.utils.http import urlencode

    return f"{reverse('dashboards:leader_export', args=[table])}?{urlencode({'province': province_code})}"
