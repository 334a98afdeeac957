"""A missing, unreadable or corrupt database file: a message naming the file and the command
that recovers it, exit 2 with the error JSON, never a traceback."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb
import pytest

from core.backup import backup_database
from core.cli import ERROR_KEYS
from core.db import Database, DatabaseDamaged
from core.rebuild import rebuild_database
from core.store import store_uploads
from tests.core.conftest import prepare
from tests.core.keystone_cli import run as cli

MARCH = "month,customer,net revenue\n2026-03,A,100\n2026-03,B,50\n"
BACKUP = "copy a backup made by `keystone backup` to {path}"
DEMO = "run `keystone demo --force --db {path}`"
REBUILD = "run `keystone rebuild --db {path}`"


def stored(path: Path, months: int = 1) -> Database:
    """A real database with `months` uploads of a few rows each."""
    db = Database(path, lock_timeout_s=1)
    for month in range(1, months + 1):
        text = MARCH.replace("2026-03", f"2025-{month:02d}")
        store_uploads(db, [prepare(f"m{month}.csv", text)])
    return db


def refused(path: Path, *argv: str) -> str:
    """Run `keystone ARGV --db path`; assert the failure contract, return the message."""
    code, out, err = cli(*argv, "--db", str(path))
    assert code == 2
    assert out["ok"] is False and len(out["errors"]) == 1
    assert list(out["errors"][0]) == list(ERROR_KEYS)
    message = out["errors"][0]["message"]
    assert str(path) in message
    assert "Traceback" not in err and err == f"keystone: {message}\n"
    return message


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "keystone.duckdb"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database of 12 monthly uploads, built once and copied by each test."""
    return stored(tmp_path_factory.mktemp("template") / "keystone.duckdb", months=12).path


@pytest.fixture
def twelve(db_path: Path, template: Path) -> Path:
    shutil.copy(template, db_path)
    return db_path


COMMANDS = [("metrics",), ("uploads",), ("ingest", "FILE"), ("restore", "1")]


def _argv(command: tuple[str, ...], tmp_path: Path) -> list[str]:
    if "FILE" in command:
        csv = tmp_path / "april.csv"
        csv.write_text(MARCH.replace("2026-03", "2026-04"))
        return [c if c != "FILE" else str(csv) for c in command]
    return list(command)


class TestMissing:
    @pytest.mark.parametrize("act", [rebuild_database, lambda db: backup_database(db, Path("b"))])
    def test_rebuild_and_backup(self, db_path, act):
        with pytest.raises(DatabaseDamaged) as raised:
            act(Database(db_path))
        assert str(raised.value).startswith(f"{db_path} does not exist")
        assert BACKUP.format(path=db_path) in str(raised.value)
        assert not db_path.exists()


class TestUnreadable:
    """Permission denied: real with chmod 000 for a normal user; simulated for root."""

    def test_permission_denied(self, db_path, monkeypatch):
        stored(db_path)
        if os.geteuid() == 0:  # root reads anything: make DuckDB answer as it would

            def denied(*args: object, **kwargs: object) -> None:
                raise duckdb.IOException(
                    f'IO Error: Cannot open file "{db_path}": Permission denied'
                )

            monkeypatch.setattr(duckdb, "connect", denied)
        else:
            db_path.chmod(0)
        try:
            message = refused(db_path, "metrics")
        finally:
            db_path.chmod(0o644)
        assert message.startswith(f"{db_path} cannot be read (permission denied)")
        assert "chmod u+rw" in message and DEMO.format(path=db_path) in message


def _damage(path: Path, how: str) -> None:
    data = path.read_bytes()
    if how == "empty":
        path.write_bytes(b"")
    elif how == "header only":
        path.write_bytes(data[:100])
    elif how == "half":
        path.write_bytes(data[: len(data) // 2])
    elif how == "garbage":
        path.write_bytes(os.urandom(len(data)))
    elif how == "directory":
        path.unlink()
        path.mkdir()


DAMAGE = ["empty", "header only", "half", "garbage", "directory"]


class TestCorrupt:
    @pytest.mark.parametrize("how", DAMAGE)
    @pytest.mark.parametrize("command", COMMANDS, ids=[c[0] for c in COMMANDS])
    def test_every_command_says_what_to_run(self, twelve, tmp_path, how, command):
        db_path = twelve
        _damage(db_path, how)
        message = refused(db_path, *_argv(command, tmp_path))
        assert BACKUP.format(path=db_path) in message
        assert DEMO.format(path=db_path) in message

    def test_truncated_file_that_still_opens(self, twelve):
        """The header survives but the data blocks do not: DuckDB fails on reading, not on
        opening; the message still names the file, and suggests the rebuild first."""
        db_path = twelve
        _damage(db_path, "half")
        with pytest.raises(DatabaseDamaged) as raised:
            with Database(db_path).connect() as con:
                for table in ("meta", "uploads", "upload_months", "facts", "upload_files"):
                    con.sql(f"SELECT * FROM {table}").fetchall()
        message = str(raised.value)
        assert message.startswith(f"{db_path} is damaged (IO Error: Could not read")
        assert REBUILD.format(path=db_path) in message

    def test_demo_force_recovers_and_keeps_the_damaged_file(self, db_path, monkeypatch):
        demo = db_path.parent / "demo"
        demo.mkdir()
        (demo / "m.csv").write_text(MARCH)
        monkeypatch.setenv("KEYSTONE_DEMO_DIR", str(demo))
        stored(db_path)
        _damage(db_path, "garbage")
        damaged = db_path.read_bytes()
        code, out, _ = cli("demo", "--force", "--db", str(db_path))
        assert code == 0 and out["uploads"][0]["net_revenue"] == 150.0
        [kept] = db_path.parent.glob("keystone.duckdb.bak-*")
        assert kept.read_bytes() == damaged
        assert cli("metrics", "--db", str(db_path))[1]["net_revenue"] == 150.0
