"""Type and check a companion file (contacts or accounts) read into `raw`, with the export rules.

The file has already been sniffed, decoded, loaded and its headers mapped by the export path
(core.ingest.pipeline); only the fields and their rules differ. Every cell is typed in SQL.
"""

from __future__ import annotations

from typing import Final

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from core.fields import CODED_VALUES, SEGMENT_VALUES
from core.i18n import t
from core.ingest import conventions, normalise
from core.ingest.load import RawTable
from core.ingest.mapping import ColumnMap
from core.ingest.models import FileReport, IngestIssue, IngestOptions, plain_params
from core.reference_fields import COMPANION_REQUIRED, INFLUENCE_RANGE
from core.sql import arrow, fetch_all, fetch_one

CLEAN_COLUMNS: Final[dict[str, dict[str, str]]] = {
    "contacts": {
        "line": "BIGINT",
        "account_id": "VARCHAR",
        "account_name": "VARCHAR",
        "contact_name": "VARCHAR",
        "title": "VARCHAR",
        "buying_role": "VARCHAR",
        "style": "VARCHAR",
        "influence": "INTEGER",
        "stance": "VARCHAR",
        "last_contact": "DATE",
        "owner": "VARCHAR",
    },
    "accounts": {
        "line": "BIGINT",
        "account_id": "VARCHAR",
        "account_name": "VARCHAR",
        "parent_group": "VARCHAR",
        "segment": "VARCHAR",
        "owner": "VARCHAR",
        "industry": "VARCHAR",
        "key_account": "BOOLEAN",
    },
}
"""Per companion kind: the clean columns, in stored order, with their SQL types."""

_CODED_RULE: Final = {
    "buying_role": "role_unknown",
    "style": "style_unknown",
    "stance": "stance_unknown",
    "key_account": "flag_unknown",
    "segment": "segment_unknown",
}
"""Coded field -> the rule an unknown word breaks."""


def _word_key(expr: str) -> str:
    """A cell as a vocabulary key, the way core.fields.normalise_header folds words."""
    folded = f"lower(nfkc({normalise.text(expr)}))"
    unbracketed = f"regexp_replace({folded}, '[(\\[（【].*?[)\\]）】]', '', 'g')"
    return f"regexp_replace({unbracketed}, '[\\s_\\-./:：]+', '', 'g')"


def _coded(expr: str, vocabulary: dict[str, str]) -> str:
    cases = " ".join(f"WHEN '{word}' THEN '{value}'" for word, value in vocabulary.items())
    return f"(CASE {_word_key(expr)} {cases} END)"


def _issue(report: FileReport, rule: str, line: int | None, **params: object) -> IngestIssue:
    return IngestIssue(
        file=report.file,
        line=line,
        message=t(f"ingest.{rule}", "en", **params),
        rule=rule,
        params=plain_params(params),
    )


def typed_rows(
    con: duckdb.DuckDBPyConnection,
    raw: RawTable,
    columns: ColumnMap,
    options: IngestOptions,
    report: FileReport,
) -> pa.Table | None:
    """The clean rows of a contacts or accounts file; None (see report.errors) on errors."""
    kind = options.kind
    col = {f: f"raw.c{p}" for f, p in columns.positions.items()}
    cells = [f"raw.c{i}" for i in range(len(raw.headers))]
    order, ambiguous = "auto", False
    if "last_contact" in col:
        order, ambiguous = conventions.date_order(
            con, col["last_contact"].removeprefix("raw."), options.date_order
        )
    select = [
        "raw.line",
        f"({' AND '.join(f'{normalise.text(c)} IS NULL' for c in cells)}) AS is_blank",
        (f"({cells[-1]} IS NULL OR raw.x0 IS NOT NULL)" if raw.has_overflow else "false")
        + " AS is_ragged",
        f"greatest({', '.join(f'coalesce(length({c}), 0)' for c in cells)}) AS widest",
    ]
    for name, cell in col.items():
        select.append(f"{normalise.text(cell)} AS raw_{name}")
        if name in CODED_VALUES:
            value = _coded(cell, CODED_VALUES[name])
            if name == "key_account":
                value = f"({value})::BOOLEAN"
        elif name == "segment":
            value = _coded(cell, SEGMENT_VALUES)
        elif name == "influence":
            value = f"TRY_CAST(replace({normalise.half_width(cell)}, ' ', '') AS DOUBLE)"
        elif name == "last_contact":
            recognised, day = normalise.day(cell, order)
            select += [
                f"{recognised} AS date_ok",
                f"{normalise.is_day_month(cell)} AS date_day_month",
            ]
            value = day
        else:
            value = f"regexp_replace(nfkc({normalise.text(cell)}), '\\s+', ' ', 'g')"
        select.append(f"{value} AS {name}")
    con.execute(f"CREATE OR REPLACE TEMP TABLE typed AS SELECT {', '.join(select)} FROM raw")
    con.execute("DELETE FROM typed WHERE is_blank")
    if kind == "accounts":
        con.execute(
            "CREATE OR REPLACE TEMP TABLE typed AS "
            "SELECT *, min(line) OVER (PARTITION BY account_id) AS first_line FROM typed"
        )
    headers = {f: raw.headers[p] for f, p in columns.positions.items()}
    _find_errors(con, raw, headers, options, report, ambiguous)
    if not report.ok:
        return None
    _warnings(con, set(col), report)
    parts = [
        f"{name}::{sql_type} AS {name}"
        if name in col or name == "line"
        else f"NULL::{sql_type} AS {name}"
        for name, sql_type in CLEAN_COLUMNS[kind].items()
    ]
    clean = arrow(con, f"SELECT {', '.join(parts)} FROM typed ORDER BY line")
    report.rows = clean.num_rows
    report.accounts = pc.count_distinct(clean["account_id"]).as_py()
    return clean


