"""The column-wise CSV path: polars reads a batch of rows, checks run per column and per distinct value.

The row parser (`RowParser`) stays the one definition of a valid row. This path asks it
once per *distinct* value or combination of values of a batch — procedure, unit, agency,
channel and status cells together (`_row_kind`); each date column's values; the paused
days; the Decision 766 cells (`_service_cells`); due days from working days — and joins
the answers back to the rows; what depends on a row's own combination of dates (due day,
classification, months, the 766 "late" and "online" facts) is computed on whole columns.

A row that any of those checks finds wrong, or that needs a procedure missing from the
catalogue (its level and name come from the first row that has it), is handed to
`RowParser.parse` with its original cells, in file order: so a bad row's error (the first
check it fails, its column and message) is by construction the row parser's own, and only
good rows take the column path. `tests/dossiers/test_columnar_equivalence.py` imports the
same files both ways and compares stored rows, summaries and error files.

What this path does not read (`ColumnarUnsupported`; `import_table` then starts again on
the row path before anything was applied): an .xlsx, a line longer than the toolkit's line
limit, a cell longer than its cell limit, a file polars cannot parse as CSV, and an
encoding error further down the file (the row path then refuses it with its own message).
UTF-16 and Windows-1258 files are transcoded to UTF-8 in a stream first (polars reads UTF-8).
"""

from __future__ import annotations

import codecs
import datetime as dt
import io
import os
import tempfile
import threading
from collections.abc import Callable, Sequence

from django.db import connection

from cchc_portal.lib.imports.files import _prescan

from ..models import Channel, Outcome, Procedure, Status
from .parsing import BAD_TEXT, LOCAL_OFFSET, STAGE_COLUMNS, RowError, RowParser, parse_channel, parse_status
from .reading import FIELDS, SERVICE_FIELDS, FileInfo, limits
from .staging import Stage
from .summaries import FLOW_GROUP_KEY, HANDLING_FACTS, flow_groups_sql, handling_grouped_sql

# Bytes of CSV per batch (~15k rows of a 24-column export): polars parses it on all cores, and
# memory stays flat because the next chunk is read only when this one is staged. Each polars call
# costs ~0.5 ms whatever its size (~70 a batch): 2 MB pieces spent 12 s of CPU on 1M rows, 4 MB 8 s.
# Peak RSS of a 1M import at 4 MB: 290 MB (3 MB: 278 MB); of a 10M import 335 MB (262 MB at 2 MB
# pieces without the read groups): bench/results/dossiers_1m_30nov.txt.
CHUNK_BYTES = 4 << 20
MAX_PENDING = 64 << 20
# Python's str.strip() set: polars' strip_chars() without an argument (Rust's trim) keeps
# U+001C..U+001F, which str.isspace() counts as whitespace.
WHITESPACE = "".join(chr(i) for i in range(0x110000) if chr(i).isspace())
# The date cells most exports have; anything else goes through the row parser's date reading.
USUAL_DATE = r"^\d{2}/\d{2}/\d{4}(?: \d{2}:\d{2}(?::[0-5]\d)?)?$"  # no leap second 60
USUAL_DATE_FORMATS = ["%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y"]
LOCAL_TZ = "Asia/Ho_Chi_Minh"
COPY_CSV_SQL = "COPY dossier_stage FROM STDIN WITH (FORMAT csv, NULL '')"
KIND_FIELDS = [
    "procedure_code",
    "procedure_name",
    "procedure_level",
    "unit_code",
    "unit_name",
    "receiver",
    "agency",
    "channel",
    "status",
]
DATE_FIELDS = ["received_at", "due_at", "finished_at", "returned_at"]
HANDLING_DATES = ["received_at", "finished_at", "returned_at"]  # their second of the day too (`_handling`)
FINISHED_OUTCOMES = [Outcome.EARLY.value, Outcome.ON_TIME.value, Outcome.LATE.value]
SERVICE_OUT = ["f_count", "f_waited", "f_e_result", "f_fee", "f_paid", "f_digitised", "f_reused", "f_vneid",
               "f_complaint"]  # fmt: skip


BOOLEAN_STAGE_COLUMNS = ["late_766", "online_766", "e_result", "fee_bearing", "paid_online", "digitised", "reused",
                         "vneid", "complaint"]  # fmt: skip
# The Decision 766 cells of a row as one key (`_join_service`): control characters no export
# has; a row whose cells hold the separator takes the row parser. Both are whitespace to str.strip().
KEY_SEPARATOR = "\x1f"
NULL_CELL = "\x1e"


class ColumnarUnsupported(Exception):
    """This file needs the row path; nothing has been applied yet."""


def polars():
    """polars, imported on first use: the web process never loads it."""
    # polars' allocator (jemalloc) keeps freed pages for a while: give them back at once so the
    # import's memory stays flat from one chunk to the next (read once, when polars loads).
    os.environ.setdefault("_RJEM_MALLOC_CONF", "dirty_decay_ms:0,muzzy_decay_ms:0")
    import polars as pl

    return pl


