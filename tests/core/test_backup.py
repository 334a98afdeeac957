"""`keystone backup`: a copy that opens on its own and answers exactly as the database did."""

from __future__ import annotations

import threading

import pytest

from core.backup import backup_database
from core.db import Database, DatabaseBusy, DatabaseDamaged
from core.history import restore_upload
from core.metrics import Period, portfolio_metrics
from core.sql import fetch_all
from core.store import store_uploads
from tests.core.conftest import prepare
from tests.core.keystone_cli import metrics_and_history

MARCH = "month,customer,net revenue\n2026-03,A,100\n2026-03,B,50\n"
MARCH_V2 = "month,customer,net revenue\n2026-03,A,120\n2026-03,C,10\n"
APRIL = "month,customer,net revenue\n2026-04,A,30\n"
"""Active after the restore below: March v1 (150) and April (30), net 180."""


@pytest.fixture
def stored(db: Database) -> Database:
    store_uploads(db, [prepare("march.csv", MARCH), prepare("april.csv", APRIL)])
    store_uploads(db, [prepare("march_v2.csv", MARCH_V2)], replace=True)
    restore_upload(db, 3)
    return db


def answers(db: Database) -> tuple[dict, dict, list]:
    metrics, uploads = metrics_and_history(db.path)
    with db.connect() as con:
        flags = fetch_all(con, "SELECT * FROM upload_months ORDER BY ALL")
    return metrics, uploads, flags


class TestBackup:
    def test_copy_answers_the_same(self, stored, tmp_path):
        before = answers(stored)
        assert before[0]["net_revenue"] == 180.0
        result = backup_database(stored, tmp_path / "backups")
        assert result.tables["uploads"] == 3 and result.tables["facts"] == 2 + 1 + 2
        [copy] = (tmp_path / "backups").glob("keystone-*.duckdb")
        assert copy == result.path and copy.stat().st_size == result.size_bytes
        assert answers(Database(copy)) == before
        assert Database(copy).data_version() == stored.data_version() == result.data_version

    def test_two_backups_in_one_second_get_two_names(self, stored, tmp_path):
        first = backup_database(stored, tmp_path / "b")
        second = backup_database(stored, tmp_path / "b")
        assert first.path != second.path
        assert sorted(p.name for p in (tmp_path / "b").iterdir()) == sorted(
            [first.path.name, second.path.name]
        )

    def test_during_reads(self, stored, tmp_path):
        """Readers keep reading (through Database.connect, as the app does) while it runs."""
        stop, seen, errors = threading.Event(), [], []

        def read() -> None:
            try:
                while not stop.is_set():
                    with stored.connect() as con:
                        seen.append(portfolio_metrics(con, Period()).net_revenue)
            except Exception as exc:  # the test fails on any
                errors.append(exc)

        readers = [threading.Thread(target=read) for _ in range(3)]
        for reader in readers:
            reader.start()
        try:
            results = [backup_database(stored, tmp_path / "b") for _ in range(3)]
        finally:
            stop.set()
            for reader in readers:
                reader.join()
        assert errors == [] and set(seen) == {180.0}
        for result in results:
            assert answers(Database(result.path))[0] == answers(stored)[0]


class TestRefused:
    def test_missing_database(self, db, tmp_path):
        with pytest.raises(DatabaseDamaged, match="does not exist"):
            backup_database(db, tmp_path / "b")
        assert not (tmp_path / "b").exists()

    def test_damaged_database_leaves_no_partial_file(self, stored, tmp_path):
        stored.path.write_bytes(stored.path.read_bytes()[:100])
        with pytest.raises(DatabaseDamaged, match=f"^{stored.path} cannot be opened"):
            backup_database(stored, tmp_path / "b")
        assert list((tmp_path / "b").iterdir()) == []

    def test_waits_for_the_writer(self, stored, tmp_path):
        held, release = threading.Event(), threading.Event()

        def hold() -> None:
            with stored.write_lock():
                held.set()
                release.wait(10)

        writer = threading.Thread(target=hold)
        writer.start()
        held.wait(10)
        try:
            with pytest.raises(DatabaseBusy, match="is busy"):
                backup_database(Database(stored.path, lock_timeout_s=0.3), tmp_path / "b")
        finally:
            release.set()
            writer.join()
        assert backup_database(stored, tmp_path / "b").tables["uploads"] == 3
