"""Read one uploaded file into clean, typed rows, with every error and warning found on the way."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from core.db import fault_point
from core.fields import MONEY_FIELDS, SEGMENT_VALUES, TEXT_FIELDS
from core.i18n import t
from core.ingest import companion, conventions, load, normalise
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
                guess = find_text_header(text, options.mapping, options.kind)
                raw = load.load_csv(
                    con,
                    text,
                    guess,
                    workdir,
                    options.max_field_chars,
                    original=data if report.encoding == "utf-8" else None,
                )
                report.delimiter = guess.delimiter
            elif report.kind == "xlsx":
                raw, report.sheet = load.load_xlsx(
                    con, data, options.sheet, options.mapping, options.kind
                )
            else:
                raw = load.load_parquet(con, data, workdir)
            report.headers, report.header_line = raw.headers, raw.header_line
            fault_point("read")  # the file is in the scratch database, not yet checked
            columns = resolve(raw.headers, options.mapping, options.kind)
            report.mapping = {raw.headers[p]: f for f, p in columns.positions.items()}
            report.unmapped = columns.unmapped
            preview = _preview(con, raw)
            for rule, header, params in columns.problems:
                report.errors.append(
                    issue(report, rule, line=raw.header_line, column=header or None, **params)
                )
            if not report.errors and options.kind != "export":
                rows = companion.typed_rows(con, raw, columns, options, report)
            elif not report.errors:
                rows = _typed_rows(con, raw, columns, options, report)
    except SniffError as exc:
        report.errors.append(
            IngestIssue(file=file_name, message=str(exc), rule=exc.rule, params=exc.params)
        )
    except duckdb.Error as exc:
        if report.kind != "parquet":
            raise
        # Parquet pages are read lazily, so damage inside the file shows up while typing.
        damaged = SniffError("corrupt_file", kind="Parquet", detail=str(exc).splitlines()[0])
        report.errors.append(
            IngestIssue(
                file=file_name, message=str(damaged), rule=damaged.rule, params=damaged.params
            )
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
        and pos["discount_amount"] not in raw.numeric
        and _bool(
            con,
            f"SELECT coalesce(bool_or(contains({col['discount_amount']}, '%') "
            f"OR contains({col['discount_amount']}, '折')), false) FROM raw",
        )
    ):
        col["discount_rate"] = col.pop("discount_amount")
    money_cols = [col[f] for f in MONEY_FIELDS if f in col]
    # Columns stored as numbers cannot show a decimal comma: only text columns are read for one.
    text_money = [col[f] for f in MONEY_FIELDS if f in col and pos[f] not in raw.numeric]
    comma = conventions.decimal_comma(con, text_money, raw.delimiter)
    report.decimal_comma = bool(comma)
    date_order, ambiguous = conventions.date_order(con, col["month"], options.date_order)
    percent = "discount_rate" in col and conventions.rate_notation(con, col["discount_rate"])
    for unsettled, rule, field_name in (
        (comma is None, "number_format_mixed", None),
        (percent is None, "rate_notation_mixed", "discount_rate"),
    ):
        if unsettled:
            column = raw.headers[int(col[field_name][1:])] if field_name else None
            report.errors.append(issue(report, rule, line=raw.header_line, column=column))
    if report.errors:
        report.error_count = len(report.errors)
        return None
    decimal_comma = bool(comma)

    width = len(raw.headers)
    cells = [f"raw.c{i}" for i in range(width)]
    looked_up = {"month", "discount_rate", "segment", "currency", *TEXT_FIELDS}
    numeric = {*MONEY_FIELDS, "quantity"}
    direct = [
        f"raw.c{i}"
        for i in range(width)
        if i not in {int(col[f][1:]) for f in col if f in looked_up | numeric}
    ]

    def is_subtotal(c: str) -> str:
        """A total label in the cell; the cheap hint keeps the pattern off most cells."""
        return (
            f"(CASE WHEN {normalise.SUBTOTAL_HINT.format(c=c)} THEN coalesce(regexp_matches("
            f"{normalise.text(c)}, '{normalise.SUBTOTAL_PATTERN}'), false) ELSE false END)"
        )

    # Labels in looked-up columns are tested once per distinct value (see lookup below).
    subtotal = [is_subtotal(c) for c in direct] + [
        f"coalesce(lk_{f}.is_total, false)" for f in col if f in looked_up
    ]
    # A total row leaves the account id empty; a customer called 'Total (China)' has one.
    id_free = (
        f"(NULLIF(trim(raw.{col['account_id']}), '') IS NULL "
        "OR coalesce(lk_account_id.is_total, false))"
        if "account_id" in col
        else "true"
    )
    select = [
        "raw.line",
        f"(({' OR '.join(subtotal) or 'false'}) AND {id_free}) AS is_subtotal",
        (f"({cells[-1]} IS NULL OR raw.x0 IS NOT NULL)" if raw.has_overflow else "false")
        + " AS is_ragged",
        # Bytes bound characters from above, so the exact count runs only on long rows.
        f"CASE WHEN greatest({', '.join(f'coalesce(strlen({c}), 0)' for c in cells)}) "
        f"> {options.max_field_chars} THEN greatest("
        + ", ".join(f"coalesce(length({c}), 0)" for c in cells)
        + ") ELSE 0 END AS widest",
    ]
    joins: list[str] = []

    def lookup(name: str, exprs: dict[str, str]) -> None:
        """Evaluate costly expressions once per distinct cell value, then join them back."""
        column = col[name]
        body = ", ".join(f"{expr} AS {alias}" for alias, expr in exprs.items())
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE lk_{name} AS SELECT src, {body}, "
            f"{is_subtotal('src')} AS is_total "
            f"FROM (SELECT DISTINCT {column} AS src FROM raw WHERE {column} IS NOT NULL)"
        )
        joins.append(f"LEFT JOIN lk_{name} ON raw.{column} = lk_{name}.src")
        select.extend(f"lk_{name}.{alias}" for alias in exprs)

    for field_name, c in col.items():
        if field_name not in looked_up:
            select.append(f"NULLIF(trim(raw.{c}), '') AS raw_{field_name}")
    recognised, month_date = normalise.month("src", date_order)
    lookup(
        "month",
        {
            "raw_month": normalise.text("src"),
            "month_ok": recognised,
            "month": month_date,
            "month_day_month": normalise.is_day_month("src"),
        },
    )
    select[-3:] = [
        "coalesce(lk_month.month_ok, false) AS month_ok",
        "lk_month.month",
        "coalesce(lk_month.month_day_month, false) AS month_day_month",
    ]
    if "account_name" in col:
        select.append(f"raw.{col['account_name']} AS src_account_name")
    for field_name in (*MONEY_FIELDS, "quantity"):
        if field_name in col:
            # A number the file stores as one reads as one, whatever the text columns' mark.
            comma = decimal_comma and pos.get(field_name) not in raw.numeric
            select.append(f"{normalise.number('raw.' + col[field_name], comma)} AS {field_name}")
    # Currency marks inside amounts ('$1,200'): only cells that are not plain numbers have one.
    marks = [
        f"CASE WHEN TRY_CAST(raw.{c} AS DOUBLE) IS NULL "
        f"THEN {normalise.currency_mark('raw.' + c)} END"
        for c in money_cols
    ]
    select.append(
        f"coalesce({', '.join(marks)}) AS amount_currency"
        if marks
        else "NULL::VARCHAR AS amount_currency"
    )
    if "discount_rate" in col:
        lookup(
            "discount_rate",
            {
                "raw_discount_rate": normalise.text("src"),
                "discount_rate": normalise.rate("src", percent),
            },
        )
    for field_name in TEXT_FIELDS:
        if field_name in col:
            lookup(
                field_name,
                {
                    f"raw_{field_name}": normalise.text("src"),
                    field_name: f"regexp_replace(nfkc({normalise.text('src')}), '\\s+', ' ', 'g')",
                },
            )
    if "segment" in col:
        label = f"lower(nfkc({normalise.text('src')}))"
        key = f"regexp_replace({label}, '[\\s_\\-./]+', '', 'g')"
        cases = " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in SEGMENT_VALUES.items())
        lookup(
            "segment", {"raw_segment": normalise.text("src"), "segment": f"CASE {key} {cases} END"}
        )
    if "currency" in col:
        lookup(
            "currency",
            {
                "raw_currency": normalise.text("src"),
                "currency": normalise.currency_code(normalise.half_width("src")),
            },
        )
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE typed AS SELECT {', '.join(select)} "
        f"FROM raw {' '.join(joins)}"
    )

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
        elif name == "currency":
            expr = "coalesce(currency, amount_currency)" if has(name) else "amount_currency"
        elif name == "account_key":
            expr = "coalesce(account_id, account_name)" if has("account_id") else "account_name"
        elif name in ("line", "month") or has(name) or (name == "segment" and has(name)):
            expr = name
        else:
            expr = "NULL::DOUBLE" if name in (*MONEY_FIELDS, "quantity") else "NULL::VARCHAR"
        parts.append(f"({expr}) AS {name}")
    clean = arrow(con, f"SELECT {', '.join(parts)} FROM typed WHERE NOT is_subtotal ORDER BY line")
    # The summary comes from the fetched rows (vectorised Arrow), not another scan.
    months = pc.unique(clean["month"]).drop_null().to_pylist()  # a few dates, not rows
    report.rows, report.months = clean.num_rows, sorted({f"{m:%Y-%m}" for m in months})
    report.accounts = pc.count_distinct(clean["account_key"]).as_py()
    report.net_revenue = float(pc.sum(clean["net_revenue"]).as_py() or 0.0)
    return clean