# The handling-time groups' key (`handling_grouped_sql`); the province follows from the unit.
HANDLING_GROUP_KEY = ["procedure_id", "receiving_unit_id", "agency_id", "month"]
GROUP_ROWS = 25_000  # staged rows kept (their grouped columns only) before they are grouped in one go
MERGE_AFTER = 2  # groups of that many rows kept before they are added up
# The groups kept may take this much (polars' estimate) before grouping stops and the write groups in SQL:
# adding up twice this is the import's largest transient (1M rows of the demo province: ~47,000 groups, ~7 MB).
MAX_GROUP_BYTES = 16 << 20


class ReadGroups:
    """The summary flows of the rows the column path stages, grouped as they are read.

    Every staged row of a first import is written as new, and its summary delta is then
    the flows of the staged rows: grouped by `apply_stage` in SQL after the write, that is
    a second pass over a million staged rows, and the handling time is summed from the
    write's RETURNING. Here each batch's staged rows are grouped by the same SQL
    (`flow_groups_sql`, `handling_grouped_sql`, run by polars' SQL engine) while the
    batch's COPY runs, and the batches' groups are added up: the write then reads a few
    thousand grouped rows instead (`staging.apply_stage` takes them only when they cover
    every staged row and every staged row was inserted; otherwise it groups in SQL).
    Batches are grouped `GROUP_ROWS` staged rows at a time (a query per batch of a few
    thousand rows cost more in planning than in grouping) and the groups added up every
    `MERGE_AFTER` groups, so memory grows with the summary keys, not with the file.
    """

    # The staged columns the two queries read.
    COLUMNS = ["procedure_code", "receiving_unit_id", "province_id", "agency_id", "channel", "procedure_level",
               "received_month", "closed_month", "overdue_month", "outcome", *BOOLEAN_STAGE_COLUMNS, *HANDLING_FACTS]  # fmt: skip

    def __init__(self):
        pl = polars()
        ids = dict(Procedure.objects.values_list("code", "id"))
        self._codes = pl.Series(list(ids), dtype=pl.String)
        self._ids = pl.Series(list(ids.values()), dtype=pl.Int64)
        self.rows = 0
        self.stopped = False
        self._pending: list = []
        self._pending_rows = 0
        self._flows: list = []
        self._handling: list = []
        self._flows_sql = flow_groups_sql("self")
        self._handling_sql = handling_grouped_sql("self")

    @property
    def covers(self) -> int | None:
        """How many staged rows the groups cover; None once grouping stopped (too many groups)."""
        return None if self.stopped else self.rows

    def add(self, staged) -> None:
        """Take a batch of staged rows (the stage's columns, booleans as booleans)."""
        if self.stopped:
            return
        self._pending.append(staged.select(self.COLUMNS))
        self._pending_rows += staged.height
        self.rows += staged.height
        if self._pending_rows >= GROUP_ROWS:
            self._group()

    def _group(self) -> None:
        if not self._pending or self.stopped:
            return
        pl = polars()
        rows = pl.concat(self._pending, rechunk=False)
        self._pending, self._pending_rows = [], 0
        self._flows.append(_counts_as(rows.sql(self._flows_sql), FLOW_GROUP_KEY, pl.Int32))
        procedure = pl.col("procedure_code").replace_strict(self._codes, self._ids, default=None)
        with_id = rows.with_columns(procedure_id=procedure)
        self._handling.append(_counts_as(with_id.sql(self._handling_sql), HANDLING_GROUP_KEY, pl.Int64))
        if len(self._flows) >= MERGE_AFTER:
            self._merge()

    def _merge(self) -> None:
        """The groups so far as one frame each: memory grows with the keys, not with the rows."""
        self._flows = [_added_up(self._flows, FLOW_GROUP_KEY, "p")]
        self._handling = [_added_up(self._handling, HANDLING_GROUP_KEY, "province_id")]
        if self._flows[0].estimated_size() + self._handling[0].estimated_size() > MAX_GROUP_BYTES:
            self.stopped = True  # memory would grow with the file: the write groups in SQL
            self._flows, self._handling, self._pending = [], [], []

    def finish(self) -> None:
        """Group the last rows taken: `covers` is then final."""
        self._group()
        if not self.stopped:
            self._merge()

    def csv(self) -> tuple[io.BytesIO | None, io.BytesIO | None]:
        """The flows' and the handling time's groups as CSV bytes (FORMAT csv, NULL ''), columns in SQL
        order; None for no groups. After `finish`, when `covers` is not None."""
        out = []
        for frames in (self._flows, self._handling):
            data = None
            if frames and frames[0].height:
                data = io.BytesIO()
                frames[0].write_csv(data, include_header=False, null_value="")
                data.seek(0)
            out.append(data)
        self._flows, self._handling = [], []
        return tuple(out)


def _counts_as(frame, key: list[str], dtype):
    """The groups' counts and sums in one type for adding up: Int32 for counts of rows (half the memory
    of the groups kept), Int64 for sums of minutes."""
    pl = polars()
    return frame.with_columns(pl.exclude(key).cast(dtype))


def _added_up(frames: list, key: list[str], maximum: str):
    """Groups of several batches as one: the counts added up per key, the province (one per unit) kept."""
    pl = polars()
    frames = [frame for frame in frames if frame.height]
    if not frames:
        return pl.DataFrame()
    columns = frames[0].columns
    merged = pl.concat(frames).group_by(key).agg(pl.col(maximum).max(), pl.exclude(*key, maximum).sum())
    return merged.select(columns)


