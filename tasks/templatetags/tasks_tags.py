from django import template
from django.utils.translation import get_language

from cchc_portal.lib.numbers import format_percent

from ..figures import status_summary

register = template.Library()


@register.filter
def pct(value) -> str:
    """76.47 -> "76,47%" in Vietnamese, "76.47%" in English."""
    return format_percent(value, lang=get_language() or "vi")


@register.filter
def summary(figures) -> str:
    return status_summary(figures, get_language() or "vi")


@register.filter
def status_class(status: str) -> str:
    return {"completed": "ok", "not_started": "", "in_progress": "warn", "ongoing": "warn"}.get(status, "")
