"""Name normalisation for matching units and agencies typed in spreadsheets."""

import re
import unicodedata


def strip_diacritics(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return stripped.replace("đ", "d").replace("Đ", "D")


def fold(text: str) -> str:
    """Lower-case, diacritic-free, single-spaced, punctuation as spaces."""
    text = strip_diacritics(unicodedata.normalize("NFC", text or "")).lower()
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return " ".join(text.split())


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text or "").strip()