class ColumnStage(Stage):
    """The staging table, also fed whole batches of CSV (PostgreSQL COPY, FORMAT csv).

    On PostgreSQL the rows it stages are also grouped as they come (`groups`, `ReadGroups`).
    """

    groups: ReadGroups | None = None

    def add_csv(self, data: io.BytesIO, count: int) -> None:
        """COPY `count` rows of CSV (UTF-8 bytes, read from the start) in the helper thread."""
        self.flush(wait=False)  # the row parser's rows of earlier batches first
        self.sync()
        connection.ensure_connection()
        raw = connection.connection
        self._copy = threading.Thread(target=self._send_csv, args=(raw, data), daemon=True)
        self._copy.start()
        self.rows += count

    def _send_csv(self, raw, data: io.BytesIO) -> None:
        try:
            with raw.cursor() as cursor:
                # Bytes as polars wrote them, in one read(): no str of the batch, no re-encoding.
                data.seek(0)
                cursor.copy_expert(COPY_CSV_SQL, data, size=max(data.getbuffer().nbytes, 8192))
        except BaseException as exc:  # handed to the main thread by sync()
            self._copy_error = exc


def _utf8_path(info: FileInfo, path: str) -> tuple[str, bool]:
    """A path polars can read (UTF-8), and whether it is a temporary transcoded copy."""
    encoding = info.table.encoding if info.table is not None else "utf-8"
    if encoding in ("utf-8", "utf-8-sig"):
        return path, False
    handle, out_path = tempfile.mkstemp(prefix="dossiers-", suffix=".csv")
    try:
        with open(path, "rb") as raw, os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
            while block := raw.read(1 << 20):
                out.write(decoder.decode(block))
            out.write(decoder.decode(b"", final=True))
    except UnicodeDecodeError:
        os.remove(out_path)
        raise ColumnarUnsupported("encoding") from None
    return out_path, True


def feed_columns(
    path: str,
    info: FileInfo,
    parser: RowParser,
    stage: Stage,
    add_error: Callable[[int, RowError, Sequence], None],
    on_progress: Callable[..., None] | None,
    chunk_bytes: int | None = None,
) -> int:
    """Stage every good row of a CSV and report the bad ones; returns the rows read."""
    pl = polars()
    if info.kind != "csv" or info.table is None:
        raise ColumnarUnsupported("not a CSV")
    if not _prescan(info.table):  # a line over the limit: the row path reports it as a row error
        raise ColumnarUnsupported("long line")
    source, temporary = _utf8_path(info, path)
    width = max(len(info.headers), max(info.columns.values()) + 1)
    names = [f"c{i}" for i in range(width)]
    max_cell = limits().max_cell_chars
    read = 0
    if stage.postgresql:
        stage.groups = ReadGroups()
    converter = _BatchConverter(parser, info.columns, names, max_cell, stage.postgresql, stage.groups)
    schema = dict.fromkeys(names, pl.String)
    next_row = info.header_row + 1

    def parse(number: int, chunk: bytes):
        try:
            return pl.read_csv(
                chunk,
                has_header=False,
                separator=info.delimiter,
                skip_rows=info.header_row if number == 0 else 0,
                schema=schema,
                missing_columns="insert",  # a short row: its missing cells read as empty ones
                truncate_ragged_lines=True,
                empty_string_is_null=False,
                raise_if_empty=False,
            )
        except Exception as exc:  # polars' parse errors: the row path reads this file
            raise ColumnarUnsupported(str(exc)) from exc

    try:
        for number, chunk in enumerate(_record_chunks(source, chunk_bytes or CHUNK_BYTES)):
            batch = parse(number, chunk).with_row_index("row_no", offset=next_row)
            next_row += batch.height
            read += converter.convert(batch, stage, add_error)
            if on_progress is not None:
                stage.sync()  # the callback uses the connection
                on_progress(read, None)
    finally:
        if temporary:
            os.remove(source)
    return read


def _record_chunks(path: str, size: int):
    """The file in pieces of about `size` bytes, each ending at the end of a record.

    A newline ends a record when the quotes before it in the piece are balanced (a quoted
    cell may hold newlines; a doubled quote inside one counts twice).
    """
    with open(path, "rb") as handle:
        rest = b""
        while True:
            block = handle.read(size)
            if not block:
                if rest:
                    yield rest
                return
            data = rest + block
            end = data.rfind(b"\n")
            while end >= 0 and data.count(b'"', 0, end) % 2:
                end = data.rfind(b"\n", 0, end)
            if end < 0:
                # No record end in `MAX_PENDING` bytes: bare CR line ends (csv.reader reads them,
                # polars does not) or a runaway quote; the row path reads such a file.
                if len(data) > MAX_PENDING or (b"\r" in data and b"\n" not in data):
                    raise ColumnarUnsupported("no record end")
                rest = data
                continue
            yield data[: end + 1]
            rest = data[end + 1 :]


