"""Storing uploads: all or nothing, no silent month overwrite, old versions kept and restorable."""

from __future__ import annotations

import dataclasses
import threading

import duckdb
import pyarrow as pa
import pytest

import core.store
from core.db import Database, DatabaseBusy
from core.history import list_uploads, restore_upload
from core.ingest.models import PreparedUpload
from core.raw_files import files_of
from core.sql import arrow, fetch_all
from core.store import StoreError, existing_versions, plan_uploads, store_uploads
from tests.core.conftest import prepare, snapshot, xlsx_bytes

MARCH = "month,customer,net revenue\n2026-03,A,100\n2026-03,B,50\n"
"""2026-03: 2 rows, 2 accounts, net 150."""
APRIL = "month,customer,net revenue\n2026-04,A,30\n"
"""2026-04: 1 row, net 30."""
MARCH_V2 = "month,customer,net revenue\n2026-03,A,120\n2026-03,C,10\n"
"""2026-03 again: 2 rows, net 130."""
TAKEN = (
    r"2026-03 is already stored for source 'default' \(upload 1, 2 rows, net revenue 150\.00\); "
    r"confirm a replace \(--replace\) to swap it"
)


def upload(name: str, text: str, **options: object) -> PreparedUpload:
    return prepare(name, text, **options)


@pytest.fixture
def stored(db: Database) -> Database:
    """march.csv (upload 1) and april.csv (upload 2) stored for source 'default'."""
    store_uploads(db, [upload("march.csv", MARCH)])
    store_uploads(db, [upload("april.csv", APRIL)])
    return db


class TestStoring:
    """A clean file lands whole: its rows, its months, its raw bytes."""

    def test_first_upload_is_stored(self, db):
        [result] = store_uploads(db, [upload("march.csv", MARCH)])
        assert (result.id, result.status, result.rows, result.months) == (
            1,
            "stored",
            2,
            ["2026-03"],
        )
        assert (result.accounts, result.net_revenue, result.source) == (2, 150.0, "default")
        assert snapshot(db)["by_month"] == [("2026-03", "default", 150.0)]

    def test_raw_bytes_and_details_are_kept(self, db):
        prepared = upload("march.csv", MARCH)
        store_uploads(db, [prepared])
        with db.connect() as con:
            assert files_of(arrow(con, "SELECT * FROM upload_files"))[1] == MARCH.encode()
            sha, encoding, header_line, months = fetch_all(
                con, "SELECT sha256, encoding, header_line, months FROM uploads WHERE id = 1"
            )[0]
            lines = fetch_all(con, "SELECT line FROM facts ORDER BY line")
        assert (sha, encoding, header_line, months) == (
            prepared.report.sha256,
            "utf-8",
            1,
            ["2026-03"],
        )
        assert lines == [(2,), (3,)]

    def test_each_write_changes_the_data_version(self, db):
        assert db.data_version() == 0
        store_uploads(db, [upload("march.csv", MARCH)])
        first = db.data_version()
        store_uploads(db, [upload("april.csv", APRIL)])
        assert db.data_version() == first + 1


class TestIdenticalReupload:
    """The same bytes for the same source again change nothing."""

    def test_unchanged(self, stored):
        before, version = snapshot(stored), stored.data_version()
        [result] = store_uploads(stored, [upload("march.csv", MARCH)])
        assert (result.status, result.id) == ("unchanged", 1)
        assert snapshot(stored) == before
        assert stored.data_version() == version

    def test_same_bytes_under_another_name_are_unchanged_too(self, stored):
        [result] = store_uploads(stored, [upload("march (copy).csv", MARCH)])
        assert (result.status, result.id) == ("unchanged", 1)

    def test_same_mapping_in_another_order_is_unchanged(self, db):
        store_uploads(
            db, [upload("t.csv", TWO_AMOUNTS, mapping={"Revenue": "ignore", "Month": "month"})]
        )
        again = upload("t.csv", TWO_AMOUNTS, mapping={"Month": "month", "Revenue": "ignore"})
        [result] = store_uploads(db, [again])
        assert (result.status, result.id) == ("unchanged", 1)

    def test_unchanged_reports_the_stored_figures(self, stored):
        prepared = upload("march.csv", MARCH)
        report = prepared.report.model_copy(
            update={"rows": 9, "accounts": 9, "net_revenue": 999.0, "months": ["2026-09"]}
        )
        [result] = store_uploads(stored, [dataclasses.replace(prepared, report=report)])
        assert (result.status, result.id, result.rows, result.months) == (
            "unchanged",
            1,
            2,
            ["2026-03"],
        )
        assert (result.accounts, result.net_revenue) == (2, 150.0)


