"""Staging: rows into a TEMP table (COPY on PostgreSQL), then one upsert into the dossiers."""

from __future__ import annotations

import io
import threading
import time
from dataclasses import dataclass, field

from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from ..models import Procedure
from .parsing import STAGE_COLUMNS
from .summaries import (
    FLOW_COLUMNS,
    HANDLING_FACTS,
    HANDLING_GROUP_COLUMNS,
    apply_flow_delta,
    backend,
    flow_groups_sql,
    handling_grouped_sql,
    lock_dossier_writes,
)

STAGE_DDL = """
CREATE TEMP TABLE dossier_stage (
    row_no bigint, receipt_number varchar(64), procedure_code varchar(50), procedure_level varchar(10),
    receiving_unit_id bigint, province_id bigint, agency_id bigint, channel varchar(16), status varchar(12),
    received_at {ts}, due_at {ts}, paused_days smallint, finished_at {ts}, returned_at {ts},
    due_date date, closed_date date, outcome varchar(8), received_month date, closed_month date, overdue_month date,
    supplement_count smallint, supplement_days smallint, late_766 boolean, online_766 boolean, e_result boolean,
    fee_bearing boolean, paid_online boolean, digitised boolean, reused boolean, vneid boolean, complaint boolean,
    handling_minutes integer, handling_working_days integer, handling_working_minutes bigint
)
"""


COPY_SQL = "COPY dossier_stage FROM STDIN WITH (FORMAT text, NULL '')"
COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_line(record: tuple) -> str:
    """One record as a line of COPY's text format, without its newline; None and "" are NULL.

    Staged values are ints, None, our own codes and dates, and texts checked against
    `BAD_TEXT`, so they hardly ever need escaping: the line is written as is and only
    escaped value by value when it shows a tab too many, a newline, CR or backslash.
    """
    # join() takes a text as it is (the value of a TextChoices member too): no str() call.
    line = "\t".join([value if isinstance(value, str) else "" if value is None else str(value) for value in record])
    if line.count("\t") == len(record) - 1 and "\\" not in line and "\n" not in line and "\r" not in line:
        return line
    return "\t".join(["" if value is None else str(value).translate(COPY_ESCAPES) for value in record])


# A session's TEMP tables live in its own buffers (`temp_buffers`, 8 MB by default), not in the
# shared ones: a million staged rows (~250 MB) would go out to the kernel page by page during
# the COPY and come back for every scan of the upsert. The buffers are taken only as used.
TEMP_BUFFERS = "256MB"


