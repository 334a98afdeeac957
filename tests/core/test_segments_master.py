"""An accounts file decides an account's segment, everywhere segments are counted; older
database files gain the tables it needs when the app opens them."""

from __future__ import annotations

import pytest

from core.bootstrap import ensure_database, upgrade_schema
from core.db import Database
from core.metrics import Period
from core.schema import SCHEMA_VERSION
from core.scope import Filters, scope_connection
from core.segments import segment_mix
from core.sql import fetch_all, scalar
from core.store import store_uploads
from tests.core.conftest import prepare

SALES = """month,account_id,segment,net_revenue
2026-01,A1,other,600
2026-01,A2,intrinsic,300
2026-01,A3,,100
"""
ACCOUNTS = """account id,name,segment
A1,Acme,strategic
A3,Gamma,extrinsic
"""
"""By hand: the rows say A1 other, A2 intrinsic, A3 none; the accounts file moves A1 to
strategic and A3 to extrinsic; A2, absent from it, keeps its rows' intrinsic."""

ALL = Period()


def mix(db: Database) -> dict[str, float]:
    with db.connect() as con:
        table = segment_mix(con, ALL)
    return dict(zip(table["segment"], table["net_revenue"], strict=True))


class TestAccountsFile:
    def test_rows_alone(self, db: Database) -> None:
        store_uploads(db, [prepare("sales.csv", SALES)])
        assert mix(db) == {"intrinsic": 300, "other": 600, "unassigned": 100}

    def test_the_accounts_file_wins_over_the_rows(self, db: Database) -> None:
        store_uploads(db, [prepare("sales.csv", SALES)])
        store_uploads(db, [prepare("accounts.csv", ACCOUNTS, kind="accounts")])
        assert mix(db) == {"intrinsic": 300, "extrinsic": 100, "strategic": 600}

    def test_the_segment_filter_follows_it_too(self, db: Database) -> None:
        store_uploads(db, [prepare("sales.csv", SALES)])
        store_uploads(db, [prepare("accounts.csv", ACCOUNTS, kind="accounts")])
        with db.connect() as con:
            scope_connection(con, Filters(segments=("strategic",)))
            assert scalar(con, "SELECT sum(net_revenue) FROM active_rows") == pytest.approx(600)


class TestUpgrade:
    def test_an_older_file_gains_the_companion_views(
        self, db: Database, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        store_uploads(db, [prepare("sales.csv", SALES)])
        with db.transaction() as con:  # as a file written before the companion tables
            con.execute("DROP VIEW account_master")
            con.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
        monkeypatch.setenv("KEYSTONE_DB_PATH", str(db.path))
        ensure_database()
        with db.connect() as con:
            views = {row[0] for row in fetch_all(con, "SELECT view_name FROM duckdb_views()")}
            version = scalar(con, "SELECT value FROM meta WHERE key = 'schema_version'")
        assert "account_master" in views
        assert version == str(SCHEMA_VERSION)
        assert mix(db)["other"] == 600

    def test_an_unreadable_file_is_left_for_the_reader_to_report(self, tmp_path) -> None:
        path = tmp_path / "garbage.duckdb"
        path.write_bytes(b"not a database at all" * 100)
        upgrade_schema(Database(path, lock_timeout_s=1))
        assert path.read_bytes() == b"not a database at all" * 100
