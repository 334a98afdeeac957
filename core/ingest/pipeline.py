"""Read one uploaded file into clean, typed rows, with every error and warning found on the way."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from core.fields import MONEY_FIELDS, SEGMENT_VALUES, TEXT_FIELDS
from core.i18n import t
from core.ingest import load, normalise
from core.ingest.mapping import ColumnMap, resolve
from core.ingest.models import (
    FileReport,
    IngestIssue,
    IngestOptions,
    PreparedUpload,
    plain_params,
)
from core.ingest.rules import find_problems
from core.ingest.sniff import SniffError, decode_text, detect_kind, find_text_header
from core.sql import arrow, fetch_one

CLEAN_COLUMNS = (
    "line",
    "month",
    "account_id",
    "account_name",
    "account_key",
    "parent_group",
    "segment",
    "region",
    "owner",
    "industry",
    "currency",
    "product",
    "quantity",
    *MONEY_FIELDS,
)
"""Columns of a clean row, in the stored order."""


def issue(
    report: FileReport,
    rule: str,
    *,
    line: int | None = None,
    column: str | None = None,
    value: str | None = None,
    count: int = 1,
    **params: object,
) -> IngestIssue:
    """An issue on this file, its message taken from the English catalogue."""
    return IngestIssue(
        file=report.file,
        line=line,
        column=column,
        value=value,
        rule=rule,
        count=count,
        message=t(f"ingest.{rule}", "en", **params),
        params=plain_params(params),
    )


def _nfkc(values: pa.Array) -> pa.Array:
    return pc.utf8_normalize(values, form="NFKC")


def _connect() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(config={"threads": 2})
    con.create_function("nfkc", _nfkc, ["VARCHAR"], "VARCHAR", type="arrow")
    return con


def prepare_upload(
    file_name: str, data: bytes, options: IngestOptions | None = None
) -> PreparedUpload:
    """Parse and validate a file in a private in-memory database; nothing is stored."""
    options = options or IngestOptions()
    report = FileReport(
        file=file_name, sha256=hashlib.sha256(data).hexdigest(), size_bytes=len(data), kind="csv"
    )
    if len(data) > options.max_bytes:
        report.errors.append(
            issue(
                report,
                "file_too_large",
                size=f"{len(data) / 2**20:.1f}",
                limit=f"{options.max_bytes / 2**20:g}",
            )
        )
        report.error_count = 1
        return PreparedUpload(report=report, options=options, data=data)
    rows = preview = None
    try:
        report.kind = detect_kind(file_name, data)  # type: ignore[assignment]
        with _connect() as con, load.scratch_dir() as scratch:
            workdir = Path(scratch)
            if report.kind == "csv":
                text, report.encoding = decode_text(data)
                guess = find_text_header(text, options.mapping)
                raw = load.load_csv(con, text, guess, workdir, options.max_field_chars)
                report.delimiter = guess.delimiter
            elif report.kind == "xlsx":
                raw, report.sheet = load.load_xlsx(con, data, options.sheet, options.mapping)
            else:
                raw = load.load_parquet(con, data, workdir)
            report.headers, report.header_line = raw.headers, raw.header_line
            columns = resolve(raw.headers, options.mapping)
            report.mapping = {raw.headers[p]: f for f, p in columns.positions.items()}
            report.unmapped = columns.unmapped
            preview = _preview(con, raw)
            for rule, header, params in columns.problems:
                report.errors.append(
                    issue(report, rule, line=raw.header_line, column=header or None, **params)
                )
            if not report.errors:
                rows = _typed_rows(con, raw, columns, options, report)
    except SniffError as exc:
        report.errors.append(
            IngestIssue(file=file_name, message=str(exc), rule=exc.rule, params=exc.params)
        )
    report.error_count = max(report.error_count, len(report.errors))
    return PreparedUpload(
        report=report,
        options=options,
        data=data,
        rows=rows if report.ok else None,
        preview=preview,
    )


def _preview(con: duckdb.DuckDBPyConnection, raw: load.RawTable, limit: int = 20) -> pa.Table:
    names, seen = [], set()
    for position, header in enumerate(raw.headers):
        name = header or f"({position + 1})"
        while name in seen:
            name += "*"
        seen.add(name)
        names.append(name)
    columns = ", ".join(f"c{i}" for i in range(len(raw.headers)))
    table = arrow(con, f"SELECT line, {columns} FROM raw ORDER BY line LIMIT {limit}")
    return table.rename_columns(["line", *names])


def _bool(con: duckdb.DuckDBPyConnection, sql: str) -> bool:
    return bool(fetch_one(con, sql)[0])


def _typed_rows(
    con: duckdb.DuckDBPyConnection,
    raw: load.RawTable,
    columns: ColumnMap,
    options: IngestOptions,
    report: FileReport,
) -> pa.Table | None:
    """Type every cell in SQL, collect errors and warnings, and derive the clean rows."""
    pos = columns.positions
    col = {f: f"c{p}" for f, p in pos.items()}
    if (
        "discount_amount" in col
        and "discount_rate" not in col
        and _bool(
            con,
            f"SELECT coalesce(bool_or(regexp_matches({col['discount_amount']}, '[%折]')), false) "
            "FROM raw",
        )
    ):
        col["discount_rate"] = col.pop("discount_amount")
    money_cols = [col[f] for f in MONEY_FIELDS if f in col]
    decimal_comma = (
        raw.delimiter == ";"
        and bool(money_cols)
        and _bool(
            con,
            "SELECT coalesce(bool_or("
            + " OR ".join(
                f"regexp_matches({c}, '\\d,\\d') AND NOT regexp_matches({c}, '\\d,\\d{{3}}\\.\\d')"
                for c in money_cols
            )
            + "), false) FROM raw",
        )
    )
    report.decimal_comma = decimal_comma
    date_order, ambiguous = options.date_order, False
    if date_order == "auto":
        first, second = normalise.day_first_parts(col["month"])
        high_first, high_second = fetch_one(con, f"SELECT {first}, {second} FROM raw")
        if high_first is not None:
            if high_first > 12 >= (high_second or 0):
                date_order = "dmy"
            elif (high_second or 0) > 12 >= high_first:
                date_order = "mdy"
            else:
                ambiguous = True
    percent = "discount_rate" in col and bool(
        fetch_one(
            con,
            f"SELECT coalesce({normalise.plain_number_max(col['discount_rate'])} > 1, false) "
            "FROM raw",
        )[0]
    )

    width = len(raw.headers)
    cells = [f"c{i}" for i in range(width)]
    select = [
        "line",
        "("
        + " OR ".join(
            f"coalesce(regexp_matches({normalise.text(c)}, '{normalise.SUBTOTAL_PATTERN}'), false)"
            for c in cells
        )
        + ") AS is_subtotal",
        (f"({cells[-1]} IS NULL OR x0 IS NOT NULL)" if raw.has_overflow else "false")
        + " AS is_ragged",
        "greatest(" + ", ".join(f"coalesce(length({c}), 0)" for c in cells) + ") AS widest",
    ]
    for field_name, c in col.items():
        select.append(f"{normalise.text(c)} AS raw_{field_name}")
    recognised, month_date = normalise.month(col["month"], date_order)
    select += [
        f"{recognised} AS month_ok",
        f"{month_date} AS month",
        f"{normalise.is_day_month(col['month'])} AS month_day_month",
    ]
    if "account_name" in col:
        select.append(f"{col['account_name']} AS src_account_name")
    for field_name in (*MONEY_FIELDS, "quantity"):
        if field_name in col:
            select.append(f"{normalise.number(col[field_name], decimal_comma)} AS {field_name}")
    if "discount_rate" in col:
        select.append(f"{normalise.rate(col['discount_rate'], percent)} AS discount_rate")
    for field_name in TEXT_FIELDS:
        if field_name in col:
            select.append(
                f"regexp_replace(nfkc({normalise.text(col[field_name])}), '\\s+', ' ', 'g') "
                f"AS {field_name}"
            )
    if "segment" in col:
        label = f"lower(nfkc({normalise.text(col['segment'])}))"
        key = f"regexp_replace({label}, '[\\s_\\-./]+', '', 'g')"
        cases = " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in SEGMENT_VALUES.items())
        select.append(f"CASE {key} {cases} END AS segment")
    if "currency" in col:
        select.append(f"upper({normalise.half_width(col['currency'])}) AS currency")
    con.execute(f"CREATE OR REPLACE TEMP TABLE typed AS SELECT {', '.join(select)} FROM raw")

    headers = {f: raw.headers[int(c[1:])] for f, c in col.items()}
    find_problems(con, raw, headers, options, report, ambiguous)
    if not report.ok:
        return None
    return _clean(con, col, report)


def _clean(con: duckdb.DuckDBPyConnection, col: dict[str, str], report: FileReport) -> pa.Table:
    """Derive list, discount, net, cost and profit from whichever of them the file has."""

    def has(name: str) -> bool:
        return name in col

    net = "net_revenue" if has("net_revenue") else "NULL::DOUBLE"
    lst = "list_revenue" if has("list_revenue") else "NULL::DOUBLE"
    disc = "discount_amount" if has("discount_amount") else "NULL::DOUBLE"
    rate = "discount_rate" if has("discount_rate") else "NULL::DOUBLE"
    list_expr = f"coalesce({lst}, {net} + {disc}, {net} / NULLIF(1 - {rate}, 0))"
    derived = {
        "list_revenue": list_expr,
        "discount_amount": f"coalesce({disc}, ({list_expr}) * {rate}, {lst} - {net})",
        "net_revenue": f"coalesce({net}, {lst} - coalesce({disc}, {lst} * {rate}))",
    }
    gross = "gross_profit" if has("gross_profit") else "NULL::DOUBLE"
    cost = "cost" if has("cost") else "NULL::DOUBLE"
    derived["cost"] = f"coalesce({cost}, ({derived['net_revenue']}) - {gross})"
    derived["gross_profit"] = f"coalesce({gross}, ({derived['net_revenue']}) - {cost})"
    parts = []
    for name in CLEAN_COLUMNS:
        if name in derived:
            expr = derived[name]
        elif name == "account_key":
            expr = "coalesce(account_id, account_name)" if has("account_id") else "account_name"
        elif name in ("line", "month") or has(name) or (name == "segment" and has(name)):
            expr = name
        else:
            expr = "NULL::DOUBLE" if name in (*MONEY_FIELDS, "quantity") else "NULL::VARCHAR"
        parts.append(f"({expr}) AS {name}")
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE clean AS SELECT {', '.join(parts)} FROM typed "
        "WHERE NOT is_subtotal ORDER BY line"
    )
    rows, months, accounts, net_total = fetch_one(
        con,
        "SELECT count(*), list(DISTINCT strftime(month, '%Y-%m')), "
        "count(DISTINCT account_key), coalesce(sum(net_revenue), 0) FROM clean",
    )
    report.rows, report.months = int(rows), sorted(months or [])
    report.accounts, report.net_revenue = int(accounts), float(net_total)
    return arrow(con, f"SELECT {', '.join(CLEAN_COLUMNS)} FROM clean")