def _raise_temp_buffers() -> None:
    """Give this session's TEMP tables `TEMP_BUFFERS`; PostgreSQL only allows it before the
    session's first use of a TEMP table (a worker's later imports keep what the first one set)."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SHOW temp_buffers")
            if cursor.fetchone()[0] != TEMP_BUFFERS:
                cursor.execute(f"SET temp_buffers = '{TEMP_BUFFERS}'")
    except DatabaseError:  # temp tables already used in this session: keep its setting
        pass


class Stage:
    """A TEMP table filled in batches: COPY on PostgreSQL, executemany on SQLite.

    On PostgreSQL each batch's COPY runs in a helper thread (psycopg2 releases the GIL
    while the server ingests it) while this thread parses the next batch. Whoever uses
    the connection in between must call `sync()` first; `import_rows` does before every
    progress callback. A batch is sent when the *next* row arrives, so the progress
    callback at a batch boundary does not wait for that batch's COPY.
    """

    def __init__(self, batch_rows: int = 20_000):
        self.vendor = backend()
        self.postgresql = self.vendor == "postgresql"
        self.batch_rows = batch_rows
        self.pending: list = []
        self.rows = 0
        self._copy: threading.Thread | None = None
        self._copy_error: BaseException | None = None

    def __enter__(self) -> Stage:
        if self.postgresql:
            _raise_temp_buffers()
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS dossier_stage")
            ts = "bigint" if self.vendor == "postgresql" else "datetime"  # PostgreSQL: seconds since the epoch
            cursor.execute(STAGE_DDL.format(ts=ts))
        return self

    def __exit__(self, *exc) -> None:
        try:
            self.sync()
        except Exception:  # already failing or about to drop the table anyway
            if exc[0] is None:
                raise
        finally:
            drop_temp_tables()

    def add(self, record: tuple) -> None:
        if len(self.pending) >= self.batch_rows:
            self.flush(wait=False)
        # PostgreSQL: keep the COPY line, not the tuple. A string is no work for the
        # garbage collector, while a million tuples holding enum members would be.
        self.pending.append(copy_line(record) if self.postgresql else record)

    def sync(self) -> None:
        """Wait for the COPY in flight; re-raise its error."""
        if self._copy is not None:
            self._copy.join()
            self._copy = None
        if self._copy_error is not None:
            error, self._copy_error = self._copy_error, None
            raise error

    def flush(self, wait: bool = True) -> None:
        """Send the pending rows; with wait=False the COPY may still run when this returns."""
        if self.pending:
            if self.postgresql:
                text = "\n".join(self.pending) + "\n"
                self.sync()
                connection.ensure_connection()
                raw = connection.connection
                self._copy = threading.Thread(target=self._send, args=(raw, text), daemon=True)
                self._copy.start()
            else:
                with connection.cursor() as cursor:
                    placeholders = ", ".join(["%s"] * len(STAGE_COLUMNS))
                    cursor.executemany(f"INSERT INTO dossier_stage VALUES ({placeholders})", self.pending)
            self.rows += len(self.pending)
            self.pending = []
        if wait:
            self.sync()

    def _send(self, raw, text: str) -> None:
        try:
            with raw.cursor() as cursor:
                # One read() of the whole batch: the GIL is taken once, not per 8 kB.
                cursor.copy_expert(COPY_SQL, io.StringIO(text), size=max(len(text), 8192))
        except BaseException as exc:  # handed to the main thread by sync()
            self._copy_error = exc


def drop_temp_tables() -> None:
    try:
        with connection.cursor() as cursor:
            for table in ("dossier_stage", "dossier_stored", "dossier_delta", "handling_delta", "handling_delta_rows",
                          _Written.TABLE, "flows_read", "handling_read"):  # fmt: skip
                cursor.execute(f"DROP TABLE IF EXISTS {table}")
    except Exception:  # the connection may be gone after a failure; temp tables go with it
        pass


# The dossier's columns an import writes besides its key: the staged ones (the handling time
# too: the parsers compute it), the procedure by id.
DOSSIER_VALUE_COLUMNS = [
    "procedure_id" if column == "procedure_code" else column
    for column in STAGE_COLUMNS
    if column not in ("row_no", "receipt_number", "receiving_unit_id")
]


@dataclass
class ApplyResult:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    touched_keys: int = 0
    steps: dict = field(default_factory=dict)
    grouped_while_reading: bool = False  # the summary delta came from the column path's `ReadGroups`


def _create_procedures(new_procedures: dict[str, tuple[str, str]]) -> None:
    if new_procedures:
        Procedure.objects.bulk_create(
            [Procedure(code=code, name=name, level=level) for code, (name, level) in new_procedures.items()],
            ignore_conflicts=True,
        )


# The staged rows minus any row whose receipt number comes again later in the file.
LAST_ROW_PER_KEY = """(SELECT * FROM dossier_stage s WHERE NOT EXISTS (
    SELECT 1 FROM dossier_stage later WHERE later.receiving_unit_id = s.receiving_unit_id
    AND later.receipt_number = s.receipt_number AND later.row_no > s.row_no))"""


class _KeyTwiceInFile(Exception):
    pass


def _create_stored(cursor, source: str) -> None:
    """TEMP `dossier_stored`: the stored dossier of each staged row that has one.

    Its id, its unit and flow fields as they are now (the summary delta takes them away)
    and whether the staged row differs from it.
    """
    changed = " OR ".join(f"d.{col} IS DISTINCT FROM {_staged(col)}" for col in DOSSIER_VALUE_COLUMNS)
    cursor.execute(
        f"""
        CREATE TEMP TABLE dossier_stored AS
        SELECT s.row_no, d.id, d.receiving_unit_id, d.province_id, {", ".join(f"d.{col}" for col in FLOW_COLUMNS)},
               CASE WHEN {changed} THEN 1 ELSE 0 END AS changed
        FROM {source} s
        JOIN dossiers_procedure p ON p.code = s.procedure_code
        JOIN dossiers_dossier d ON d.receiving_unit_id = s.receiving_unit_id AND d.receipt_number = s.receipt_number
        """
    )
    if backend() == "sqlite":
        cursor.execute("CREATE INDEX dossier_stored_row ON dossier_stored (row_no)")


# The instants, staged on PostgreSQL as seconds since the epoch (`parsing.local_epoch`).
STAGED_INSTANTS = ["received_at", "due_at", "finished_at", "returned_at"]


def _staged(column: str) -> str:
    """A dossier column's staged value, in queries over `s` (staged rows) joined to `p` (their procedure)."""
    if column == "procedure_id":
        return "p.id"
    if column in STAGED_INSTANTS and backend() == "postgresql":
        return f"to_timestamp(s.{column})"
    return f"s.{column}"