TWO_AMOUNTS = "Month,Customer,Net Amount,Revenue\n2026-03,A,100,90\n2026-03,B,50,40\n"
"""2026-03 read two ways: net 150 from Net Amount, or 130 from Revenue."""


class TestSameBytesReadDifferently:
    """The same bytes read with another mapping, sheet or date order are a new version."""

    def test_other_mapping_replaces(self, db):
        [first] = store_uploads(
            db, [upload("t.csv", TWO_AMOUNTS, mapping={"Net Amount": "ignore"})]
        )
        assert (first.status, first.net_revenue) == ("stored", 130.0)
        other = upload("t.csv", TWO_AMOUNTS, mapping={"Revenue": "ignore"})
        with pytest.raises(StoreError, match="2026-03 is already stored for source 'default'"):
            store_uploads(db, [other])
        [second] = store_uploads(db, [other], replace=True)
        assert (second.id, second.status, second.net_revenue) == (2, "replaced", 150.0)
        assert snapshot(db)["by_month"] == [("2026-03", "default", 150.0)]

    def test_other_date_order_is_stored(self, db):
        text = "month,customer,net revenue\n03/04/2026,A,7\n"
        [dmy] = store_uploads(db, [upload("d.csv", text, date_order="dmy")])
        [mdy] = store_uploads(db, [upload("d.csv", text, date_order="mdy")])
        assert [(r.id, r.status, r.months) for r in (dmy, mdy)] == [
            (1, "stored", ["2026-04"]),
            (2, "stored", ["2026-03"]),
        ]
        assert snapshot(db)["by_month"] == [
            ("2026-03", "default", 7.0),
            ("2026-04", "default", 7.0),
        ]

    def test_other_sheet_replaces(self, db):
        book = xlsx_bytes(
            {
                "East": [["month", "customer", "net revenue"], ["2026-03", "A", 5]],
                "West": [["month", "customer", "net revenue"], ["2026-03", "B", 8]],
            }
        )
        store_uploads(db, [upload("book.xlsx", book, sheet="East")])
        [west] = store_uploads(db, [upload("book.xlsx", book, sheet="West")], replace=True)
        assert (west.id, west.status, west.net_revenue) == (2, "replaced", 8.0)
        assert snapshot(db)["by_month"] == [("2026-03", "default", 8.0)]


class TestMonthConflict:
    """A month already stored for the source is refused unless the user confirms a replace."""

    def test_refused_with_a_clear_message(self, stored):
        before = snapshot(stored)
        with pytest.raises(StoreError, match=TAKEN) as caught:
            store_uploads(stored, [upload("march_v2.csv", MARCH_V2)])
        [issue] = caught.value.issues
        assert (issue.file, issue.column, issue.value, issue.rule) == (
            "march_v2.csv",
            "month",
            "2026-03",
            "month_taken",
        )
        assert snapshot(stored) == before

    def test_refusal_reads_in_chinese(self, stored):
        with pytest.raises(StoreError) as caught:
            store_uploads(stored, [upload("march_v2.csv", MARCH_V2)])
        assert caught.value.issues[0].localised("zh") == (
            "来源“default”的 2026-03 已存在（上传 1，2 行，销售额 150.00）；"
            "确认替换（--replace）后才会覆盖"
        )

    def test_replace_preview_shows_both_sides(self, stored):
        with stored.connect() as con:
            [version] = existing_versions(con, upload("march_v2.csv", MARCH_V2))
        assert version.model_dump() == {
            "month": "2026-03",
            "source": "default",
            "upload_id": 1,
            "rows": 2,
            "net_revenue": 150.0,
            "new_rows": 2,
            "new_net_revenue": 130.0,
        }


