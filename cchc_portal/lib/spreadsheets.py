"""Safe spreadsheet cells for every .xlsx export."""

# Text a spreadsheet would run as a formula (ASVS 5.0 §1.2.10): = + - @ and the
# control characters some spreadsheets also accept as formula starts.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\0")


def neutralise(value):
    """Prefix a quote to text that would start a formula; other values pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
