"""The dossier import pipeline: check the file, stream and validate rows, stage, upsert, refresh.

1. `inspect_file` refuses a file that is not what it claims (wrong type, zip bomb,
   no recognisable header) before anything is written.
2. `RowParser` validates one row at a time; bad rows go to the error CSV.
3. Good rows are streamed into a TEMP staging table (PostgreSQL: COPY through
   psycopg2 `copy_expert`; SQLite: batched INSERTs), so memory stays flat.
4. `apply_stage` runs in ONE transaction per file: upsert into dossiers on the
   natural key (only rows whose values changed are written), then refresh the
   summary rows of the keys this import touched (old and new values).

One transaction per file (not per chunk) because the summary refresh then runs
once per file instead of re-reading the touched months after every chunk, a
cancelled or dying job leaves nothing behind (the staging table is TEMP and the
apply transaction rolls back), and a rerun simply starts again: the upsert is
idempotent. Progress is visible during staging, which is where the time goes.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from django.db import transaction

from cchc_portal.lib.imports import UnreadableRow, problem_headers
from cchc_portal.lib.spreadsheets import neutralise

from .parsing import (  # noqa: F401 - the package's names, as before the split
    BAD_TEXT,
    BASE_STAGE_WIDTH,
    SERVICE_STAGE_COLUMNS,
    STAGE_COLUMNS,
    DateColumn,
    DayText,
    Lookups,
    RowError,
    RowParser,
    Scope,
    folded_cached,
    local_epoch,
    make_datetime_parser,
    parse_channel,
    parse_level,
    parse_status,
)
from .reading import (  # noqa: F401
    FIELD_LABELS,
    FIELDS,
    HEADER_ALIASES,
    SERVICE_FIELDS,
    SERVICE_HEADER_ALIASES,
    FileInfo,
    RefusedFile,
    header_is_usable,
    inspect_file,
    iter_file_rows,
    map_headers,
)
from .staging import ApplyResult, Stage, apply_stage, copy_line, drop_temp_tables  # noqa: F401
from .summaries import (  # noqa: F401
    FLOW_COLUMNS,
    HANDLING_TABLES,
    SERVICE_FLOWS,
    SUMMARY_FLOWS,
    analyze,
    apply_flow_delta,
    backend,
    lock_dossier_writes,
    recompute_all_summaries,
    refresh_overdue,
)

MAX_ERROR_ROWS_WRITTEN = 100_000
DEFAULT_CHUNK_ROWS = 20_000


class ImportCancelled(Exception):
    pass


# --- orchestration -------------------------------------------------------------------


@dataclass
class ImportReport:
    total_rows: int = 0
    good_rows: int = 0
    error_rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    touched_keys: int = 0
    dry_run: bool = False
    errors_path: str | None = None
    errors_sample: list[dict] = field(default_factory=list)
    stage_seconds: float = 0.0
    steps: dict = field(default_factory=dict)
    apply_seconds: float = 0.0
    grouped_while_reading: bool = False  # the summary delta came from the column path's groups (`ReadGroups`)


class ErrorWriter:
    """The error file: row, column, problem, then the row's original cells under the file's own headers.

    The toolkit's row-problem shape (`problem_headers`); every text cell is neutralised so
    a spreadsheet never runs it as a formula.
    """

    def __init__(self, path: str | None, headers: Sequence[str]):
        self.path = path
        self.count = 0
        self.sample: list[dict] = []
        self.handle = None
        self.headers = list(headers)
        if path:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            self.handle = open(path, "w", encoding="utf-8-sig", newline="")  # noqa: SIM115
            self.writer = csv.writer(self.handle)
            self.writer.writerow([*problem_headers(), *(neutralise(h) for h in self.headers)])

    def add(self, row_no: int, error: RowError, cells: Sequence) -> None:
        self.count += 1
        if len(self.sample) < 50:
            self.sample.append({"row": row_no, "column": error.column, "reason": error.reason})
        if self.handle and self.count <= MAX_ERROR_ROWS_WRITTEN:
            # Exactly one cell per header: a short row's missing cells and an empty cell read the
            # same (the column path cannot tell them apart), a cell past the last header has no name.
            width = len(self.headers) or len(cells)
            cells = [*cells[:width], *([""] * (width - len(cells)))]
            self.writer.writerow(
                [row_no, error.column, neutralise(error.reason), *("" if c is None else neutralise(c) for c in cells)]
            )

    def close(self) -> None:
        if self.handle:
            self.handle.close()


def import_rows(
    rows: Iterable[tuple[int, Sequence]],
    *,
    columns: dict[str, int],
    scope: Scope,
    progress_every: int = DEFAULT_CHUNK_ROWS,
    on_progress: Callable[..., None] | None = None,
    **kwargs,
) -> ImportReport:
    """Validate, stage and apply rows (the row path). `on_progress(read, errors)` may raise ImportCancelled."""

    def feed(parser: RowParser, stage: Stage, errors: ErrorWriter) -> int:
        parse = parser.parse
        add = stage.add
        read = 0
        for row_no, cells in rows:
            read += 1
            try:
                add(parse(row_no, cells))
            except RowError as error:
                # An unreadable row has no cells: its own reason, in the one error shape.
                errors.add(row_no, RowError("", cells.message) if cells.__class__ is UnreadableRow else error, cells)
            if on_progress is not None and read % progress_every == 0:
                stage.sync()  # the callback uses the connection
                on_progress(read, errors.count)
        return read

    return _import(feed, Stage(progress_every), columns=columns, scope=scope, on_progress=on_progress, **kwargs)


def _import(
    feed: Callable[[RowParser, Stage, ErrorWriter], int],
    stage: Stage,
    *,
    columns: dict[str, int],
    scope: Scope,
    headers: Sequence[str] = (),
    job_id: int | None = None,
    dry_run: bool = False,
    errors_path: str | None = None,
    on_progress: Callable[..., None] | None = None,
    lookups: Lookups | None = None,
    today: dt.date | None = None,
) -> ImportReport:
    """Stage what `feed` gives, then apply it in one transaction (shared by the row and column paths)."""
    from ..models import local_today

    lookups = lookups or Lookups.load()
    parser = RowParser(lookups, columns, scope, backend(), today or local_today())
    errors = ErrorWriter(errors_path, headers)
    report = ImportReport(dry_run=dry_run, errors_path=errors_path)
    started = time.monotonic()
    try:
        with stage:
            read = feed(parser, stage, errors)
            stage.flush()
            report.total_rows, report.good_rows, report.error_rows = read, stage.rows, errors.count
            if on_progress is not None:
                on_progress(read, errors.count, final=True)
            report.errors_sample = errors.sample
            report.stage_seconds = time.monotonic() - started
            try:
                with transaction.atomic():
                    applied = apply_stage(
                        job_id=job_id,
                        new_procedures=parser.new_procedures,
                        staged_rows=stage.rows,
                        read_groups=getattr(stage, "groups", None),
                    )
                    report.inserted, report.updated = applied.inserted, applied.updated
                    report.grouped_while_reading = applied.grouped_while_reading
                    report.unchanged, report.touched_keys = applied.unchanged, applied.touched_keys
                    report.steps = applied.steps
                    if dry_run:
                        raise _DryRunRollback
            except _DryRunRollback:
                pass
            report.apply_seconds = time.monotonic() - started - report.stage_seconds
            report.steps["commit"] = round(report.apply_seconds - sum(report.steps.values()), 2)
    finally:
        errors.close()
    if not errors.count and errors_path and os.path.exists(errors_path):
        os.remove(errors_path)
        report.errors_path = None
    if not dry_run and (report.inserted or report.updated):
        analyze("dossiers_dossier", "dossiers_dossiersummary", *HANDLING_TABLES)
    if not dry_run:
        from cchc_portal.cache import bump_generation

        bump_generation("dossier-stats")
    return report


def import_columns(
    path: str,
    info: FileInfo,
    *,
    columns: dict[str, int],
    scope: Scope,
    on_progress: Callable[..., None] | None = None,
    **kwargs,
) -> ImportReport:
    """The column-wise path for a CSV (`columnar.py`); raises ColumnarUnsupported before anything is applied."""
    from .columnar import ColumnStage, feed_columns

    def feed(parser: RowParser, stage: Stage, errors: ErrorWriter) -> int:
        def progress(read: int, _errors) -> None:
            if on_progress is not None:
                on_progress(read, errors.count)

        return feed_columns(path, info, parser, stage, errors.add, progress if on_progress else None)

    return _import(feed, ColumnStage(), columns=columns, scope=scope, on_progress=on_progress, **kwargs)


def import_table(path: str, info: FileInfo, *, engine: str | None = None, **kwargs) -> ImportReport:
    """Import a checked file: a CSV column-wise, an .xlsx (or a CSV the column path cannot read) row by row.

    `engine` ("columns" or "rows"; default the DOSSIER_IMPORT_ENGINE setting, "columns")
    forces a path, for the equivalence test and the bench.
    """
    from django.conf import settings

    from .columnar import ColumnarUnsupported

    engine = engine or getattr(settings, "DOSSIER_IMPORT_ENGINE", "columns")
    if engine == "columns" and info.kind == "csv":
        try:
            return import_columns(path, info, columns=info.columns, headers=info.headers, **kwargs)
        except ColumnarUnsupported:
            drop_temp_tables()  # nothing was applied: start again on the row path
    return import_rows(iter_file_rows(path, info), columns=info.columns, headers=info.headers, **kwargs)


class _DryRunRollback(Exception):
    pass


def import_file(
    path: str,
    *,
    name: str | None = None,
    scope: Scope | None = None,
    extra_mapping: dict[str, str] | None = None,
    **kwargs,
) -> tuple[FileInfo, ImportReport]:
    info = inspect_file(path, name or path, extra_mapping)
    return info, import_table(path, info, scope=scope or Scope(), **kwargs)