def _calendar_day(text: str) -> dt.date | None:
    """dd/mm/yyyy as a date, None when there is no such day (31/02) or year (0000)."""
    try:
        return dt.date(int(text[6:10]), int(text[3:5]), int(text[0:2]))
    except ValueError:
        return None


class _BatchConverter:
    def __init__(self, parser: RowParser, columns: dict[str, int], names: list[str], max_cell: int, copy_csv: bool,
                 groups: ReadGroups | None = None):  # fmt: skip
        self.parser = parser
        self.groups = groups
        # How instants are staged (`parsing.make_datetime_parser`): seconds since the epoch on PostgreSQL.
        self.stamp_dtype = polars().Int64 if copy_csv else polars().String
        self.columns = columns
        self.names = names
        self.max_cell = max_cell
        self.copy_csv = copy_csv
        self.has_service = parser._has_service
        self._service_facts: dict[str, tuple] = {}  # `_join_service`'s answers, kept across batches

    def _field(self, name: str):
        pl = polars()
        index = self.columns.get(name)
        if index is None:
            return pl.lit(None, pl.String).alias(name)
        text = pl.col(f"c{index}").str.strip_chars(WHITESPACE)
        return pl.when(text == "").then(None).otherwise(text).alias(name)

    def _service_key(self):
        """The present Decision 766 cells of a row as read, in one text (see `_join_service`)."""
        pl = polars()
        cells = [pl.col(f"c{self.columns[name]}") for name in SERVICE_FIELDS if name in self.columns]
        return pl.concat_str([cell.fill_null(NULL_CELL) for cell in cells], separator=KEY_SEPARATOR).alias(
            "service_key"
        )

    def convert(self, batch, stage: Stage, add_error) -> int:
        pl = polars()
        names = self.names
        longest = max(batch.select(pl.col(names).str.len_bytes().max()).row(0), key=lambda n: n or 0)
        if longest is not None and longest > self.max_cell:
            cells = max(batch.select(pl.col(names).str.len_chars().max()).row(0), key=lambda n: n or 0)
            if cells > self.max_cell:
                raise ColumnarUnsupported("long cell")
        # A blank row (every cell empty or spaces) is skipped but keeps its number, as csv.reader's
        # loop does; only rows whose first cell is blank need the whole check.
        first = pl.col(names[0]).str.strip_chars(WHITESPACE).fill_null("") == ""
        if batch.select(first.any()).item():
            blank = pl.all_horizontal([pl.col(n).str.strip_chars(WHITESPACE).fill_null("") == "" for n in names])
            batch = batch.filter(~blank)
        read = batch.height
        if not read:
            return 0
        service = [self._service_key()] if self.has_service else []
        df = batch.select("row_no", *[self._field(name) for name in FIELDS], *service)
        bad = []  # boolean expressions: the row goes to the row parser
        receipt = pl.col("receipt_number")
        bad.append(
            receipt.is_null()
            | (receipt.str.len_chars() > 64)
            | receipt.str.contains_any(sorted(BAD_TEXT))
        )  # fmt: skip
        df = self._join_kinds(df)
        bad.append(pl.col("kind_ok").not_())
        df = self._join_dates(df)
        for name in DATE_FIELDS:
            bad.append(pl.col(f"{name}_bad"))
        df = self._join_paused(df)
        bad.append(pl.col("paused_bad"))
        df = df.with_columns(bad=pl.any_horizontal([b.fill_null(True) for b in bad]))
        # What the rest needs: the raw cells of the lookups above are done with.
        raw = set(FIELDS) - {"receipt_number"}
        df = df.select(
            [name for name in df.columns if name not in raw and not name.endswith(("_fast", "_fastday", "_usual"))]
        )
        good = self._due_days(df)  # on every row; the suspects are filtered out once, at the end
        good = self._classify(good)
        if self.has_service:
            good = self._join_service(good)
        good = self._service(good)
        good = self._handling(good)
        # Filter only the columns taken (filtering the whole frame copies all its columns).
        fallback = good.select(pl.col("row_no").filter(pl.col("bad")))
        out = good.lazy().filter(~pl.col("bad")).select(self._stage_columns()).collect()
        if out.height:
            if self.copy_csv:
                # PostgreSQL reads 1/0 as booleans: 1 byte a cell instead of "false".
                csv = out.with_columns(pl.col(BOOLEAN_STAGE_COLUMNS).cast(pl.UInt8))
                data = io.BytesIO()
                csv.write_csv(data, include_header=False, null_value="", quote_style="necessary")
                stage.add_csv(data, out.height)
                if self.groups is not None:
                    self.groups.add(out)  # while the COPY runs
            else:
                for record in out.iter_rows():
                    stage.add(record)
        if fallback.height:
            self._row_parser(batch, fallback, stage, add_error)
        return read

    # --- distinct values, answered by the row parser -----------------------------------

    def _join_kinds(self, df):
        """Procedure, unit and agency, channel, status: each looked up per distinct value.

        The row parser caches their checks per combination of the nine cells; apart they
        are the same checks (only a procedure missing from the catalogue depends on the
        unit's level, and its rows go to the row parser), with far fewer distinct keys.
        """
        pl = polars()
        parser = self.parser
        procedures = parser.lookups.procedures
        codes, levels, allowances = [], [], []
        for code in df.get_column("procedure_code").drop_nulls().unique().to_list():
            known = procedures.get(code)
            if known is None:  # unknown procedure: it depends on earlier rows
                continue
            try:
                parser._text(code, "procedure_code", 50)
            except RowError:
                continue
            codes.append(code)
            levels.append(str(known[0]))
            allowances.append(known[1])
        unit_fields = ["unit_code", "unit_name", "receiver", "agency"]
        units = []
        for key in df.select(unit_fields).unique().iter_rows():
            try:
                unit_id, province_id, _level, agency_id = parser._resolve_unit(*key)
            except RowError:
                continue
            units.append((*key, unit_id, province_id, agency_id))
        schema = dict.fromkeys(unit_fields, pl.String) | {"unit_id": pl.Int64, "prov_id": pl.Int64,
                                                          "agency_id": pl.Int64}  # fmt: skip
        df = df.join(pl.DataFrame(units, schema=schema, orient="row"), on=unit_fields, how="left", nulls_equal=True)
        code = pl.col("procedure_code")
        exprs = [
            code.alias("code"),
            code.replace_strict(codes, pl.Series(levels, dtype=pl.String), default=None).alias("level"),
            code.replace_strict(codes, pl.Series(allowances, dtype=pl.Int64), default=None).alias("allowance"),
            code.is_in(codes).fill_null(False).alias("code_ok"),
        ]
        for name, out, parse in (("channel", "channel_out", parse_channel), ("status", "status_out", parse_status)):
            values = df.get_column(name).drop_nulls().unique().to_list()
            answers = [parse(value) for value in values]
            answers = [None if answer is None else str(answer) for answer in answers]
            empty = parse("")
            cell = pl.col(name)
            exprs.append(
                pl.when(cell.is_null())
                .then(pl.lit(None if empty is None else str(empty), pl.String))
                .otherwise(cell.replace_strict(values, pl.Series(answers, dtype=pl.String), default=None))
                .alias(out)
            )
        df = df.with_columns(exprs)
        ok = pl.col("code_ok") & pl.col("unit_id").is_not_null()
        return df.with_columns(
            kind_ok=ok & pl.col("channel_out").is_not_null() & pl.col("status_out").is_not_null()
        )  # fmt: skip

    def _join_dates(self, df):
        """Each date column: the usual dd/mm/yyyy [HH:MM[:SS]] cells parsed on the whole column,
        any other cell by the row parser's `DateColumn`, once per distinct value."""
        pl = polars()
        parser = self.parser
        columns = {
            "received_at": parser._received,
            "due_at": parser._due,
            "finished_at": parser._finished,
            "returned_at": parser._returned,
        }
        exprs = []
        # The pattern is matched once per column (an expression is evaluated anew in each context).
        df = df.with_columns([pl.col(name).str.contains(USUAL_DATE).alias(f"{name}_usual") for name in columns])
        for name, column in columns.items():
            cell = pl.col(name)
            usual = pl.col(f"{name}_usual")
            if self.copy_csv:  # PostgreSQL: the staged text is the cell itself, with its offset
                # Days are few (hundreds), times of day too: the calendar check runs per distinct day.
                day_part = cell.str.slice(0, 10)
                day_values = df.select(day_part.filter(usual)).to_series().unique().to_list()
                valid = {value: _calendar_day(value) for value in day_values}
                valid = {value: day for value, day in valid.items() if day is not None}
                keys = list(valid)
                fast_day = day_part.replace_strict(keys, pl.Series(list(valid.values()), dtype=pl.Date), default=None)
                hour, minute = cell.str.slice(11, 2), cell.str.slice(14, 2)
                in_day = (cell.str.len_bytes() == 10) | ((hour < "24") & (minute < "60"))
                good = usual & fast_day.is_not_null() & in_day
                length = cell.str.len_bytes()
                second = pl.when(length >= 19).then(cell.str.slice(17, 2).cast(pl.Int64, strict=False)).otherwise(0)
                fast_second = (
                    pl.when(length == 10).then(0)
                    .otherwise(hour.cast(pl.Int64, strict=False) * 3600 + minute.cast(pl.Int64, strict=False) * 60 + second)
                )  # fmt: skip
                # Staged as seconds since the epoch (`parsing.local_epoch`); a Date counts days since 1970.
                stamp = fast_day.cast(pl.Int64) * 86400 + fast_second - LOCAL_OFFSET
                fast_text = pl.when(good).then(stamp).otherwise(None)
                fast_day = pl.when(good).then(fast_day).otherwise(None)
            else:  # SQLite (tests): Django stores aware datetimes as naive UTC text
                local = pl.coalesce(
                    [cell.str.strptime(pl.Datetime("us"), f, strict=False, exact=True) for f in USUAL_DATE_FORMATS]
                )
                utc = local.dt.replace_time_zone(LOCAL_TZ, ambiguous="null", non_existent="null")
                fast_text = utc.dt.convert_time_zone("UTC").dt.strftime("%Y-%m-%d %H:%M:%S")
                fast_day = local.dt.date()
                fast_second = (local.dt.hour().cast(pl.Int64) * 3600 + local.dt.minute().cast(pl.Int64) * 60
                               + local.dt.second().cast(pl.Int64))  # fmt: skip
            df = df.with_columns(
                pl.when(usual).then(fast_text).otherwise(None).alias(f"{name}_fast"),
                pl.when(usual).then(fast_day).otherwise(None).alias(f"{name}_fastday"),
            )
            fast = pl.col(f"{name}_fast").is_not_null()
            values = df.select(cell.filter(cell.is_not_null() & ~fast)).to_series().unique().to_list()
            texts, days, seconds, bad = [], [], [], []
            for value in values:
                try:
                    text, day = column[value]
                except RowError:
                    text, day = None, None
                    bad.append(value)
                texts.append(text)
                days.append(day)
                seconds.append(parser.second_of_day(text) if text is not None else None)
            slow_text = cell.replace_strict(values, pl.Series(texts, dtype=self.stamp_dtype), default=None)
            slow_day = cell.replace_strict(values, pl.Series(days, dtype=pl.Date), default=None)
            day = pl.when(fast).then(pl.col(f"{name}_fastday")).otherwise(slow_day)
            future = (fast & (pl.col(f"{name}_fastday") > parser.latest_allowed)) if name != "due_at" else pl.lit(False)
            if name in HANDLING_DATES:
                slow_second = cell.replace_strict(values, pl.Series(seconds, dtype=pl.Int64), default=None)
                exprs.append(pl.when(fast).then(fast_second).otherwise(slow_second).alias(f"{name}_second"))
            exprs += [
                pl.when(fast).then(pl.col(f"{name}_fast")).otherwise(slow_text).alias(f"{name}_text"),
                day.alias(f"{name}_day"),
                (
                    (cell.is_in(bad) if bad else pl.lit(False))
                    | future
                    | (cell.is_null() if column.required else pl.lit(False))
                ).alias(f"{name}_bad"),
            ]
        return df.with_columns(exprs)

    def _join_paused(self, df):
        pl = polars()
        values = df.get_column("paused_days").drop_nulls().unique().to_list()
        numbers, bad = [], []
        for value in values:
            try:
                number = int(value)
            except (TypeError, ValueError):
                number = None
            if number is None or not 0 <= number <= 3650:
                bad.append(value)
                number = None
            numbers.append(number)
        cell = pl.col("paused_days")
        return df.with_columns(
            paused=pl.when(cell.is_null())
            .then(0)
            .otherwise(cell.replace_strict(values, pl.Series(numbers, dtype=pl.Int64), default=None)),
            paused_bad=cell.is_in(bad) if bad else pl.lit(False),
        )

    def _working_days(self, df, start: str, days: str, out: str):
        """`out` = `start` moved on by `days` working days (the row parser's cache, per distinct pair)."""
        pl = polars()
        pairs = df.select(start, days).drop_nulls().unique()
        working = self.parser._working_day
        table = pairs.with_columns(
            pl.Series(out, [working(a, n) for a, n in pairs.iter_rows()], dtype=pl.Date)
        )  # fmt: skip
        return df.join(table, on=[start, days], how="left")

    def _due_days(self, df):
        pl = polars()
        received, due = pl.col("received_at_day"), pl.col("due_at_day")
        df = self._working_days(df, "received_at_day", "allowance", "due_from_allowance")
        computed = due.is_null()
        texts = {}
        for day in df.select(pl.col("due_from_allowance").filter(computed)).to_series().drop_nulls().unique().to_list():
            texts[day] = self.parser.parse_dt(f"{day:%d/%m/%Y} 17:00")[0]
        keys = list(texts)
        df = df.with_columns(
            bad=pl.col("bad") | (computed & pl.col("allowance").is_null()) | (~computed & (due < received)),
            due_day=pl.when(computed).then(pl.col("due_from_allowance")).otherwise(due),
            due_text=pl.when(computed)
            .then(
                pl.col("due_from_allowance").replace_strict(
                    keys, pl.Series(list(texts.values()), dtype=self.stamp_dtype), default=None
                )
            )
            .otherwise(pl.col("due_at_text")),
        )
        df = self._working_days(df, "due_day", "paused", "due_paused")
        return df.with_columns(
            effective_due=pl.when(pl.col("paused") > 0).then(pl.col("due_paused")).otherwise(pl.col("due_day"))
        )

    def _classify(self, df):
        pl = polars()
        finished_day, returned_day = pl.col("finished_at_day"), pl.col("returned_at_day")
        status = (
            pl.when(pl.col("status_out") == "")
            .then(pl.when(finished_day.is_not_null()).then(pl.lit(Status.FINISHED.value)).otherwise(
                pl.lit(Status.IN_PROGRESS.value)))
            .otherwise(pl.col("status_out"))
        )  # fmt: skip
        df = df.with_columns(status_final=status)
        finished = pl.col("status_final") == Status.FINISHED.value
        take_returned = finished & finished_day.is_null()
        df = df.with_columns(
            bad=pl.col("bad") | (take_returned & returned_day.is_null()),
            finished_text=pl.when(take_returned).then(pl.col("returned_at_text")).otherwise(pl.col("finished_at_text")),
            finished_second=pl.when(take_returned)
            .then(pl.col("returned_at_second"))
            .otherwise(pl.col("finished_at_second")),
            finished_day=pl.when(take_returned).then(returned_day).otherwise(finished_day),
        )
        finished_day = pl.col("finished_day")
        is_open = pl.col("status_final").is_in([Status.IN_PROGRESS.value, Status.PAUSED.value])
        without_result = pl.col("status_final").is_in([Status.REJECTED.value, Status.WITHDRAWN.value])
        df = df.with_columns(
            bad=pl.col("bad")
            | (finished_day.is_not_null() & (finished_day < pl.col("received_at_day"))).fill_null(False)
            | (is_open & finished_day.is_not_null())
        )
        effective_due = pl.col("effective_due")
        today = self.parser.today
        closed_day = (
            pl.when(finished).then(finished_day)
            .when(without_result).then(pl.coalesce(returned_day, finished_day, pl.col("received_at_day")))
            .otherwise(None)
        )  # fmt: skip
        df = df.with_columns(closed_day=closed_day)
        closed = pl.col("closed_day")
        outcome = (
            pl.when(finished).then(
                pl.when(closed < effective_due).then(pl.lit(Outcome.EARLY.value))
                .when(closed == effective_due).then(pl.lit(Outcome.ON_TIME.value))
                .otherwise(pl.lit(Outcome.LATE.value)))
            .when(without_result).then(pl.lit(Outcome.NONE.value))
            .when(effective_due < today).then(pl.lit(Outcome.OVERDUE.value))
            .otherwise(pl.lit(Outcome.PENDING.value))
        )  # fmt: skip
        day_after_due = (effective_due.cast(pl.Int32) + 1).cast(pl.Date)
        overdue = pl.when(closed.is_not_null()).then(closed > day_after_due).otherwise(effective_due < today)
        month = "%Y-%m-01"
        return df.with_columns(
            outcome=outcome,
            due_date=effective_due.dt.strftime("%Y-%m-%d"),
            closed_date=closed.dt.strftime("%Y-%m-%d"),
            received_month=pl.col("received_at_day").dt.strftime(month),
            closed_month=closed.dt.strftime(month),
            overdue_month=pl.when(overdue).then(day_after_due.dt.strftime(month)).otherwise(None),
        )

    def _join_service(self, df):
        """The Decision 766 cells: checked once per distinct combination, mapped back by index.

        `service_key` holds the present cells as read (unstripped: they are stripped per
        distinct key here, not on every row), its distinct values are numbered and each
        output column gathered from a small Series by that number: one hash lookup per row
        instead of a join on eleven text columns that copies the whole frame. The facts of a
        key are kept from one batch to the next. A cell holding KEY_SEPARATOR splits into
        too many parts, and its row goes to the row parser; NULL_CELL alone (a missing cell)
        reads as empty, as a cell of that whitespace alone does.
        """
        pl = polars()
        parser = self.parser
        cache = self._service_facts
        present = [name for name in SERVICE_FIELDS if name in self.columns]
        keys = df.get_column("service_key").unique().to_list()
        positions = [SERVICE_FIELDS.index(name) for name in present]
        failed = (False, *([None] * len(SERVICE_OUT)))
        facts_of_keys = []
        for value in keys:
            facts = cache.get(value)
            if facts is None:
                parts = value.split(KEY_SEPARATOR)
                if len(parts) != len(positions):
                    facts = failed
                else:
                    row = [None] * len(SERVICE_FIELDS)
                    for position, part in zip(positions, parts, strict=True):
                        row[position] = part.strip() or None  # as `_plain_cell`; NULL_CELL is whitespace
                    try:
                        facts = (True, *parser._service_cells(row))
                    except RowError:
                        facts = failed
                if len(cache) > 1 << 17:
                    cache.clear()
                cache[value] = facts
            facts_of_keys.append(facts)
        outputs = list(zip(*facts_of_keys, strict=True)) if keys else [()] * (len(SERVICE_OUT) + 1)
        dtypes = [pl.Boolean, pl.Int64, pl.Int64, *([pl.Boolean] * (len(SERVICE_OUT) - 2))]
        index = pl.col("service_key").replace_strict(keys, pl.Series(range(len(keys)), dtype=pl.UInt32))
        df = df.with_columns(service_index=index)
        at = pl.col("service_index")
        df = df.with_columns(
            [
                pl.lit(pl.Series(list(values), dtype=dtype)).gather(at).alias(name)
                for name, values, dtype in zip(["service_ok", *SERVICE_OUT], outputs, dtypes, strict=True)
            ]
        )
        return df.with_columns(bad=pl.col("bad") | pl.col("service_ok").not_())

    def _service(self, df):
        pl = polars()
        if not self.has_service:
            df = df.with_columns(
                [pl.lit(None, pl.Int64).alias(n) for n in SERVICE_OUT[:2]]
                + [pl.lit(None, pl.Boolean).alias(n) for n in SERVICE_OUT[2:]]
            )
        closed, returned = pl.col("closed_day"), pl.col("returned_at_day")
        end = pl.when(returned.is_not_null() & (returned < closed)).then(returned).otherwise(closed)
        due = (
            pl.when(pl.col("f_waited").is_null()).then(pl.col("effective_due"))
            .otherwise((pl.col("due_day").cast(pl.Int32) + pl.col("f_waited")).cast(pl.Date))
        )  # fmt: skip
        late = pl.when(closed.is_null()).then(None).otherwise((end > due) | (pl.col("f_count") > 1).fill_null(False))
        paper = sorted(self.parser.lookups.paper_results)
        online_channel = pl.col("channel_out").is_in([Channel.ONLINE_FULL.value, Channel.ONLINE_PARTIAL.value])
        e_result_not_false = pl.col("f_e_result").is_null() | pl.col("f_e_result")
        online = online_channel & (e_result_not_false | ~pl.col("code").is_in(paper))
        return df.with_columns(late_766=late, online_766=online)

    def _handling(self, df):
        """The handling time of the finished rows (`RowParser.handling`): the clock's parts per distinct
        day and per minute of the day, the facts by subtraction."""
        pl = polars()
        clock = self.parser.clock
        finished_day, finished_second = pl.col("finished_day"), pl.col("finished_second")
        returned_day, returned_second = pl.col("returned_at_day"), pl.col("returned_at_second")
        returned_first = returned_day.is_not_null() & (
            (returned_day < finished_day) | ((returned_day == finished_day) & (returned_second < finished_second))
        )
        finished = pl.col("outcome").is_in(FINISHED_OUTCOMES)
        df = df.with_columns(
            end_day=pl.when(finished).then(pl.when(returned_first).then(returned_day).otherwise(finished_day)),
            end_second=pl.when(returned_first).then(returned_second).otherwise(finished_second),
        )
        days = (
            pl.concat([df.get_column("received_at_day").filter(df.get_column("end_day").is_not_null()),
                       df.get_column("end_day")])
            .drop_nulls().unique().to_list()
        )  # fmt: skip
        parts = list(zip(*(clock.day(day) for day in days), strict=True)) if days else [(), (), ()]
        so_far = pl.Series(clock.so_far_table, dtype=pl.Int64)

        def at(day_name: str, second_name: str):
            day = pl.col(day_name)
            total, before, working = (
                day.replace_strict(days, pl.Series(values, dtype=pl.Int64), default=None) for values in parts
            )
            minute = (pl.col(second_name) // 60).fill_null(0)
            return total, clock.minutes_per_day * before + working * pl.lit(so_far).gather(minute)

        received_total, received_minutes = at("received_at_day", "received_at_second")
        end_total, end_minutes = at("end_day", "end_second")
        elapsed = (
            (pl.col("end_day") - pl.col("received_at_day")).dt.total_days() * 86400
            + pl.col("end_second")
            - pl.col("received_at_second")
        )
        return df.with_columns(
            h_minutes=(elapsed + 30) // 60,
            h_days=end_total - received_total,
            h_working_minutes=end_minutes - received_minutes,
        )

    def _stage_columns(self) -> list:
        pl = polars()
        source = {
            "row_no": pl.col("row_no").cast(pl.Int64),
            "receipt_number": pl.col("receipt_number"),
            "procedure_code": pl.col("code"),
            "procedure_level": pl.col("level"),
            "receiving_unit_id": pl.col("unit_id"),
            "province_id": pl.col("prov_id"),
            "agency_id": pl.col("agency_id"),
            "channel": pl.col("channel_out"),
            "status": pl.col("status_final"),
            "received_at": pl.col("received_at_text"),
            "due_at": pl.col("due_text"),
            "paused_days": pl.col("paused"),
            "finished_at": pl.col("finished_text"),
            "returned_at": pl.col("returned_at_text"),
            "due_date": pl.col("due_date"),
            "closed_date": pl.col("closed_date"),
            "outcome": pl.col("outcome"),
            "received_month": pl.col("received_month"),
            "closed_month": pl.col("closed_month"),
            "overdue_month": pl.col("overdue_month"),
            "supplement_count": pl.col("f_count"),
            "supplement_days": pl.col("f_waited"),
            "late_766": pl.col("late_766"),
            "online_766": pl.col("online_766"),
            "e_result": pl.col("f_e_result"),
            "fee_bearing": pl.col("f_fee"),
            "paid_online": pl.col("f_paid"),
            "digitised": pl.col("f_digitised"),
            "reused": pl.col("f_reused"),
            "vneid": pl.col("f_vneid"),
            "complaint": pl.col("f_complaint"),
            "handling_minutes": pl.col("h_minutes"),
            "handling_working_days": pl.col("h_days"),
            "handling_working_minutes": pl.col("h_working_minutes"),
        }
        return [source[name].alias(name) for name in STAGE_COLUMNS]

    # --- rows for the row parser ------------------------------------------------------------

    def _row_parser(self, batch, fallback, stage: Stage, add_error) -> None:
        """Parse the batch's suspect rows with the row parser, in file order, from their original cells."""
        rows = batch.join(fallback, on="row_no", how="semi").sort("row_no")
        parse = self.parser.parse
        for row_no, *cells in rows.select("row_no", *self.names).iter_rows():
            try:
                stage.add(parse(row_no, cells))
            except RowError as error:
                add_error(row_no, error, cells)
