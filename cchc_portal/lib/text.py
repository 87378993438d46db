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


# C0 control characters and DEL, except tab, line feed and carriage return. Word's manual
# line break (\x0b, vertical tab) and page break (\x0c) become line feeds; the rest go.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_AS_NEWLINE = {"\x0b": "\n", "\x0c": "\n"}


def clean_text(text: str) -> str:
    """`text` without control characters (\\t, \\n, \\r kept; \\x0b and \\x0c become \\n).

    Applied to every text field before it is saved (cchc_portal.apps), to every cell an
    importer reads, and to every exported cell (cchc_portal.lib.spreadsheets.neutralise).
    """
    if not isinstance(text, str) or not _CONTROL.search(text):
        return text
    return _CONTROL.sub(lambda m: _AS_NEWLINE.get(m.group(), ""), text)


# Invisible characters pasted with names from web pages and Word: zero-width space, non-joiner,
# joiner, word joiner, byte-order mark, soft hyphen.
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")


def normalise_name(text: str) -> str:
    """A name as stored: NFC, no invisible characters, one space between words (no-break spaces
    and line breaks included), no leading or trailing space."""
    text = _INVISIBLE.sub("", unicodedata.normalize("NFC", clean_text(text or "")))
    return " ".join(text.split())
