from django import template
from django.utils.translation import get_language

from cchc_portal.lib.numbers import format_decimal, format_percent

register = template.Library()


@register.filter
def pct(value) -> str:
    return format_percent(value, 2, get_language() or "vi")


@register.filter
def pts(value) -> str:
    return "–" if value is None else format_decimal(value, 2, get_language() or "vi")


@register.filter
def bar(value, maximum) -> int:
    """Width in percent of a bar for value out of maximum."""
    if value is None or not maximum:
        return 0
    return max(0, min(100, int(value * 100 / maximum)))


@register.filter
def duration(value) -> str:
    """An average handling time with one decimal: "2,5" (the unit is written beside it)."""
    return "–" if value is None else format_decimal(value, 1, get_language() or "vi")


@register.simple_tag
def office_hours() -> str:
    """The office windows a limit in hours counts (settings.CCHC_OFFICE_HOURS): "07:30–11:30, 13:00–17:00"."""
    from dossiers.importing.summaries import office_windows

    return ", ".join(
        f"{start // 60:02d}:{start % 60:02d}–{end // 60:02d}:{end % 60:02d}" for start, end in office_windows()
    )
