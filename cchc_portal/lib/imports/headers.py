"""Finding the header row: the first of the top rows that an importer recognises."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from .cells import cell_text
from .errors import FileRefused

T = TypeVar("T")
HEADER_SCAN_ROWS = 30


def find_header(
    rows: Iterable, recognise: Callable[[list[str]], T | None], refusal: str, scan: int = HEADER_SCAN_ROWS
) -> tuple[int, list[str], T]:
    """(position among `rows`, the header cells as text, what `recognise` returned).

    `recognise` gets a row's cells as text and returns None when it is not the header.
    Raises FileRefused(`refusal`) when none of the first `scan` rows is.
    """
    for position, row in enumerate(rows):
        if position >= scan:
            break
        texts = [cell_text(cell) for cell in row]
        found = recognise(texts)
        if found is not None:
            return position, texts, found
    raise FileRefused(refusal)