@dataclass
class _Write:
    inserted: int
    updated: int
    # Where the summary delta finds the written rows already grouped: the read's groups
    # (`ReadGroups`: nothing was stored, every staged row is new), the write's (`_Written`), or neither.
    grouped_by: str | None


def _write_rows(cursor, source: str, *, job_id, now, handling: bool = True, read_groups: bool = False) -> _Write:
    """INSERT the rows of `source` with no stored dossier, UPDATE the changed ones by id.

    Raises `_KeyTwiceInFile` (or the unique violation) when a receipt number comes twice in
    `source`, unless `source` keeps one row per key. The handling facts come staged (the
    parsers compute them); `handling=False` leaves them out (the bench's baseline only).
    `read_groups`: the staged rows were grouped as they were read; when none of them has a
    stored dossier (each is then inserted) the write does not group them again.
    """
    cursor.execute("DROP TABLE IF EXISTS dossier_stored")
    _create_stored(cursor, source)
    if source == "dossier_stage":
        cursor.execute("SELECT 1 FROM dossier_stored GROUP BY id HAVING count(*) > 1 LIMIT 1")
        if cursor.fetchone():
            raise _KeyTwiceInFile
    if read_groups:
        cursor.execute("SELECT 1 FROM dossier_stored LIMIT 1")
        read_groups = cursor.fetchone() is None
    written = [col for col in DOSSIER_VALUE_COLUMNS if handling or col not in HANDLING_FACTS]
    columns = ["receipt_number", "receiving_unit_id", *written]
    # In key order the unique index grows at its edges: half the time of file order.
    order = "s.row_no" if backend() == "sqlite" else "s.receiving_unit_id, s.receipt_number"
    writer = _Written(cursor, handling and not read_groups)
    count = writer.count
    inserted = count(
        f"""INSERT INTO dossiers_dossier ({", ".join(columns)}, import_job_id, updated_at)
            SELECT {", ".join(_staged(col) for col in columns)}, %s, %s
            FROM {source} s JOIN dossiers_procedure p ON p.code = s.procedure_code
            WHERE NOT EXISTS (SELECT 1 FROM dossier_stored o WHERE o.row_no = s.row_no)
            ORDER BY {order}""",
        [job_id, now],
    )
    updates = ", ".join(f"{col} = {_staged(col)}" for col in written)
    updated = count(
        f"""UPDATE dossiers_dossier SET {updates}, import_job_id = %s, updated_at = %s
            FROM dossier_stored o
            JOIN {source} s ON s.row_no = o.row_no
            JOIN dossiers_procedure p ON p.code = s.procedure_code
            WHERE o.changed = 1 AND o.id = dossiers_dossier.id""",
        [job_id, now],
    )
    return _Write(inserted, updated, "read" if read_groups else _Written.TABLE if writer.grouped else None)