class TestReplace:
    """A replace swaps the months atomically; the old version stays and can be restored."""

    def test_replace_swaps_the_month(self, stored):
        [result] = store_uploads(stored, [upload("march_v2.csv", MARCH_V2)], replace=True)
        assert (result.id, result.status, result.net_revenue) == (3, "replaced", 130.0)
        after = snapshot(stored)
        assert after["by_month"] == [
            ("2026-03", "default", 130.0),
            ("2026-04", "default", 30.0),
        ]
        assert after["rows"] == 3
        assert after["facts"] == 5  # the replaced rows are kept

    def test_history_shows_who_replaced_whom(self, stored):
        store_uploads(stored, [upload("march_v2.csv", MARCH_V2)], replace=True)
        with stored.connect() as con:
            history = [(u.id, u.status, u.can_restore) for u in list_uploads(con)]
        assert history == [(3, "replaced", True), (2, "stored", False), (1, "superseded", False)]

    def test_restore_brings_the_old_version_back(self, stored):
        before = snapshot(stored)["by_month"]
        store_uploads(stored, [upload("march_v2.csv", MARCH_V2)], replace=True)
        assert restore_upload(stored, 3) == ["2026-03"]
        assert snapshot(stored)["by_month"] == before
        with stored.connect() as con:
            assert [(u.id, u.status) for u in list_uploads(con)] == [
                (3, "superseded"),
                (2, "stored"),
                (1, "stored"),
            ]

    def test_replace_touches_only_the_months_the_file_holds(self, stored):
        text = "month,customer,net revenue\n2026-03,A,1\n2026-05,A,2\n"
        [result] = store_uploads(stored, [upload("mar_may.csv", text)], replace=True)
        assert result.months == ["2026-03", "2026-05"]
        assert snapshot(stored)["by_month"] == [
            ("2026-03", "default", 1.0),
            ("2026-04", "default", 30.0),
            ("2026-05", "default", 2.0),
        ]

    def test_restore_an_upload_that_replaced_nothing(self, stored):
        with pytest.raises(StoreError, match="upload 1 replaced nothing, so there is nothing"):
            restore_upload(stored, 1)

    def test_restore_an_unknown_upload(self, stored):
        with pytest.raises(StoreError, match="there is no upload 99"):
            restore_upload(stored, 99)

    def test_restore_twice_says_it_is_already_restored(self, stored):
        store_uploads(stored, [upload("march_v2.csv", MARCH_V2)], replace=True)
        restore_upload(stored, 3)
        before, version = snapshot(stored), stored.data_version()
        with pytest.raises(StoreError) as caught:
            restore_upload(stored, 3)
        [issue] = caught.value.issues
        assert (issue.rule, issue.message) == (
            "already_restored",
            "upload 3 has already been restored: the versions it replaced are active again",
        )
        assert issue.localised("zh") == "上传 3 已经恢复过：它替换掉的版本已重新生效"
        assert (snapshot(stored), stored.data_version()) == (before, version)

    def test_restore_after_a_later_replace_is_refused(self, stored):
        store_uploads(stored, [upload("march_v2.csv", MARCH_V2)], replace=True)
        store_uploads(stored, [upload("march_v3.csv", MARCH_V2 + "2026-03,D,1\n")], replace=True)
        before = snapshot(stored)
        with pytest.raises(StoreError, match="2026-03 of source 'default' has been replaced again"):
            restore_upload(stored, 3)
        assert snapshot(stored) == before

    def test_restore_after_restore_and_a_new_replace_is_a_conflict(self, stored):
        store_uploads(stored, [upload("march_v2.csv", MARCH_V2)], replace=True)
        restore_upload(stored, 3)
        store_uploads(stored, [upload("march_v3.csv", MARCH_V2 + "2026-03,D,1\n")], replace=True)
        with pytest.raises(StoreError) as caught:
            restore_upload(stored, 3)
        assert [i.rule for i in caught.value.issues] == ["restore_conflict"]


class TestHeaderOnlyNeverWipes:
    """A file without data rows is an error, so it can never replace a month."""

    @pytest.mark.parametrize(
        "text", ["month,customer,net revenue\n", "month,customer,net\n合计,,0\n"]
    )
    def test_header_only_file(self, stored, text):
        before = snapshot(stored)
        with pytest.raises(StoreError, match="the file has a header but no data rows"):
            store_uploads(stored, [upload("march.csv", text)], replace=True)
        assert snapshot(stored) == before


class TestSources:
    """Two sources may hold the same month; conflicts are per source."""

    def test_two_sources_hold_the_same_month(self, db):
        store_uploads(db, [upload("march.csv", MARCH, source="east")])
        [west] = store_uploads(db, [upload("march.csv", MARCH, source="west")])
        assert west.status == "stored"
        assert snapshot(db)["by_month"] == [
            ("2026-03", "east", 150.0),
            ("2026-03", "west", 150.0),
        ]

    def test_same_bytes_under_another_source_warn(self, db):
        store_uploads(db, [upload("march.csv", MARCH, source="east")])
        [west] = store_uploads(db, [upload("march.csv", MARCH, source="west")])
        message = (
            "the same file is already stored under source 'east' (upload 1); "
            "its revenue now counts twice"
        )
        assert (west.id, west.status, west.warnings) == (2, "stored", [message])
        with db.connect() as con:
            [plan] = plan_uploads(con, [upload("march.csv", MARCH, source="north")])
        assert plan.result(None).warnings == [
            message,
            message.replace("'east' (upload 1)", "'west' (upload 2)"),
        ]

    def test_no_warning_once_the_other_copy_is_replaced(self, db):
        store_uploads(db, [upload("march.csv", MARCH, source="east")])
        store_uploads(db, [upload("march_v2.csv", MARCH_V2, source="east")], replace=True)
        [west] = store_uploads(db, [upload("march.csv", MARCH, source="west")])
        assert (west.status, west.warnings) == ("stored", [])

    def test_conflict_is_per_source(self, db):
        store_uploads(db, [upload("march.csv", MARCH, source="east")])
        with pytest.raises(StoreError, match="2026-03 is already stored for source 'east'"):
            store_uploads(db, [upload("march_v2.csv", MARCH_V2, source="east")])


