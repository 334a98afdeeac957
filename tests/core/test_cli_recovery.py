"""`keystone backup`, `keystone rebuild` and a missing database on the command line: the JSON
contract, exit codes, and messages that name the file and the command to run."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.cli import ERROR_KEYS
from core.db import Database
from core.store import store_uploads
from tests.core.conftest import prepare
from tests.core.keystone_cli import run

MARCH = "month,customer,net revenue\n2026-03,A,100\n2026-03,B,50\n"
APRIL = "month,customer,net revenue\n2026-04,A,30\n"
"""Two uploads: net 150 + 30 = 180."""


@pytest.fixture
def stored(tmp_path: Path) -> Database:
    db = Database(tmp_path / "keystone.duckdb")
    store_uploads(db, [prepare("march.csv", MARCH)])
    store_uploads(db, [prepare("april.csv", APRIL)])
    return db


def failure(code: int, out: dict, err: str) -> str:
    """The single error message of a failed command, after checking the contract."""
    assert (code, out["ok"]) == (2, False)
    [error] = out["errors"]
    assert list(error) == list(ERROR_KEYS)
    assert "Traceback" not in err and err == f"keystone: {error['message']}\n"
    return error["message"]


class TestBackup:
    def test_prints_the_copy(self, stored, tmp_path):
        code, out, _ = run("backup", str(tmp_path / "b"), "--db", str(stored.path))
        assert (code, out["ok"]) == (0, True)
        assert set(out) == {"ok", "backup", "tables", "size_bytes", "data_version"}
        assert (out["tables"]["uploads"], out["tables"]["facts"]) == (2, 3)
        copy = Path(out["backup"])
        assert copy.parent == tmp_path / "b" and copy.stat().st_size == out["size_bytes"]
        assert run("metrics", "--db", str(copy))[1]["net_revenue"] == 180.0

    def test_missing_database(self, tmp_path):
        path = tmp_path / "none.duckdb"
        message = failure(*run("backup", str(tmp_path / "b"), "--db", str(path)))
        assert message.startswith(f"{path} does not exist")


class TestRebuild:
    def test_prints_what_it_did(self, stored):
        before = run("metrics", "--db", str(stored.path))[1]
        code, out, _ = run("rebuild", "--db", str(stored.path))
        assert (code, out["ok"], out["uploads"]) == (0, True, 2)
        assert out["rows"]["facts"] == 3
        assert Path(out["previous_file"]).name.startswith("keystone.duckdb.bak-")
        assert out["data_version"] == stored.data_version()
        assert run("metrics", "--db", str(stored.path))[1] == before

    def test_missing_database(self, tmp_path):
        path = tmp_path / "none.duckdb"
        message = failure(*run("rebuild", "--db", str(path)))
        assert message.startswith(f"{path} does not exist")

    def test_damaged_database(self, stored):
        stored.path.write_bytes(b"not a database")
        message = failure(*run("rebuild", "--db", str(stored.path)))
        assert message.startswith(f"cannot rebuild {stored.path}: its stored files cannot be read")
        assert "keystone rebuild" not in message  # it cannot help here
        assert f"`keystone demo --force --db {stored.path}`" in message


class TestMissingDatabase:
    def test_metrics_names_the_file_and_the_commands(self, tmp_path):
        path = tmp_path / "none.duckdb"
        message = failure(*run("metrics", "--db", str(path)))
        assert message == (
            f"{path} does not exist, so it holds no data yet; run `keystone demo --db {path}` "
            f"for the demo data or `keystone ingest FILE --db {path}` for your own export, or "
            f"copy a backup made by `keystone backup` to {path}"
        )
        assert not path.exists()
