"""The validation rules: each is one SQL filter over the typed rows, reported with its line."""

from __future__ import annotations

from typing import TYPE_CHECKING

import duckdb

from core.fields import MONEY_FIELDS, includes_tax
from core.i18n import t
from core.ingest.models import FileReport, IngestIssue, IngestOptions, plain_params
from core.sql import fetch_all, fetch_one

if TYPE_CHECKING:
    from core.ingest.load import RawTable

SAMPLE_LINES = 5
"""Lines quoted in a warning's evidence."""


def _row_rules(
    fields: set[str], options: IngestOptions, ambiguous: bool
) -> list[tuple[str, str | None, str]]:
    """(rule, field whose raw cell is the value, SQL condition) for every row-level error."""
    unrecognised = "raw_month IS NOT NULL AND NOT month_ok"
    rules: list[tuple[str, str | None, str]] = [
        ("oversized_field", None, f"widest > {options.max_field_chars}"),
        ("month_missing", "month", "raw_month IS NULL"),
        ("month_impossible", "month", "month_ok AND month IS NULL"),
    ]
    if ambiguous:  # 03/04/2026 is ambiguous, not unrecognised: one error per cell
        rules.append(("month_ambiguous", "month", "month_day_month"))
        unrecognised += " AND NOT month_day_month"
    rules.append(("month_unrecognised", "month", unrecognised))
    ids = [f"raw_{f}" for f in ("account_id", "account_name") if f in fields]
    rules.append(("account_missing", None, " AND ".join(f"{c} IS NULL" for c in ids)))
    for name in (*MONEY_FIELDS, "quantity"):
        if name in fields:
            rules.append(("not_numeric", name, f"raw_{name} IS NOT NULL AND {name} IS NULL"))
    if "net_revenue" in fields:
        derivable = "list_revenue" in fields and (
            "discount_amount" in fields or "discount_rate" in fields
        )
        if derivable:
            other = "raw_discount_amount" if "discount_amount" in fields else "raw_discount_rate"
            missing = f"raw_net_revenue IS NULL AND (raw_list_revenue IS NULL OR {other} IS NULL)"
        else:
            missing = "raw_net_revenue IS NULL"
        rules.append(("net_missing", "net_revenue", missing))
    if "discount_rate" in fields:
        rules.append(
            (
                "rate_unrecognised",
                "discount_rate",
                "raw_discount_rate IS NOT NULL AND discount_rate IS NULL",
            )
        )
        rules.append(
            (
                "rate_out_of_range",
                "discount_rate",
                "discount_rate IS NOT NULL AND NOT (discount_rate >= 0 AND discount_rate < 1)",
            )
        )
    if {"discount_amount", "list_revenue"} <= fields:
        rules.append(
            (
                "discount_above_list",
                "discount_amount",
                "abs(discount_amount) > abs(list_revenue) + 0.005",
            )
        )
    if "segment" in fields:
        rules.append(("segment_unknown", "segment", "raw_segment IS NOT NULL AND segment IS NULL"))
    return rules


def find_problems(
    con: duckdb.DuckDBPyConnection,
    raw: RawTable,
    headers: dict[str, str],
    options: IngestOptions,
    report: FileReport,
    ambiguous: bool,
) -> None:
    """Fill report.errors and report.warnings from the `typed` table."""
    fields = set(headers)
    selects = [
        "SELECT line, NULL AS field, NULL AS value, 'ragged_row' AS rule FROM typed "
        "WHERE is_ragged AND NOT is_subtotal"
    ]
    for rule, field_name, condition in _row_rules(fields, options, ambiguous):
        value = f"raw_{field_name}" if field_name else "NULL"
        field_sql = f"'{field_name}'" if field_name else "NULL"
        selects.append(
            f"SELECT line, {field_sql}, {value}, '{rule}' FROM typed "
            f"WHERE NOT is_subtotal AND NOT is_ragged AND ({condition})"
        )
    # One currency per file, whether named in a column or marked in the amounts ('$1,200').
    currency = "coalesce(currency, amount_currency)" if "currency" in fields else "amount_currency"
    shown = "coalesce(raw_currency, amount_currency)" if "currency" in fields else "amount_currency"
    majority = fetch_all(
        con,
        f"SELECT {currency} AS c FROM typed WHERE {currency} IS NOT NULL AND NOT is_subtotal "
        "AND NOT is_ragged GROUP BY c ORDER BY count(*) DESC, c LIMIT 1",
    )
    majority = majority[0][0] if majority else None
    if majority:
        conflict = (
            " OR (currency IS NOT NULL AND amount_currency IS NOT NULL "
            "AND currency <> amount_currency)"
            if "currency" in fields
            else ""
        )
        column = "'currency'" if "currency" in fields else "NULL"
        selects.append(
            f"SELECT line, {column}, {shown}, 'currency_mixed' FROM typed "
            f"WHERE NOT is_subtotal AND NOT is_ragged AND ({currency} <> $majority{conflict})"
        )
    union = " UNION ALL ".join(selects)
    params = {"majority": majority} if majority else {}
    total = fetch_one(con, f"SELECT count(*) FROM ({union})", params)[0]
    found = (
        fetch_all(
            con, f"SELECT * FROM ({union}) ORDER BY line, rule LIMIT {options.max_errors}", params
        )
        if total
        else []
    )
    width = len(raw.headers)
    extra = {"ragged_row": {"width": width}, "currency_mixed": {"majority": majority}}
    message = {}
    for line, field_name, value, rule in found:
        if rule not in message:
            message[rule] = t(f"ingest.{rule}", "en", **extra.get(rule, {}))
        report.errors.append(
            IngestIssue(
                file=report.file,
                line=int(line),
                column=headers.get(field_name) if field_name else None,
                value=value,
                message=message[rule],
                rule=rule,
                params=plain_params(extra.get(rule, {})),
            )
        )
    for line, rule, text in raw.rejected or []:
        params = {"ragged_row": {"width": width}, "oversized_field": {}}.get(rule, {"detail": text})
        total += 1
        report.errors.append(
            IngestIssue(
                file=report.file,
                line=line,
                message=t(f"ingest.{rule}", "en", **params),
                rule=rule,
                params=params,
            )
        )
    data_rows = fetch_one(con, "SELECT count(*) FROM typed WHERE NOT is_subtotal")[0]
    if data_rows == 0 and not raw.rejected:
        total += 1
        report.errors.append(
            IngestIssue(
                file=report.file,
                line=raw.header_line,
                message=t("ingest.no_rows", "en"),
                rule="no_rows",
            )
        )
    report.error_count = total
    report.errors.sort(key=lambda e: (e.line or 0, e.rule))
    _warnings(con, fields, report, headers)


