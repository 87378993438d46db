"""Safe spreadsheet cells for every .xlsx and .csv export."""

from cchc_portal.lib.text import clean_text

# Text a spreadsheet would run as a formula (ASVS 5.0 §1.2.10): = + - @ and the
# control characters some spreadsheets also accept as formula starts.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\0")


def neutralise(value):
    """Text without control characters (which openpyxl refuses: old rows may still hold them),
    with a quote prefixed when it would start a formula; other values pass unchanged."""
    if not isinstance(value, str):
        return value
    value = clean_text(value)
    if value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def neutralise_row(values) -> list:
    return [neutralise(v) for v in values]
