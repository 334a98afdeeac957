"""`keystone backup`: a consistent copy of the database, taken while the app keeps running.

The copy is logical: one DuckDB transaction reads every table (COPY FROM DATABASE) into a new
file. Unlike copying the file's bytes, this needs no quiet moment on disk, leaves no WAL to carry
along, and reads every block through DuckDB's checksums, so a damaged source fails the backup
instead of being copied silently. The writer's lock is held meanwhile, so an upload waits for the
backup (it never interleaves), and the counts of the copy are checked before it gets its name.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from core.db import Database, DatabaseError
from core.sql import fetch_all, scalar

BACKUP_ALIAS = "keystone_backup"
"""The name the new file is attached under while the copy runs."""


@dataclass(frozen=True)
class BackupResult:
    """What `keystone backup` wrote."""

    path: Path
    """The backup file: <folder>/<database name>-<YYYYmmddTHHMMSS>.duckdb."""
    tables: dict[str, int]
    """Rows per table, the same in the copy as in the database at the moment of the copy."""
    size_bytes: int
    """Size of the backup file."""
    data_version: int
    """The data version copied; the app's caches key on it."""


def _identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _counts(con: duckdb.DuckDBPyConnection, catalog: str) -> dict[str, int]:
    """Rows per table of one attached database."""
    tables = fetch_all(
        con,
        "SELECT table_name FROM duckdb_tables() WHERE database_name = $db ORDER BY 1",
        {"db": catalog},
    )
    return {
        name: scalar(con, f"SELECT count(*) FROM {_identifier(catalog)}.main.{_identifier(name)}")
        for (name,) in tables
    }


def backup_target(db: Database, folder: Path) -> Path:
    """A new file name in `folder` for a backup taken now."""
    stamp = datetime.now().strftime("%Y%m%dT%H%M%S")
    target = folder / f"{db.path.stem}-{stamp}.duckdb"
    tries = 1
    while target.exists():
        tries += 1
        target = folder / f"{db.path.stem}-{stamp}-{tries}.duckdb"
    return target


def backup_database(db: Database, folder: Path) -> BackupResult:
    """Copy the database into a new file in `folder`; raises DatabaseError if it cannot."""
    db.require()
    folder.mkdir(parents=True, exist_ok=True)
    target = backup_target(db, folder)
    partial = folder / f".{target.name}.partial-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    try:
        with db.write_lock(), db.connect() as con:
            source = scalar(con, "SELECT current_database()")
            if "uploads" not in _counts(con, source):
                raise DatabaseError(f"{db.path} is not a Keystone database; nothing to back up")
            con.execute(f"ATTACH $path AS {BACKUP_ALIAS}", {"path": str(partial)})
            try:
                con.execute("BEGIN TRANSACTION")
                con.execute(f"COPY FROM DATABASE {_identifier(source)} TO {BACKUP_ALIAS}")
                expected, copied = _counts(con, source), _counts(con, BACKUP_ALIAS)
                version = scalar(
                    con,
                    f"SELECT coalesce(max(value), '0') FROM {BACKUP_ALIAS}.meta "
                    "WHERE key = 'data_version'",
                )
                con.execute("COMMIT")
                con.execute(f"CHECKPOINT {BACKUP_ALIAS}")
            finally:
                con.execute(f"DETACH {BACKUP_ALIAS}")
        if copied != expected:
            raise DatabaseError(f"backup check failed: copied {copied}, expected {expected}")
        with partial.open("rb") as handle:
            os.fsync(handle.fileno())
        os.replace(partial, target)
    finally:
        for leftover in (partial, partial.with_name(partial.name + ".wal")):
            leftover.unlink(missing_ok=True)
    return BackupResult(target, expected, target.stat().st_size, int(version))
