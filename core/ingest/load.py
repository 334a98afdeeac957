"""Load a file's cells, all as text, into a DuckDB table `raw(line, c0, c1, …)`."""

from __future__ import annotations

import io
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from core.ingest.container import check_workbook
from core.ingest.sniff import HEADER_SEARCH_ROWS, HeaderGuess, SniffError, find_header_in_rows
from core.reference_fields import FileKind
from core.sql import fetch_all, scalar

BLANK = "\x02"
"""Stands in for a blank line so that every line keeps its place in the table."""
NULL_MARK = "\x01"
"""DuckDB's null string: real empty cells stay '', cells missing from short rows become NULL."""
_BLANK_LINES = re.compile(r"^[ \t]*$", re.MULTILINE)
_ANY_BLANK = re.compile(r"\n[ \t]*\n|\n[ \t]+\Z")
"""Finds a blank line below the first, much faster than substituting everywhere."""
_HAS_TEXT = frozenset({"string", "mixed", "mixed-integer", "empty"})
"""pandas' inferred kinds of a column that may hold text cells."""


@dataclass(frozen=True)
class RawTable:
    """The `raw` table's shape: its headers and how rows were read."""

    headers: list[str]
    header_line: int | None
    delimiter: str | None = None
    has_overflow: bool = False
    """True when column `x0` catches cells beyond the header (ragged rows)."""
    rejected: list[tuple[int, str, str]] | None = None
    """(line, rule, reader's message) for lines the CSV reader could not split."""
    numeric: frozenset[int] = frozenset()
    """Positions of columns the file stores as numbers (Parquet): their text is a number's."""


def column_names(count: int) -> list[str]:
    """c0 … c{count-1}: positional names, since headers may repeat or be blank."""
    return [f"c{i}" for i in range(count)]


def load_csv(
    con: duckdb.DuckDBPyConnection,
    text: str,
    guess: HeaderGuess,
    workdir: Path,
    max_line: int,
    max_rejects: int = 10_000,
    original: bytes | None = None,
) -> RawTable:
    """Read delimited text below the header line; lines keep their physical numbers.

    `original` is the file's bytes when they are plain UTF-8, written as they are if no line
    needs rewriting."""
    changed = False
    if "\r" in text:
        text, changed = text.replace("\r\n", "\n").replace("\r", "\n"), True
    if _ANY_BLANK.search(text):
        text, changed = _BLANK_LINES.sub(BLANK, text), True
    path = workdir / "upload.csv"
    if original is not None and not changed:
        path.write_bytes(original)
    else:
        path.write_text(text, encoding="utf-8")
    width = len(guess.headers)
    columns = {name: "VARCHAR" for name in [*column_names(width), "x0"]}
    base_options = dict(
        header=False,
        skip=guess.line,
        all_varchar=True,
        columns=columns,
        delim=guess.delimiter,
        quote='"',
        escape='"',
        null_padding=True,
        # Cells beyond x0 are dropped rather than the row rejected: x0 flags it as ragged.
        strict_mode=False,
        auto_detect=False,
        nullstr=NULL_MARK,
        store_rejects=True,
        ignore_errors=True,
        max_line_size=max(max_line, 2_097_152),
    )

    def read(parallel: bool) -> None:
        options = ", ".join(f"{k} := ${k}" for k in base_options)
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE raw_read AS "
            f"SELECT * FROM read_csv($path, {options}, parallel := {parallel})",
            {"path": str(path), **base_options},
        )

    try:
        read(parallel=True)
        multiline = False
    except duckdb.Error as exc:
        if "quoted new lines" not in str(exc):
            raise
        read(parallel=False)
        multiline = True
    # Physical line = header line + 1 + row index, plus newlines inside earlier quoted cells.
    names = [*column_names(width), "x0"]
    if multiline:
        newlines = " + ".join(
            f"coalesce(length({c}) - length(replace({c}, chr(10), '')), 0)" for c in names
        )
        line_expr = (
            f"{guess.line} + 1 + rowid + coalesce(sum({newlines}) OVER "
            "(ORDER BY rowid ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)"
        )
    else:
        line_expr = f"{guess.line} + 1 + rowid"
    # Rejects pile up over scans; only this scan's count. Their `line` is a record number.
    con.execute(
        "CREATE OR REPLACE TEMP TABLE rejected_rows AS SELECT line AS record, "
        "min(byte_position) AS byte_position, CASE "
        "WHEN bool_or(error_type = 'TOO MANY COLUMNS') THEN 'ragged_row' "
        "WHEN bool_or(error_type = 'LINE SIZE OVER MAXIMUM') THEN 'oversized_field' "
        "ELSE 'unreadable_line' END AS rule, min(error_message) AS message FROM reject_errors "
        "WHERE scan_id = (SELECT max(scan_id) FROM reject_scans) GROUP BY line"
    )
    if scalar(con, "SELECT count(*) FROM rejected_rows"):
        # A row below a rejected record is one record further down than its rowid says.
        con.execute(
            "CREATE OR REPLACE TEMP TABLE skips AS SELECT record - $header - "
            "row_number() OVER (ORDER BY record) AS kept_before FROM rejected_rows",
            {"header": guess.line},
        )
        line_expr += " + (SELECT count(*) FROM skips WHERE kept_before <= raw_read.rowid)"
    # A blank line inside a quoted cell got the marker too; take it out again.
    cells = [f"replace({c}, '{BLANK}', '') AS {c}" for c in names] if multiline else names
    # The common case needs no copy: a view numbers the lines as it reads.
    simple = not multiline and "skips" not in line_expr
    con.execute(
        f"CREATE OR REPLACE TEMP {'VIEW' if simple else 'TABLE'} raw AS "
        f"SELECT ({line_expr})::BIGINT AS line, "
        f"{', '.join(cells)} FROM raw_read WHERE NOT (raw_read.c0 IS NOT DISTINCT FROM '{BLANK}' "
        f"AND {' AND '.join(f'raw_read.{c} IS NULL' for c in names[1:])})"
    )
    rejected = fetch_all(
        con,
        "SELECT record, byte_position, rule, message FROM rejected_rows ORDER BY record "
        "LIMIT $limit",
        {"limit": max_rejects},
    )
    if not simple:
        con.execute("DROP TABLE raw_read")
    return RawTable(
        headers=guess.headers,
        header_line=guess.line,
        delimiter=guess.delimiter,
        has_overflow=True,
        rejected=_physical_lines(path, rejected) if rejected else [],
    )