class _Written:
    """Runs the write statements; on PostgreSQL also sums the written rows' handling facts as they are written.

    The handling-time delta needs the facts of every row written, which the INSERT and UPDATE
    have just computed: each statement RETURNs them to an aggregate that adds them, per handling
    key, to TEMP `handling_written` (a data-modifying WITH), so the delta reads a few thousand
    grouped rows instead of computing the facts of a million rows a second time. SQLite has no
    RETURNING inside WITH: there `handling_written` stays absent and the delta computes them.
    """

    TABLE = "handling_written"

    def __init__(self, cursor, handling: bool):
        self.cursor = cursor
        self.grouped = handling and backend() == "postgresql"  # whether the write fills `TABLE`
        cursor.execute(f"DROP TABLE IF EXISTS {self.TABLE}")
        if self.grouped:
            empty = "(SELECT * FROM dossiers_dossier WHERE 1 = 0)"
            cursor.execute(f"CREATE TEMP TABLE {self.TABLE} AS {handling_grouped_sql(empty)}")

    def count(self, statement: str, params: list) -> int:
        """Run the INSERT or UPDATE `statement`; returns the rows it wrote."""
        if not self.grouped:
            self.cursor.execute(statement, params)
            return self.cursor.rowcount
        returned = ", ".join(f"dossiers_dossier.{column}" for column in HANDLING_GROUP_COLUMNS)
        self.cursor.execute(
            f"""WITH written AS ({statement} RETURNING {returned}),
                     grouped AS (INSERT INTO {self.TABLE} {handling_grouped_sql("written")} RETURNING 1)
                SELECT count(*) FROM written""",
            params,
        )
        return self.cursor.fetchone()[0]


# The staged columns the write's statements join or group on (`ANALYZE` gathers statistics of these only).
STAGE_JOIN_COLUMNS = ["row_no", "receipt_number", "receiving_unit_id", "procedure_code"]
# Memory per staged row for the sort of the INSERT (tuple, sort slot and allocation overhead),
# and the bounds of what an import takes: a larger one sorts on disk, as it always could.
SORT_BYTES_PER_ROW = 400
SORT_MEMORY_KB = (64 << 10, 1 << 20)


def sort_memory_kb(rows: int) -> int:
    low, high = SORT_MEMORY_KB
    return max(low, min(high, rows * SORT_BYTES_PER_ROW >> 10))


def _load_read_groups(cursor, read_groups) -> tuple[str, str]:
    """TEMP tables of the groups the column path made as it read (`ReadGroups`): (flows, handling time)."""
    empty = "(SELECT * FROM dossiers_dossier WHERE 1 = 0)"
    tables = (("flows_read", flow_groups_sql(empty)), ("handling_read", handling_grouped_sql(empty)))
    for (table, typed), data in zip(tables, read_groups.csv(), strict=True):
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
        cursor.execute(f"CREATE TEMP TABLE {table} AS {typed}")  # the columns and types of the SQL's own groups
        if data is not None:
            cursor.copy_expert(f"COPY {table} FROM STDIN WITH (FORMAT csv, NULL '')", data)
    return tables[0][0], tables[1][0]


