"""The two ways an import says no: the whole file (`FileRefused`) or one row (`RowProblem`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _


class FileRefused(ValueError):
    """The file as a whole cannot be imported (type, size, structure, encoding, header).

    Its message is in the user's language, ready to show as is; nothing was written.
    """

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class RowProblem:
    """One problem of one row, the same shape for every importer.

    `row` is the row number as a spreadsheet shows it (1-based, the header row counted),
    `column_name` the column's header as written in the file, `message` in the user's
    language, `cells` the row's original cells (for the error file).
    """

    row: int | None
    column_name: str
    message: str
    level: str = "error"  # "error" | "warning"
    column: int | None = None  # 0-based index in the file, when known
    cells: Sequence = field(default_factory=tuple)

    @property
    def is_error(self) -> bool:
        return self.level == "error"

    def __str__(self) -> str:
        label = _("Error") if self.is_error else _("Warning")
        if self.row is not None and self.column_name:
            where = _("row %(row)d, column “%(column)s”") % {"row": self.row, "column": self.column_name}
        elif self.row is not None:
            where = _("row %(row)d") % {"row": self.row}
        elif self.column_name:
            where = _("column “%(column)s”") % {"column": self.column_name}
        else:
            return f"{label}: {self.message}"
        return f"{label}, {where}: {self.message}"


def problem_headers() -> list[str]:
    """Headers of the problem columns of every error file (then the file's own headers)."""
    return [_("Row"), _("Column"), _("Problem")]