def _physical_lines(path: Path, rejected: list[tuple]) -> list[tuple[int, str, str]]:
    """(line, rule, message) of rejected rows, the line counted from the byte offset.

    The reader's own line number counts records, which is wrong after a quoted newline."""
    data = path.read_bytes()
    found, newlines, start = [], 0, 0
    for record, position, rule, message in rejected:  # rejected rows only, few
        if position is None:
            found.append((int(record), rule, message))
            continue
        newlines += data.count(b"\n", start, int(position))
        start = int(position)
        found.append((newlines + 1, rule, message))
    return found


def _cells_as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Excel cells as text: integral floats without '.0', dates as ISO, empty as NA."""
    out = {}
    for position, column in enumerate(frame.columns):
        values = frame[column]
        # Text cells stay as typed ('00123'); only real number cells are reformatted.
        if pd.api.types.infer_dtype(values, skipna=True) in _HAS_TEXT:
            is_text = values.str.len().notna()
        else:
            is_text = pd.Series(False, index=values.index)
        numeric = pd.to_numeric(values.mask(is_text), errors="coerce")
        integral = numeric.notna() & (numeric == numeric.round()) & (numeric.abs() < 1e15)
        text = values.astype("string")
        whole = numeric.where(integral).round().astype("Int64")  # huge or fractional: NA
        text = text.mask(integral, whole.astype("string"))
        out[f"c{position}"] = text.str.strip().replace("", pd.NA)
    return pd.DataFrame(out)


def load_xlsx(
    con: duckdb.DuckDBPyConnection,
    data: bytes,
    sheet: str | None,
    mapping: dict[str, str],
    kind: FileKind = "export",
) -> tuple[RawTable, str]:
    """Read one sheet; line numbers are Excel row numbers."""
    check_workbook(data)  # zip and XML bombs are refused before openpyxl sees the file
    try:
        book = pd.ExcelFile(io.BytesIO(data), engine="openpyxl")
    except Exception as exc:  # openpyxl raises many types for damaged zips
        raise SniffError("corrupt_file", kind="Excel", detail=_first_line(exc)) from exc
    sheets = [str(name) for name in book.sheet_names]
    if sheet is not None and sheet not in sheets:
        raise SniffError("sheet_missing", sheet=sheet, sheets=", ".join(sheets))
    chosen = sheet if sheet is not None else sheets[0]
    # Cells as typed: 'NA' or 'n/a' is text (and an error in an amount), never a blank.
    try:
        frame = pd.read_excel(
            book, sheet_name=chosen, header=None, dtype=object, keep_default_na=False, na_values=[]
        )
    except Exception as exc:  # damaged parts and out-of-range cells surface only now
        raise SniffError("corrupt_file", kind="Excel", detail=_first_line(exc)) from exc
    # openpyxl drops nothing above the first cell: row i of the frame is Excel row i + 1.
    text = _cells_as_text(frame)
    lead = [
        ["" if pd.isna(v) else str(v) for v in row]
        for row in text.head(HEADER_SEARCH_ROWS).itertuples(index=False)
    ]
    index = find_header_in_rows(lead, mapping, kind)
    if index is None:
        raise SniffError("no_header_in_sheet", rows=HEADER_SEARCH_ROWS, sheet=chosen)
    header_cells = lead[index]
    width = max((i + 1 for i, c in enumerate(header_cells) if c.strip()), default=0)
    body = text.iloc[index + 1 :, :width].copy()
    body.insert(0, "line", pd.RangeIndex(index + 2, index + 2 + len(body)))
    body = body.dropna(how="all", subset=[c for c in body.columns if c != "line"])
    table = pa.Table.from_pandas(body, preserve_index=False)
    con.register("raw_xlsx", table)
    con.execute("CREATE OR REPLACE TEMP TABLE raw AS SELECT * FROM raw_xlsx")
    con.unregister("raw_xlsx")
    headers = [c.strip() for c in header_cells[:width]]
    return RawTable(headers=headers, header_line=index + 1), chosen


_NUMERIC_TYPE = re.compile(r"^(U?(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT)|FLOAT|DOUBLE|DECIMAL)")
"""DuckDB types whose text is a plain number: no decimal comma, currency mark or percent."""


def load_parquet(con: duckdb.DuckDBPyConnection, data: bytes, workdir: Path) -> RawTable:
    """Read a Parquet file; line N is data row N - 1, as if opened with its header in row 1."""
    path = workdir / "upload.parquet"
    path.write_bytes(data)
    try:
        names = [
            row[0]
            for row in fetch_all(
                con,
                "SELECT name FROM parquet_schema($path) WHERE name <> 'schema' "
                "AND num_children IS NULL",
                {"path": str(path)},
            )
        ]
        types = dict(
            fetch_all(
                con,
                "SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet($path))",
                {"path": str(path)},
            )
        )
        selected = ", ".join(
            f'CAST("{name.replace(chr(34), chr(34) * 2)}" AS VARCHAR) AS c{i}'
            for i, name in enumerate(names)
        )
        # A view reads the columnar file as needed instead of copying every cell as text.
        # Views take no parameters; the path is our own scratch file, never user text.
        literal = str(path).replace("'", "''")
        con.execute(
            f"CREATE OR REPLACE TEMP VIEW raw AS SELECT (file_row_number + 2)::BIGINT AS line, "
            f"{selected} FROM read_parquet('{literal}', file_row_number := true)"
        )
    except duckdb.Error as exc:
        raise SniffError("corrupt_file", kind="Parquet", detail=_first_line(exc)) from exc
    numeric = frozenset(
        i for i, name in enumerate(names) if _NUMERIC_TYPE.match(types.get(name, "")) is not None
    )
    return RawTable(headers=names, header_line=1, numeric=numeric)


def _first_line(exc: BaseException) -> str:
    """The first line of an exception's text, without our private temporary path."""
    text = (str(exc).splitlines() or [type(exc).__name__])[0]
    return re.sub(r"\S*keystone-ingest-\S*", "…", text)


def scratch_dir() -> tempfile.TemporaryDirectory[str]:
    """A private folder for the decoded copy of an upload."""
    return tempfile.TemporaryDirectory(prefix="keystone-ingest-")