def apply_stage(
    *,
    job_id: int | None,
    new_procedures: dict[str, tuple[str, str]],
    staged_rows: int,
    handling: bool = True,
    read_groups=None,
) -> ApplyResult:
    """Write the staged rows that are new or changed and add the difference to the summaries.

    Call inside a transaction. `dossier_stored` holds the stored dossier of each staged
    row that has one: staged rows without one are INSERTed, changed ones UPDATEd by id,
    unchanged ones not touched at all (a re-import writes nothing). The summaries get
    the flows of the written rows minus those of the stored rows they replace
    (`apply_flow_delta`); unchanged rows are left out before any delta is computed, so
    the work grows with what changed, not with the file or the table (a re-import that
    changes nothing skips the summaries). A receipt number twice in one file keeps its
    last row. `handling=False` (the bench's baseline only) leaves the handling time out.
    `read_groups` (`columnar.ReadGroups`, PostgreSQL): the staged rows' flows grouped as they
    were read, used for the delta when they cover every staged row and every one is inserted.
    """
    vendor = backend()
    result = ApplyResult()
    clock = time.monotonic()

    def step(name: str) -> None:
        nonlocal clock
        now_ = time.monotonic()
        result.steps[name] = round(now_ - clock, 3)
        clock = now_

    _create_procedures(new_procedures)
    now = timezone.now()
    with connection.cursor() as cursor:
        lock_dossier_writes(cursor)
        if vendor == "postgresql":
            # The key-order sort of the new rows in memory: spilled to disk it costs more than the
            # sort itself (a million staged rows with the 766 columns need ~330 MB; 256 MB spilled).
            cursor.execute(f"SET LOCAL work_mem = '{sort_memory_kb(staged_rows)}kB'")
            # A crash right after COMMIT may lose this import (it is rerun; the upsert is
            # idempotent) but never half of it; saves the WAL flush wait at commit.
            cursor.execute("SET LOCAL synchronous_commit = off")
            # The row count and the join columns are what the plans below need: statistics of all
            # 34 staged columns cost ~0.8 s a million rows (a sample of 30,000 rows sorted per column).
            cursor.execute(f"ANALYZE dossier_stage ({', '.join(STAGE_JOIN_COLUMNS)})")
        else:  # SQLite has no hash join: give it an index to probe
            cursor.execute("CREATE INDEX dossier_stage_key ON dossier_stage (receiving_unit_id, receipt_number)")
        # Optimistically every receipt number once: a second one shows as two staged rows
        # for one stored dossier, or as a unique violation among the new ones; then the
        # savepoint is rolled back and the file's last row per receipt number is used.
        source = "dossier_stage"
        if read_groups is not None:
            read_groups.finish()
        covered = read_groups is not None and handling and vendor == "postgresql" and read_groups.covers == staged_rows
        write = {"job_id": job_id, "now": now, "handling": handling}
        try:
            with transaction.atomic():
                written = _write_rows(cursor, source, **write, read_groups=covered)
        except (_KeyTwiceInFile, IntegrityError):  # the file's last row per receipt number: not what was read
            source = LAST_ROW_PER_KEY
            written = _write_rows(cursor, source, **write)
        result.inserted, result.updated = written.inserted, written.updated
        result.unchanged = max(staged_rows - result.inserted - result.updated, 0)
        step("write")
        if result.inserted or result.updated:
            grouped = {}
            if written.grouped_by == "read" and result.inserted == staged_rows and not result.updated:
                flows, handling_read = _load_read_groups(cursor, read_groups)
                grouped = {"new_grouped": flows, "handling_new": handling_read}
                result.grouped_while_reading = True
            elif written.grouped_by == _Written.TABLE:
                # PostgreSQL: the written rows' handling facts were summed as they were written (`_Written`).
                grouped = {"handling_new": _Written.TABLE}
            new, old = _written_and_replaced(cursor, source)
            result.touched_keys = apply_flow_delta(cursor, new=new, old=old, handling=handling, **grouped)
        step("summaries")
    return result


def _written_and_replaced(cursor, source: str) -> tuple[str, str]:
    """The rows just written (as `apply_flow_delta`'s `new`) and the stored rows they replaced (`old`).

    The written rows are the staged rows (their handling facts included) with their procedure
    id, minus the unchanged ones; without a stored row at all (a first import of these receipt
    numbers) that is every staged row, and nothing is replaced.
    """
    cursor.execute("SELECT 1 FROM dossier_stored LIMIT 1")
    if cursor.fetchone() is None:
        written, replaced = source, "(SELECT * FROM dossier_stored WHERE 1 = 0)"
    else:
        written = f"""(SELECT n.* FROM {source} n LEFT JOIN dossier_stored o ON o.row_no = n.row_no
                       WHERE o.row_no IS NULL OR o.changed = 1)"""
        replaced = "(SELECT * FROM dossier_stored WHERE changed = 1)"
    return (
        f"(SELECT s.*, p.id AS procedure_id FROM {written} s JOIN dossiers_procedure p ON p.code = s.procedure_code)",
        replaced,
    )