def _lines(con: duckdb.DuckDBPyConnection, condition: str) -> tuple[int, list[int]]:
    count, lines = fetch_one(
        con,
        f"SELECT count(*), list(line ORDER BY line)[1:{SAMPLE_LINES}] FROM typed WHERE {condition}",
    )
    return int(count), [int(x) for x in lines or []]


def _warnings(
    con: duckdb.DuckDBPyConnection, fields: set[str], report: FileReport, headers: dict[str, str]
) -> None:
    """Non-blocking findings: subtotals, credit notes, duplicates, merged names, ignored columns."""

    def warn(
        rule: str, count: int, line: int | None = None, column: str | None = None, **params: object
    ) -> None:
        report.warnings.append(
            IngestIssue(
                file=report.file,
                line=line,
                column=column,
                rule=rule,
                count=count,
                message=t(f"ingest.{rule}", "en", count=count, **params),
                params=plain_params({"count": count, **params}),
            )
        )

    count, lines = _lines(con, "is_subtotal")
    report.subtotal_rows = count
    if count:
        warn("subtotal_excluded", count, lines[0], lines=", ".join(map(str, lines)))
    if "net_revenue" in fields:
        count, lines = _lines(con, "NOT is_subtotal AND net_revenue < 0")
        if count:
            total = fetch_one(
                con, "SELECT sum(net_revenue) FROM typed WHERE NOT is_subtotal AND net_revenue < 0"
            )[0]
            warn(
                "negative_revenue",
                count,
                lines[0],
                headers["net_revenue"],
                total=f"{total:,.2f}",
                lines=", ".join(map(str, lines)),
            )
    raw_columns = ", ".join(f"raw_{f}" for f in sorted(fields))
    duplicates = fetch_one(
        con,
        f"SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) AS n FROM typed "
        f"WHERE NOT is_subtotal GROUP BY {raw_columns} HAVING count(*) > 1)",
    )[0]
    if duplicates:
        warn("duplicate_rows", int(duplicates))
    if "account_name" in fields:
        # Spellings as written, zero-width characters and edge spaces included.
        merged = fetch_one(
            con,
            "SELECT count(DISTINCT src_account_name) - count(DISTINCT account_name) FROM typed "
            "WHERE NOT is_subtotal AND account_name IS NOT NULL",
        )[0]
        if merged:
            warn("names_merged", int(merged), column=headers["account_name"])
    if {"net_revenue", "list_revenue", "discount_amount"} <= fields:
        count, lines = _lines(
            con,
            "NOT is_subtotal AND abs(list_revenue - discount_amount - net_revenue) > "
            "0.01 + 0.001 * abs(list_revenue)",
        )
        if count:
            warn("inconsistent_amounts", count, lines[0], lines=", ".join(map(str, lines)))
    if "net_revenue" in headers and includes_tax(headers["net_revenue"]):
        warn("net_includes_tax", 1, column=headers["net_revenue"], header=headers["net_revenue"])
    if report.unmapped:
        warn("unmapped_columns", len(report.unmapped), columns=", ".join(report.unmapped))
