"""The one place that opens the DuckDB file: short-lived connections, one writer at a time."""

from __future__ import annotations

import fcntl
import os
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import duckdb

from core.directory import DIRECTORY_SINCE, refresh_directory
from core.schema import SCHEMA_SQL, SCHEMA_VERSION
from core.sql import fetch_all, scalar


class DatabaseError(RuntimeError):
    """The database file cannot be used; the message names the file and what to do."""


class DatabaseBusy(DatabaseError):
    """Another process holds the write lock for longer than the timeout."""


class DatabaseDamaged(DatabaseError):
    """The file is missing, unreadable or corrupt; the message names the recovery command."""


FAULT_AT_ENV = "KEYSTONE_FAULT_AT"
"""Test-only: 'step' or 'step:N' (the Nth time, from 1) at which the process SIGKILLs itself."""
FAULT_LOG_ENV = "KEYSTONE_FAULT_LOG"
"""Test-only: a file to which each write step appends its name as the process reaches it."""
FAULT_POINTS = ("locked", "begun", "before_commit", "committed", "closed")
"""The named steps of a write, in order: write lock held, transaction begun, statements done
(post-write checks passed), COMMIT returned, connection closed (DuckDB checkpoints on close)."""
_fault_counts: dict[str, int] = {}


def fault_point(name: str) -> None:
    """A named step of a write, for the crash tests; does nothing unless the environment asks.

    Called a handful of times per write, never per row."""
    log, target = os.environ.get(FAULT_LOG_ENV), os.environ.get(FAULT_AT_ENV)
    if not log and not target:
        return
    _fault_counts[name] = _fault_counts.get(name, 0) + 1
    if log:
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(f"{name}\n")
    if target in (name, f"{name}:{_fault_counts[name]}"):
        os.kill(os.getpid(), signal.SIGKILL)


_DAMAGE_SIGNS = (
    "not a valid duckdb database",
    "could not read",
    "checksum",
    "corrupt",
    "permission denied",
    "is a directory",
    "no such file",
    "serializ",
)
"""Words of DuckDB errors that mean the file itself is damaged or cannot be read."""


def is_damage(exc: BaseException) -> bool:
    """True when a DuckDB error says the database file is damaged or unreadable.

    duckdb 2.0 re-raises some read errors as the base duckdb.Error, so the text decides; errors
    about the statement itself (binder, catalog, parser, constraint, conversion) never do."""
    if isinstance(exc, duckdb.FatalException | duckdb.SerializationException):
        return True
    if isinstance(exc, duckdb.ProgrammingError | duckdb.IntegrityError | duckdb.DataError):
        return False
    text = str(exc).lower()
    return not is_lock_conflict(exc) and any(sign in text for sign in _DAMAGE_SIGNS)


def is_lock_conflict(exc: BaseException) -> bool:
    """True when DuckDB refused the file because another process holds it."""
    text = str(exc).lower()
    return isinstance(exc, duckdb.IOException) and (
        "could not set lock" in text or "conflicting lock" in text
    )


def recovery_hint(path: Path, opens: bool) -> str:
    """What to run to get a working database back at `path`."""
    steps = [f"copy a backup made by `keystone backup` to {path}"]
    if opens:
        steps.insert(0, f"run `keystone rebuild --db {path}` to rebuild it from its stored files")
    steps.append(
        f"run `keystone demo --force --db {path}` to start again from the demo data "
        f"(the damaged file is kept as {path.name}.bak-<time>)"
    )
    return "to recover, " + ", or ".join(steps)


def damaged(path: Path, exc: BaseException, opens: bool) -> DatabaseDamaged:
    """The error for a file that cannot be used: which file, why, and how to recover."""
    detail = (str(exc).splitlines() or [type(exc).__name__])[0]
    if "permission denied" in detail.lower():
        return DatabaseDamaged(
            f"{path} cannot be read (permission denied): give this user read and write access "
            f"to it (chmod u+rw); if it is damaged, {recovery_hint(path, opens)}"
        )
    what = "is damaged" if opens else "cannot be opened as a Keystone database"
    return DatabaseDamaged(f"{path} {what} ({detail}); {recovery_hint(path, opens)}")


def missing(path: Path) -> DatabaseDamaged:
    """The error for a database file that does not exist."""
    return DatabaseDamaged(
        f"{path} does not exist, so it holds no data yet; run `keystone demo --db {path}` for "
        f"the demo data or `keystone ingest FILE --db {path}` for your own export, or copy a "
        f"backup made by `keystone backup` to {path}"
    )


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
        delay = 0.01
        while True:
            try:
                return duckdb.connect(str(self.path))
            except duckdb.Error as exc:
                if not is_lock_conflict(exc):
                    raise damaged(self.path, exc, opens=False) from exc
                if time.monotonic() > deadline:
                    raise self._busy("another process has it open") from exc
            time.sleep(delay)
            delay = min(delay * 2, 0.1)  # short: readers hold the file for milliseconds

    def _busy(self, why: str) -> DatabaseBusy:
        return DatabaseBusy(f"{self.path} is busy ({why}); retry shortly")

    def require(self) -> None:
        """Raise DatabaseDamaged, naming the recovery, when the file is missing."""
        if not self.path.exists():
            raise missing(self.path)

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection for one operation, closed afterwards so other processes can write.

        A read that hits a damaged part of the file raises DatabaseDamaged, not DuckDB's error."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        con = self._open()
        try:
            yield con
        except duckdb.Error as exc:
            if is_damage(exc):
                raise damaged(self.path, exc, opens=True) from exc
            raise
        finally:
            con.close()

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """The single writer: all statements commit together or not at all."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.write_lock():
            with self.connect() as con:
                con.execute("BEGIN TRANSACTION")
                fault_point("begun")
                try:
                    yield con
                except BaseException:
                    # Closing discards the transaction anyway; never hide the original error.
                    with suppress(duckdb.Error):
                        con.execute("ROLLBACK")
                    raise
                fault_point("before_commit")
                con.execute("COMMIT")
                fault_point("committed")
            fault_point("closed")

    @contextmanager
    def write_lock(self) -> Iterator[None]:
        """Hold the one writer's place, in this process and across processes, for the block."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + self.lock_timeout_s
        if not _WRITE_LOCK.acquire(timeout=self.lock_timeout_s):
            raise self._busy("another upload is being stored")
        try:
            with self._file_lock(deadline):
                fault_point("locked")
                yield
        finally:
            _WRITE_LOCK.release()

    @contextmanager
    def _file_lock(self, deadline: float | None = None) -> Iterator[None]:
        if deadline is None:
            deadline = time.monotonic() + self.lock_timeout_s
        with self.lock_path.open("a") as handle:
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError as exc:
                    if time.monotonic() > deadline:
                        raise self._busy("another upload is being stored") from exc
                    time.sleep(0.1)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def ensure_schema(self) -> None:
        """Create the tables on first use, or add what a newer schema has; idempotent."""
        with self.transaction() as con:
            for statement in SCHEMA_SQL:
                con.execute(statement)
            stored = scalar(
                con,
                "SELECT max(TRY_CAST(value AS INTEGER)) FROM meta WHERE key = 'schema_version'",
            )
            if stored is not None and stored < DIRECTORY_SINCE:
                refresh_directory(con)  # in the same transaction as the version it records
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
