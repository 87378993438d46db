"""Cell values (text of a CSV, typed values of a workbook) as the text a person sees."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal

# Zero-width characters pasted from web pages and Word: invisible, so never meaningful.
ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")


def clean_text(text: str) -> str:
    """NFC, no zero-width characters, non-breaking spaces as spaces, stripped."""
    text = unicodedata.normalize("NFC", text)
    if not text.isascii():
        text = ZERO_WIDTH.sub("", text).replace("\u00a0", " ")
    return text.strip()


def cell_text(value) -> str:
    """A cell as text: dates dd/mm/yyyy, whole numbers without ".0", booleans TRUE/FALSE."""
    if value is None:
        return ""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return f"{value:%d/%m/%Y}"
        return f"{value:%d/%m/%Y %H:%M}"
    if isinstance(value, dt.date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, dt.time):
        return f"{value:%H:%M}"
    return clean_text(str(value))


def is_blank(row) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in row)
