"""Store companion files (contacts, accounts): each replaces its kind and source as a whole.

The previous version stays, inactive, and can be restored; the raw bytes are kept in
`upload_files` like an export's, so the database can be rebuilt from them.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Literal

import duckdb

from core.ingest.companion import CLEAN_COLUMNS
from core.ingest.models import PreparedUpload
from core.raw_files import store_file
from core.sql import fetch_all, fetch_one, registered, scalar

_TABLES = {"contacts": "contact_rows", "accounts": "account_rows"}
"""Companion kind -> the table its rows are stored in (fixed names, never user text)."""

RestoreState = Literal["not_reference", "nothing", "already", "conflict", "restored"]


def record_upload(con: duckdb.DuckDBPyConnection, prepared: PreparedUpload, outcome: str) -> int:
    """Insert the upload's history row and its raw bytes; returns the new upload id."""
    report, options = prepared.report, prepared.options
    upload_id = scalar(con, "SELECT coalesce(max(id), 0) + 1 FROM uploads")
    con.execute(
        """INSERT INTO uploads VALUES ($id, $file, $sha, $source, $at, $rows, $months,
           $accounts, $net, $outcome, $kind, $encoding, $sheet, $header_line, $mapping,
           $options, $warnings)""",
        {
            "id": upload_id,
            "file": report.file,
            "sha": report.sha256,
            "source": options.source,
            "at": datetime.now(UTC).replace(tzinfo=None),
            "rows": report.rows,
            "months": report.months,
            "accounts": report.accounts,
            "net": report.net_revenue,
            "outcome": outcome,
            "kind": report.kind,
            "encoding": report.encoding,
            "sheet": report.sheet,
            "header_line": report.header_line,
            "mapping": json.dumps(report.mapping, ensure_ascii=False),
            "options": options.model_dump_json(),
            "warnings": json.dumps([w.model_dump() for w in report.warnings], ensure_ascii=False),
        },
    )
    store_file(con, upload_id, prepared.data)
    return upload_id


def _same_reading(stored: dict[str, object], prepared: PreparedUpload) -> bool:
    wanted = prepared.options
    return (
        stored.get("mapping", {}) == wanted.mapping
        and stored.get("sheet") == wanted.sheet
        and stored.get("date_order", "auto") == wanted.date_order
    )


def identical_reference(
    con: duckdb.DuckDBPyConnection, prepared: PreparedUpload
) -> tuple[int, int, int] | None:
    """(id, rows, accounts) of the active file of this kind and source with the same bytes."""
    found = fetch_all(
        con,
        """SELECT u.id, u.options, u.rows, u.accounts FROM uploads AS u
           JOIN reference_versions AS v ON v.upload_id = u.id
           WHERE v.active AND v.kind = $kind AND v.source = $source AND u.sha256 = $sha
           ORDER BY u.id DESC""",
        {
            "kind": prepared.options.kind,
            "source": prepared.options.source,
            "sha": prepared.report.sha256,
        },
    )
    for upload_id, options, rows, accounts in found:
        if _same_reading(json.loads(options), prepared):
            return upload_id, rows, accounts
    return None


def active_reference(con: duckdb.DuckDBPyConnection, kind: str, source: str) -> int | None:
    """The upload id of the active file of this kind and source, if any."""
    found = fetch_all(
        con,
        "SELECT upload_id FROM reference_versions WHERE active AND kind = $kind "
        "AND source = $source",
        {"kind": kind, "source": source},
    )
    return found[0][0] if found else None


def companion_versions(
    con: duckdb.DuckDBPyConnection, prepared: PreparedUpload
) -> tuple[int | None, int | None]:
    """(the identical active upload, the active upload it would replace) for a companion file."""
    if not fetch_all(con, "SELECT 1 FROM duckdb_tables() WHERE table_name = 'reference_versions'"):
        return None, None
    same = identical_reference(con, prepared)
    if same is not None:
        return same[0], None
    return None, active_reference(con, prepared.options.kind, prepared.options.source)


def insert_reference(
    con: duckdb.DuckDBPyConnection, prepared: PreparedUpload, outcome: str, replaced: int | None
) -> int:
    """Store a companion file as the active version of its kind and source (in a transaction)."""
    kind, source = prepared.options.kind, prepared.options.source
    upload_id = record_upload(con, prepared, outcome)
    if replaced is not None:
        con.execute(
            "UPDATE reference_versions SET active = false WHERE upload_id = $old",
            {"old": replaced},
        )
    con.execute(
        "INSERT INTO reference_versions VALUES ($id, $kind, $source, true, $old)",
        {"id": upload_id, "kind": kind, "source": source, "old": replaced},
    )
    columns = ", ".join(CLEAN_COLUMNS[kind])
    with registered(con, "incoming_reference", prepared.rows):
        con.execute(
            f"INSERT INTO {_TABLES[kind]} ({'upload_id, ' + columns}) "
            f"SELECT $id, {columns} FROM incoming_reference",
            {"id": upload_id},
        )
    written = scalar(
        con, f"SELECT count(*) FROM {_TABLES[kind]} WHERE upload_id = $id", {"id": upload_id}
    )
    if written != prepared.report.rows:
        raise RuntimeError(f"post-write check failed for upload {upload_id}: {written} rows stored")
    check_one_reference(con)
    return upload_id


def check_one_reference(con: duckdb.DuckDBPyConnection) -> None:
    """Post-write check: no kind and source has two active companion files."""
    doubled = scalar(
        con,
        """SELECT count(*) FROM (SELECT kind, source FROM reference_versions WHERE active
           GROUP BY ALL HAVING count(*) > 1)""",
    )
    if doubled:
        raise RuntimeError("post-write check failed: a companion file has two active versions")


def restore_reference(
    con: duckdb.DuckDBPyConnection, upload_id: int
) -> tuple[RestoreState, str, str]:
    """Make the version this upload replaced active again: (state, kind, source)."""
    found = fetch_all(
        con,
        """SELECT v.kind, v.source, v.active, v.replaced_upload, coalesce(o.active, false)
           FROM reference_versions AS v
           LEFT JOIN reference_versions AS o ON o.upload_id = v.replaced_upload
           WHERE v.upload_id = $id""",
        {"id": upload_id},
    )
    if not found:
        return "not_reference", "", ""
    kind, source, active, old, old_active = found[0]
    if old is None:
        return "nothing", kind, source
    if old_active and not active:
        return "already", kind, source
    if not active:
        return "conflict", kind, source
    con.execute(
        "UPDATE reference_versions SET active = (upload_id = $old) WHERE upload_id IN ($new, $old)",
        {"new": upload_id, "old": old},
    )
    check_one_reference(con)
    return "restored", kind, source


def reference_counts(con: duckdb.DuckDBPyConnection) -> tuple[int, int]:
    """(active contacts rows, account master rows), 0 when none are stored."""
    return fetch_one(
        con, "SELECT (SELECT count(*) FROM active_contacts), (SELECT count(*) FROM account_master)"
    )
