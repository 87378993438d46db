"""The import toolkit shared by every importer (plans, index scores, dossiers).

files: open and check a file (type by content, size, ZIP limits, macros, XML
entities), decode CSV, read rows with bounded memory; headers: find the header row;
cells: cell values as text; names: one set of name-matching rules and a name index;
errors: the file refusal and the row problem every importer reports.
See docs/imports.md.
"""

from .cells import cell_text, clean_text, is_blank
from .errors import FileRefused, RowProblem, problem_headers
from .files import (
    Limits,
    Rows,
    TableFile,
    UnreadableRow,
    check_file,
    check_workbook_zip,
    iter_rows,
    numbers_of,
    read_table,
)
from .headers import find_header
from .names import NameIndex, agency_core, is_collective, name_key, unit_core

__all__ = [
    "FileRefused",
    "Limits",
    "NameIndex",
    "RowProblem",
    "Rows",
    "TableFile",
    "UnreadableRow",
    "agency_core",
    "cell_text",
    "check_file",
    "check_workbook_zip",
    "clean_text",
    "find_header",
    "is_blank",
    "is_collective",
    "iter_rows",
    "name_key",
    "numbers_of",
    "problem_headers",
    "read_table",
    "unit_core",
]
