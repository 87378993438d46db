"""Phrases leaders read on the cards: "+1,82 điểm; giữ nguyên", "tăng 7 bậc", "giảm 3 bậc"."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import get_language, npgettext, override, pgettext

from cchc_portal.lib.numbers import format_decimal


def _lang(lang: str | None) -> str:
    return lang or get_language() or "vi"


def score_change_text(change: Decimal | float | None, lang: str | None = None) -> str:
    """+1.82 → "+1,82 điểm"; -0.5 → "-0,50 điểm"; "" when there is nothing to compare with."""
    if change is None:
        return ""
    lang = _lang(lang)
    value = Decimal(str(change))
    text = format_decimal(abs(value), 2, lang)
    sign = "+" if value > 0 else ("-" if value < 0 else "")
    with override(lang):
        return pgettext("score change", "%(value)s points") % {"value": sign + text}


def rank_change_text(change: int | None, lang: str | None = None) -> str:
    """Positive = moved up: 7 → "tăng 7 bậc"; -3 → "giảm 3 bậc"; 0 → "giữ nguyên"."""
    if change is None:
        return ""
    with override(_lang(lang)):
        if change > 0:
            return npgettext("rank change", "up %(n)d place", "up %(n)d places", change) % {"n": change}
        if change < 0:
            return npgettext("rank change", "down %(n)d place", "down %(n)d places", -change) % {"n": -change}
        return pgettext("rank change", "unchanged")


def change_phrase(score_change, rank_change, lang: str | None = None) -> str:
    """ "+1,82 điểm; giữ nguyên" — the score change, then the rank change."""
    parts = [score_change_text(score_change, lang), rank_change_text(rank_change, lang)]
    return "; ".join(p for p in parts if p)


def rate_sentence(completed: int, total: int, rate, lang: str | None = None) -> str:
    """ "26/34 nhiệm vụ — 76,47%"."""
    from cchc_portal.lib.numbers import format_percent

    lang = _lang(lang)
    with override(lang):
        return pgettext("plan completion", "%(completed)d/%(total)d tasks — %(rate)s") % {
            "completed": completed,
            "total": total,
            "rate": format_percent(rate, lang=lang),
        }