class TestAtomicity:
    """A failure in the middle of a write leaves the previous data exactly as it was."""

    def test_failed_post_write_check_rolls_everything_back(self, stored, monkeypatch):
        before, version = snapshot(stored), stored.data_version()

        def fail(*args: object) -> None:
            raise RuntimeError("injected failure after the rows were written")

        monkeypatch.setattr(core.store, "_check_written", fail)
        with pytest.raises(RuntimeError, match="injected failure"):
            store_uploads(stored, [upload("march_v2.csv", MARCH_V2)], replace=True)
        after = snapshot(stored)
        assert after == before
        assert after["rows"] == 3
        assert after["by_month"] == [("2026-03", "default", 150.0), ("2026-04", "default", 30.0)]
        assert after["uploads"] == [(1, "march.csv", "stored"), (2, "april.csv", "stored")]
        assert stored.data_version() == version

    def test_failed_facts_insert_rolls_everything_back(self, stored):
        before = snapshot(stored)
        prepared = upload("march_v2.csv", MARCH_V2)
        assert prepared.rows is not None
        column = prepared.rows.schema.get_field_index("account_key")
        broken = prepared.rows.set_column(column, "account_key", pa.nulls(2, pa.string()))
        with pytest.raises(duckdb.ConstraintException):
            store_uploads(stored, [dataclasses.replace(prepared, rows=broken)], replace=True)
        assert snapshot(stored) == before

    def test_failure_on_the_second_file_undoes_the_first(self, stored, monkeypatch):
        before = snapshot(stored)
        calls: list[int] = []
        real = core.store._check_written

        def fail_second(con, upload_id, prepared):
            calls.append(upload_id)
            if len(calls) == 2:
                raise RuntimeError("injected failure on the second file")
            real(con, upload_id, prepared)

        monkeypatch.setattr(core.store, "_check_written", fail_second)
        batch = [upload("may.csv", APRIL.replace("04", "05")), upload("m2.csv", MARCH_V2)]
        with pytest.raises(RuntimeError, match="second file"):
            store_uploads(stored, batch, replace=True)
        assert calls == [3, 4]
        assert snapshot(stored) == before


class TestBatches:
    """A batch is stored whole or not at all."""

    def test_one_bad_file_stores_nothing(self, db):
        bad = upload("bad.csv", "month,customer,net revenue\n2026-05,A,x\n")
        with pytest.raises(StoreError, match="not a number") as caught:
            store_uploads(db, [upload("march.csv", MARCH), bad])
        assert [(i.file, i.line, i.rule) for i in caught.value.issues] == [
            ("bad.csv", 2, "not_numeric")
        ]
        assert not db.path.exists()

    def test_one_bad_file_leaves_a_stored_database_alone(self, stored):
        before = snapshot(stored)
        bad = upload("bad.csv", "month,customer,net revenue\n2026-05,A,x\n")
        with pytest.raises(StoreError):
            store_uploads(stored, [upload("may.csv", APRIL.replace("04", "05")), bad])
        assert snapshot(stored) == before

    def test_two_files_with_the_same_month(self, db):
        with pytest.raises(StoreError, match=r"2026-03 of source 'default' is in two files"):
            store_uploads(db, [upload("a.csv", MARCH), upload("b.csv", MARCH_V2)], replace=True)
        assert not db.path.exists()

    def test_good_batch_is_stored_with_one_version_bump(self, db):
        results = store_uploads(db, [upload("march.csv", MARCH), upload("april.csv", APRIL)])
        assert [(r.id, r.status) for r in results] == [(1, "stored"), (2, "stored")]
        assert db.data_version() == 1

    def test_plan_without_a_database(self):
        [plan] = plan_uploads(None, [upload("march.csv", MARCH)])
        assert (plan.status, plan.same_upload, plan.replaces) == ("stored", None, [])


class TestOneWriter:
    """A second writer waits for the lock and gives up with a clear message."""

    def test_busy_database(self, stored):
        stored.lock_timeout_s = 0.3
        held, release = threading.Event(), threading.Event()

        def hold() -> None:
            with stored._file_lock():
                held.set()
                release.wait(5)

        thread = threading.Thread(target=hold)
        thread.start()
        try:
            held.wait(5)
            other = Database(stored.path, lock_timeout_s=0.3)
            with pytest.raises(DatabaseBusy, match="is busy"):
                store_uploads(other, [upload("may.csv", APRIL.replace("04", "05"))])
        finally:
            release.set()
            thread.join()
