"""`keystone rebuild`: a new database file, its rows read again from the stored raw files.

Every upload keeps its bytes and the options it was read with. A rebuild reads each upload
again, in upload order, under its original id, and copies the bookkeeping tables as they are:
the upload history, the raw files, and which version of each month (or companion file) is
active. Replaces and restores live only in those active flags, so copying them reproduces the
active state exactly; replaying uploads through the store would not, since a restore is no
upload. The new file is built beside the old one and swapped in only when complete and checked;
the old file is kept as <name>.bak-<time>.
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from core.bootstrap import _move_aside, _wal
from core.db import Database, DatabaseBusy, DatabaseDamaged, DatabaseError, recovery_hint
from core.ingest import companion
from core.ingest.models import IngestOptions
from core.ingest.pipeline import CLEAN_COLUMNS, prepare_upload
from core.mappings import MAPPINGS_DDL
from core.raw_files import files_of
from core.reference_store import _TABLES as COMPANION_TABLES
from core.reference_store import check_one_reference
from core.sql import arrow, fetch_all, registered, scalar
from core.store import bump_version, check_one_version

ROW_TABLES = {"export": "facts", **COMPANION_TABLES}
"""File kind -> the table of rows derived from its bytes; every other table is copied."""
ROW_COLUMNS = {
    "export": list(CLEAN_COLUMNS),
    **{kind: list(columns) for kind, columns in companion.CLEAN_COLUMNS.items()},
}
"""File kind -> the derived columns, besides upload_id."""
LAZY_TABLES = {"source_mappings": MAPPINGS_DDL}
"""Tables created on first use rather than by the schema, with their DDL."""


class RebuildError(DatabaseError):
    """The rebuild was refused; the database file was left as it was."""


@dataclass(frozen=True)
class RebuildResult:
    """What `keystone rebuild` did."""

    uploads: int
    """Uploads read again from their raw files."""
    rows: dict[str, int]
    """Rows written per derived table (facts, contact_rows, account_rows)."""
    backup: Path
    """Where the previous file was moved: <name>.bak-<time>."""
    data_version: int
    """The new data version (the old one plus one, so every cache reads afresh)."""


def _copied_tables(con: duckdb.DuckDBPyConnection, files: bool = True) -> dict[str, pa.Table]:
    """Every table except the derived rows (and, unless `files`, the raw files), as stored."""
    skipped = {*ROW_TABLES.values(), *([] if files else ["upload_files"])}
    names = [
        name
        for (name,) in fetch_all(
            con, "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database()"
        )
        if name not in skipped
    ]
    return {name: arrow(con, f'SELECT * FROM "{name}"') for name in sorted(names)}


def _read_source(db: Database) -> dict[str, pa.Table]:
    """The bookkeeping tables and raw files of the database to rebuild."""
    db.require()
    try:
        with db.connect() as con:
            tables = _copied_tables(con)
    except DatabaseDamaged as exc:
        raise RebuildError(
            f"cannot rebuild {db.path}: its stored files cannot be read ({exc.__cause__}); "
            f"{recovery_hint(db.path, opens=False)}"
        ) from exc
    if "uploads" not in tables or "upload_files" not in tables:
        raise RebuildError(f"{db.path} is not a Keystone database; there is nothing to rebuild")
    return tables


def _insert_rows(
    con: duckdb.DuckDBPyConnection, upload: dict[str, object], data: bytes
) -> tuple[str, int]:
    """Read one upload's bytes again and store its rows under its own id; (table, rows)."""
    options = IngestOptions.model_validate(json.loads(str(upload["options"])))
    prepared = prepare_upload(str(upload["file"]), data, options)
    report = prepared.report
    upload_id = upload["id"]
    if not report.ok or prepared.rows is None:
        first = report.errors[0].message if report.errors else "no rows"
        raise RebuildError(f"upload {upload_id} ({report.file}) no longer reads cleanly: {first}")
    recorded_net = float(upload["net_revenue"])  # type: ignore[arg-type]
    recorded = (upload["rows"], sorted(upload["months"] or []), round(recorded_net, 2))
    found = (report.rows, report.months, round(report.net_revenue, 2))
    same_net = abs(report.net_revenue - recorded_net) <= 0.01 + 1e-9 * abs(recorded_net)
    if recorded[:2] != found[:2] or not same_net:
        raise RebuildError(
            f"upload {upload_id} ({report.file}) now reads as rows, months, net revenue "
            f"{found} instead of the stored {recorded}; the database was left as it was"
        )
    kind = options.kind
    table, columns = ROW_TABLES[kind], ", ".join(ROW_COLUMNS[kind])
    with registered(con, "incoming_rows", prepared.rows):
        con.execute(
            f"INSERT INTO {table} (upload_id, {columns}) SELECT $id, {columns} FROM incoming_rows",
            {"id": upload_id},
        )
    return table, report.rows


def _build(staging: Database, tables: dict[str, pa.Table]) -> tuple[dict[str, int], int]:
    """Fill the staging file: copied tables as they are, derived rows read again."""
    staging.ensure_schema()
    rows = dict.fromkeys(ROW_TABLES.values(), 0)
    with staging.transaction() as con:
        for name, table in tables.items():
            if name in LAZY_TABLES:
                con.execute(LAZY_TABLES[name])
            exists = fetch_all(
                con, "SELECT 1 FROM duckdb_tables() WHERE table_name = $t", {"t": name}
            )
            with registered(con, "copied", table):
                if name == "meta":  # the schema version is the new file's own
                    con.execute(
                        "INSERT OR REPLACE INTO meta SELECT key, value FROM copied "
                        "WHERE key <> 'schema_version'"
                    )
                elif exists:
                    con.execute(f'INSERT INTO "{name}" BY NAME SELECT * FROM copied')
                else:
                    con.execute(f'CREATE TABLE "{name}" AS SELECT * FROM copied')
        files = files_of(tables["upload_files"])
        for upload in sorted(tables["uploads"].to_pylist(), key=lambda u: u["id"]):
            table, count = _insert_rows(con, upload, files[upload["id"]])
            rows[table] += count
        check_one_version(con)
        check_one_reference(con)
        bump_version(con)
        version = int(scalar(con, "SELECT value FROM meta WHERE key = 'data_version'"))
    return rows, version


def rebuild_database(db: Database) -> RebuildResult:
    """Rebuild the database from its stored raw files; the old file is kept as a .bak copy."""
    tables = _read_source(db)
    staging = Database(
        db.path.with_name(f"{db.path.name}.rebuilding-{os.getpid()}-{uuid.uuid4().hex[:8]}"),
        db.lock_timeout_s,
    )
    try:
        rows, version = _build(staging, tables)
        with db.write_lock():
            with db.connect() as con:
                now = _copied_tables(con, files=False)
            if now.keys() != tables.keys() - {"upload_files"} or not all(
                table.equals(tables[name]) for name, table in now.items()
            ):
                raise DatabaseBusy(f"{db.path} changed during the rebuild; run it again")
            backup = _move_aside(db.path)
            os.replace(staging.path, db.path)
    finally:
        for leftover in (staging.path, _wal(staging.path), staging.lock_path):
            leftover.unlink(missing_ok=True)
    return RebuildResult(len(tables["uploads"]), rows, backup, version)
