from decimal import Decimal

from django import template
from django.utils.translation import get_language

from cchc_portal.lib.numbers import format_decimal, format_percent

register = template.Library()


@register.filter
def pts(value) -> str:
    """Points as typed in the decree's tables: 4, 1,5, 0,25 (Vietnamese); "" when missing."""
    if value is None or value == "":
        return ""
    text = format_decimal(Decimal(value), 2, get_language() or "vi")
    sep = "," if (get_language() or "vi").startswith("vi") else "."
    return text.rstrip("0").rstrip(sep) if sep in text else text


@register.filter
def pct(value) -> str:
    return format_percent(value, 2, get_language() or "vi")