def _rules(kind: str, fields: set[str], options: IngestOptions, ambiguous: bool) -> list:
    """(rule, field whose raw cell is the value, SQL condition) for every row-level error."""
    rules: list[tuple[str, str | None, str]] = [
        ("ragged_row", None, "is_ragged"),
        ("oversized_field", None, f"widest > {options.max_field_chars}"),
    ]
    rules += [("value_missing", f, f"raw_{f} IS NULL") for f in COMPANION_REQUIRED[kind]]
    for name, rule in _CODED_RULE.items():
        if name in fields:
            rules.append((rule, name, f"raw_{name} IS NOT NULL AND {name} IS NULL"))
    if "influence" in fields:
        low, high = INFLUENCE_RANGE
        rules.append(
            (
                "influence_invalid",
                "influence",
                f"raw_influence IS NOT NULL AND (influence IS NULL OR influence <> round(influence)"
                f" OR influence NOT BETWEEN {low} AND {high})",
            )
        )
    if "last_contact" in fields:
        unrecognised = "raw_last_contact IS NOT NULL AND NOT date_ok"
        if ambiguous:
            rules.append(("month_ambiguous", "last_contact", "date_day_month"))
            unrecognised += " AND NOT date_day_month"
        rules.append(("date_unrecognised", "last_contact", unrecognised))
        rules.append(("month_impossible", "last_contact", "date_ok AND last_contact IS NULL"))
    if kind == "accounts":
        rules.append(
            (
                "account_twice",
                "account_id",
                "account_id IS NOT NULL AND line > first_line",
            )
        )
    return rules


def _find_errors(
    con: duckdb.DuckDBPyConnection,
    raw: RawTable,
    headers: dict[str, str],
    options: IngestOptions,
    report: FileReport,
    ambiguous: bool,
) -> None:
    """Fill report.errors from the `typed` table, every rule one SQL filter."""
    selects = []
    for rule, name, condition in _rules(options.kind, set(headers), options, ambiguous):
        checked = "" if rule == "ragged_row" else "NOT is_ragged AND "
        value = f"raw_{name}" if name else "NULL"
        first = "first_line" if rule == "account_twice" else "NULL"
        selects.append(
            f"SELECT line, '{name or ''}' AS field, {value} AS value, '{rule}' AS rule, "
            f"{first} AS first FROM typed WHERE {checked}({condition})"
        )
    union = " UNION ALL ".join(selects)
    total = fetch_one(con, f"SELECT count(*) FROM ({union})")[0]
    found = (
        fetch_all(con, f"SELECT * FROM ({union}) ORDER BY line, rule LIMIT {options.max_errors}")
        if total
        else []
    )
    for line, name, value, rule, first in found:
        params: dict[str, object] = {"field": name} if rule == "value_missing" else {}
        if rule == "ragged_row":
            params = {"width": len(raw.headers)}
        if rule == "account_twice":
            params = {"first": int(first)}
        issue = _issue(report, rule, int(line), **params)
        report.errors.append(
            issue.model_copy(update={"column": headers.get(name) if name else None, "value": value})
        )
    for line, rule, text in raw.rejected or []:
        params = {"ragged_row": {"width": len(raw.headers)}, "oversized_field": {}}.get(
            rule, {"detail": text}
        )
        total += 1
        report.errors.append(_issue(report, rule, line, **params))
    if not total and not fetch_one(con, "SELECT count(*) FROM typed")[0]:
        total = 1
        report.errors.append(_issue(report, "no_rows", raw.header_line))
    report.error_count = total
    report.errors.sort(key=lambda e: (e.line or 0, e.rule))


def _warnings(con: duckdb.DuckDBPyConnection, fields: set[str], report: FileReport) -> None:
    """Non-blocking findings: repeated rows and ignored columns."""
    raw_columns = ", ".join(f"raw_{f}" for f in sorted(fields))
    duplicates = fetch_one(
        con,
        f"SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) AS n FROM typed "
        f"GROUP BY {raw_columns} HAVING count(*) > 1)",
    )[0]
    found = [("duplicate_rows", int(duplicates), {})] if duplicates else []
    if report.unmapped:
        found.append(
            ("unmapped_columns", len(report.unmapped), {"columns": ", ".join(report.unmapped)})
        )
    for rule, count, params in found:
        issue = _issue(report, rule, None, count=count, **params)
        report.warnings.append(issue.model_copy(update={"count": count}))
