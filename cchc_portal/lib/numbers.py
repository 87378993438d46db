"""Number formatting and parsing as Vietnamese staff write figures."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation


def percent(numerator: int | float | Decimal, denominator: int | float | Decimal) -> Decimal | None:
    """numerator/denominator × 100, rounded half-up to two decimals; None when undefined."""
    if not denominator:
        return None
    value = Decimal(numerator) * 100 / Decimal(denominator)
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def format_decimal(value: int | float | Decimal | None, places: int = 2, lang: str = "vi") -> str:
    """1234.5 -> "1.234,50" in Vietnamese, "1,234.50" in English; "" for None."""
    if value is None:
        return ""
    quantum = Decimal(1).scaleb(-places)
    number = Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP)
    text = f"{number:,.{places}f}"
    if lang.startswith("vi"):
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


def format_percent(value: int | float | Decimal | None, places: int = 2, lang: str = "vi") -> str:
    """76.47 -> "76,47%" (Vietnamese) or "76.47%" (English); "–" when undefined."""
    if value is None:
        return "–"
    return f"{format_decimal(value, places, lang)}%"


class AmbiguousNumber(ValueError):
    pass


def parse_score(text: str | int | float | Decimal) -> Decimal:
    """Parse a score written with either decimal convention.

    "46,0415" and "46.0415" are both 46.0415. A value with both separators
    ("1.234,5", "1,234.5") is ambiguous for a score out of 10 or 100 and is
    rejected rather than silently multiplied (research notes §1).
    """
    if isinstance(text, bool):
        raise ValueError(text)
    if isinstance(text, int | Decimal):
        return Decimal(text)
    if isinstance(text, float):
        return Decimal(repr(text))
    raw = str(text).strip().replace("\u00a0", "").replace(" ", "")
    if raw.endswith("%"):
        raw = raw[:-1]
    if not raw:
        raise ValueError("empty")
    has_dot, has_comma = "." in raw, "," in raw
    if has_dot and has_comma:
        raise AmbiguousNumber(raw)
    if raw.count(",") > 1 or raw.count(".") > 1:
        raise AmbiguousNumber(raw)
    try:
        return Decimal(raw.replace(",", "."))
    except InvalidOperation as exc:
        raise ValueError(raw) from exc
