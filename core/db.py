"""The one place that opens the DuckDB file: short-lived connections, one writer at a time."""

from __future__ import annotations

import fcntl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import duckdb

from core.schema import SCHEMA_SQL, SCHEMA_VERSION
from core.sql import fetch_all, scalar


class DatabaseError(RuntimeError):
    """The database file cannot be used; the message names the file and what to do."""


class DatabaseBusy(DatabaseError):
    """Another process holds the write lock for longer than the timeout."""


_WRITE_LOCK = threading.Lock()
"""Serialises writers inside this process; the lock file serialises them across processes."""


class Database:
    """A DuckDB file. Readers and the writer each open a connection only for their operation."""

    def __init__(self, path: Path, lock_timeout_s: float = 30.0) -> None:
        self.path = Path(path)
        self.lock_timeout_s = lock_timeout_s

    @property
    def lock_path(self) -> Path:
        return self.path.with_name(self.path.name + ".lock")

    def exists(self) -> bool:
        """True when the file exists and holds Keystone's schema."""
        if not self.path.exists():
            return False
        with self.connect() as con:
            found = fetch_all(con, "SELECT 1 FROM duckdb_tables() WHERE table_name = 'uploads'")
            return bool(found)

    def _open(self) -> duckdb.DuckDBPyConnection:
        deadline = time.monotonic() + self.lock_timeout_s
        delay = 0.05
        while True:
            try:
                return duckdb.connect(str(self.path))
            except duckdb.Error as exc:
                locked = isinstance(exc, duckdb.IOException) and "lock" in str(exc).lower()
                if not locked:
                    raise DatabaseError(
                        f"{self.path} cannot be opened as a Keystone database ({exc}); "
                        f"restore it from a backup, or move it aside and run `keystone demo` "
                        f"for a fresh demo database"
                    ) from exc
                if time.monotonic() > deadline:
                    raise DatabaseBusy(
                        f"{self.path} is busy (another process is writing); retry shortly"
                    ) from exc
            time.sleep(delay)
            delay = min(delay * 2, 1.0)

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection for one operation, closed afterwards so other processes can write."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        con = self._open()
        try:
            yield con
        finally:
            con.close()

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """The single writer: all statements commit together or not at all."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.write_lock(), self.connect() as con:
            con.execute("BEGIN TRANSACTION")
            try:
                yield con
            except BaseException:
                # Closing discards the transaction anyway; never hide the original error.
                with suppress(duckdb.Error):
                    con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")

    @contextmanager
    def write_lock(self) -> Iterator[None]:
        """Hold the one writer's place, in this process and across processes, for the block."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with _WRITE_LOCK, self._file_lock():
            yield

    @contextmanager
    def _file_lock(self) -> Iterator[None]:
        deadline = time.monotonic() + self.lock_timeout_s
        with self.lock_path.open("a") as handle:
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError as exc:
                    if time.monotonic() > deadline:
                        raise DatabaseBusy(
                            f"{self.path} is busy (another upload is being stored); retry shortly"
                        ) from exc
                    time.sleep(0.1)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def ensure_schema(self) -> None:
        """Create the tables on first use; idempotent."""
        with self.transaction() as con:
            for statement in SCHEMA_SQL:
                con.execute(statement)
            con.execute(
                "INSERT OR REPLACE INTO meta VALUES ('schema_version', $v)",
                {"v": str(SCHEMA_VERSION)},
            )

    def data_version(self) -> int:
        """A number that changes with every stored write; caches key on it."""
        if not self.path.exists():
            return 0
        with self.connect() as con:
            if not fetch_all(con, "SELECT 1 FROM duckdb_tables() WHERE table_name = 'meta'"):
                return 0
            value = scalar(
                con, "SELECT coalesce(max(value), '0') FROM meta WHERE key = 'data_version'"
            )
            return int(value)
