"""The demo database: built on first run, and never at the cost of a file already there."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import duckdb
import pytest

from core.bootstrap import build_demo_database
from core.db import Database, DatabaseBusy, DatabaseError
from core.sql import fetch_all
from core.store import store_uploads
from tests.core.conftest import prepare, snapshot

DEMO = "month,customer,net revenue\n2026-01,A,10\n2026-02,B,20\n"
"""The one demo export: 2 rows, 2 months, net 30."""
BACKUP = r"keystone\.duckdb\.bak-\d{8}T\d{6}"
FOREIGN = (
    r"keystone\.duckdb exists but is not a Keystone database, so the demo will not overwrite it"
)


@pytest.fixture(autouse=True)
def demo_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "demo"
    folder.mkdir()
    (folder / "sales.csv").write_text(DEMO)
    monkeypatch.setenv("KEYSTONE_DEMO_DIR", str(folder))
    return folder


def files(db: Database) -> list[str]:
    """The names next to the database, sorted."""
    return sorted(p.name for p in db.path.parent.iterdir() if p.is_file())


def foreign_duckdb(path: Path) -> None:
    """A user's own DuckDB file: one table, no Keystone schema."""
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE notes AS SELECT 42 AS answer")
    con.close()


def answer(path: Path) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return fetch_all(con, "SELECT answer FROM notes")
    finally:
        con.close()


class TestFirstBuild:
    """No file yet: the demo exports are stored through the ordinary ingest path."""

    def test_builds_and_leaves_no_staging_files(self, db):
        [result] = build_demo_database(db)
        assert (result.id, result.status, result.rows, result.net_revenue) == (
            1,
            "stored",
            2,
            30.0,
        )
        assert snapshot(db)["by_month"] == [("2026-01", "demo", 10.0), ("2026-02", "demo", 20.0)]
        assert files(db) == ["keystone.duckdb", "keystone.duckdb.lock"]

    def test_existing_keystone_database_is_kept(self, db):
        build_demo_database(db)
        store_uploads(db, [prepare("march.csv", "month,customer,net revenue\n2026-03,C,5\n")])
        before, version = snapshot(db), db.data_version()
        assert build_demo_database(db) == []
        assert (snapshot(db), db.data_version()) == (before, version)


class TestForeignFile:
    """A file that is not Keystone's is refused without force, and moved aside with it."""

    def test_other_duckdb_file_is_refused(self, db):
        foreign_duckdb(db.path)
        with pytest.raises(DatabaseError, match=FOREIGN):
            build_demo_database(db)
        assert answer(db.path) == [(42,)]
        assert files(db) == ["keystone.duckdb"]

    def test_file_that_is_not_duckdb_is_refused(self, db):
        db.path.write_bytes(b"my notes")
        with pytest.raises(DatabaseError, match=FOREIGN):
            build_demo_database(db)
        assert db.path.read_bytes() == b"my notes"

    def test_force_moves_it_aside_with_its_log(self, db):
        db.path.write_bytes(b"my notes")
        db.path.with_name("keystone.duckdb.wal").write_bytes(b"my log")
        [result] = build_demo_database(db, force=True)
        assert (result.status, result.net_revenue) == ("stored", 30.0)
        assert db.exists()
        [backup] = [n for n in files(db) if re.fullmatch(BACKUP, n)]
        assert (db.path.parent / backup).read_bytes() == b"my notes"
        assert (db.path.parent / f"{backup}.wal").read_bytes() == b"my log"
        assert files(db) == sorted(
            ["keystone.duckdb", "keystone.duckdb.lock", backup, f"{backup}.wal"]
        )

    def test_force_keeps_the_other_duckdb_readable(self, db):
        foreign_duckdb(db.path)
        build_demo_database(db, force=True)
        [backup] = [n for n in files(db) if re.fullmatch(BACKUP, n)]
        assert answer(db.path.parent / backup) == [(42,)]


class TestForcedRebuild:
    """--force on a Keystone database rebuilds it, keeping the old one as a backup."""

    def test_old_database_is_kept_as_a_backup(self, db):
        build_demo_database(db)
        store_uploads(db, [prepare("march.csv", "month,customer,net revenue\n2026-03,C,5\n")])
        build_demo_database(db, force=True)
        assert snapshot(db)["by_month"] == [("2026-01", "demo", 10.0), ("2026-02", "demo", 20.0)]
        [backup] = [n for n in files(db) if re.fullmatch(BACKUP, n)]
        assert snapshot(Database(db.path.parent / backup))["by_month"] == [
            ("2026-01", "demo", 10.0),
            ("2026-02", "demo", 20.0),
            ("2026-03", "default", 5.0),
        ]

    def test_swap_waits_for_the_writer(self, db):
        build_demo_database(db)
        before = snapshot(db)
        db.lock_timeout_s = 0.3
        held, release = threading.Event(), threading.Event()

        def hold() -> None:
            with db._file_lock():
                held.set()
                release.wait(5)

        thread = threading.Thread(target=hold)
        thread.start()
        try:
            held.wait(5)
            with pytest.raises(DatabaseBusy, match="is busy"):
                build_demo_database(db, force=True)
        finally:
            release.set()
            thread.join()
        assert snapshot(db) == before
        assert files(db) == ["keystone.duckdb", "keystone.duckdb.lock"]
