"""The app on a damaged database: a clear error naming the file and the recovery, no traceback."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from core.db import Database
from core.ingest.pipeline import prepare_upload
from core.store import store_uploads

pytestmark = pytest.mark.reliability

APP = Path(__file__).resolve().parents[2] / "app.py"
HEADING = "The database cannot be used right now, so no figures are shown. Nothing was changed."


@pytest.fixture
def db_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A database of twelve months, the app pointed at it."""
    db = Database(tmp_path / "keystone.duckdb")
    for month in range(1, 13):
        text = f"month,customer,net revenue\n2025-{month:02d},A,100\n2025-{month:02d},B,50\n"
        store_uploads(db, [prepare_upload(f"m{month}.csv", text.encode())])
    monkeypatch.setenv("KEYSTONE_DB_PATH", str(db.path))
    monkeypatch.setenv("KEYSTONE_LANGUAGE", "en")
    return db.path


def run_app() -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=30)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def the_error(at: AppTest, path: Path) -> str:
    [error] = at.error
    assert error.value.startswith(HEADING)
    assert str(path) in error.value
    assert f"keystone demo --force --db {path}" in error.value
    return error.value


class TestDamagedDatabase:
    def test_healthy_database_shows_no_error(self, db_path):
        assert not run_app().error

    @pytest.mark.parametrize("how", ["garbage", "empty", "half"])
    def test_corrupt_file(self, db_path, how):
        data = db_path.read_bytes()
        damaged = {"garbage": os.urandom(len(data)), "empty": b"", "half": data[: len(data) // 2]}
        db_path.write_bytes(damaged[how])
        message = the_error(run_app(), db_path)
        assert "cannot be opened as a Keystone database" in message or "is damaged" in message

    def test_unreadable_file(self, db_path, monkeypatch):
        def denied(*args: object, **kwargs: object) -> None:
            raise duckdb.IOException(f'IO Error: Cannot open file "{db_path}": Permission denied')

        monkeypatch.setattr(duckdb, "connect", denied)
        assert "cannot be read (permission denied)" in the_error(run_app(), db_path)
