"""`keystone rebuild`: the same metrics and history, re-read from the stored raw files."""

from __future__ import annotations

from pathlib import Path

import pytest

import core.rebuild
from core.db import Database, DatabaseBusy, DatabaseDamaged
from core.history import restore_upload
from core.rebuild import RebuildError, rebuild_database
from core.sql import fetch_all
from core.store import store_uploads
from tests.core.conftest import prepare, xlsx_bytes
from tests.core.keystone_cli import metrics_and_history

MARCH = "month,customer,net revenue,cost\n2026-03,A,100,60\n2026-03,B,50,20\n"
"""2026-03: net 150."""
MARCH_V2 = "month,customer,net revenue,cost\n2026-03,A,120,70\n2026-03,C,10,5\n"
"""2026-03 again: net 130; restored away again below."""
APRIL_XLSX = xlsx_bytes(
    {
        "Notes": [["nothing here"]],
        "Sales": [["Monat", "Kunde", "Umsatz"], ["2026-04", "A", 30], ["2026-04", "D", 12]],
    }
)
"""2026-04 on sheet 'Sales' with German headers mapped by hand: net 42."""
DMY = "month,customer,net revenue\n03/05/2026,A,7\n"
"""Read day-first: 2026-05, net 7."""
EAST = "month,customer,net revenue\n2026-03,E,1000\n"
"""2026-03 of another source: net 1000."""
CONTACTS = "account id,contact,role,stance\nA,Ann,coach,champion\n"


@pytest.fixture
def history(db: Database) -> Database:
    """Six uploads with a replace and a restore: 2026-03 is upload 1 again, not upload 3."""
    mapping = {"Monat": "month", "Kunde": "account_name", "Umsatz": "net_revenue"}
    store_uploads(db, [prepare("march.csv", MARCH)])
    store_uploads(db, [prepare("april.xlsx", APRIL_XLSX, sheet="Sales", mapping=mapping)])
    store_uploads(db, [prepare("march_v2.csv", MARCH_V2)], replace=True)
    assert restore_upload(db, 3) == ["2026-03"]
    store_uploads(db, [prepare("may.csv", DMY, date_order="dmy")])
    store_uploads(db, [prepare("east.csv", EAST, source="east")])
    store_uploads(db, [prepare("contacts.csv", CONTACTS, kind="contacts")])
    return db


def figures(db: Database) -> tuple[dict, dict, list]:
    """`keystone metrics`, `keystone uploads` and the active flags of every version."""
    metrics, uploads = metrics_and_history(db.path)
    with db.connect() as con:
        flags = fetch_all(con, "SELECT * FROM upload_months ORDER BY ALL")
        flags += fetch_all(con, "SELECT * FROM reference_versions ORDER BY ALL")
    return metrics, uploads, flags


class TestRebuild:
    """The rebuilt file answers exactly as the old one did, and the old one is kept."""

    def test_same_metrics_history_and_active_versions(self, history):
        before = figures(history)
        assert before[0]["net_revenue"] == pytest.approx(150 + 42 + 7 + 1000)
        result = rebuild_database(history)
        assert result.uploads == 6
        assert result.rows == {"facts": 2 + 2 + 2 + 1 + 1, "contact_rows": 1, "account_rows": 0}
        assert figures(history) == before
        [kept] = history.path.parent.glob("keystone.duckdb.bak-*")
        assert kept == result.backup
        assert figures(Database(kept)) == before

    def test_lost_rows_come_back_from_the_raw_files(self, history):
        before = figures(history)
        with history.transaction() as con:
            con.execute("DELETE FROM facts WHERE upload_id = 1")
        assert figures(history)[0]["net_revenue"] == pytest.approx(42 + 7 + 1000)
        rebuild_database(history)
        assert figures(history) == before

    def test_caches_see_a_new_data_version(self, history):
        version = history.data_version()
        assert rebuild_database(history).data_version == version + 1 == history.data_version()

    def test_no_files_left_behind(self, history):
        rebuild_database(history)
        names = sorted(p.name for p in history.path.parent.iterdir())
        assert [n for n in names if "rebuilding" in n] == []


class TestRefused:
    """A rebuild that cannot reproduce the data leaves the file as it was."""

    def test_raw_file_that_reads_differently(self, history):
        with history.transaction() as con:
            con.execute(
                "UPDATE upload_files SET bytes = $b, codec = NULL WHERE upload_id = 1",
                {"b": MARCH.replace("100", "999").encode()},
            )
        before = history.path.read_bytes()
        with pytest.raises(RebuildError, match=r"upload 1 \(march.csv\) now reads as"):
            rebuild_database(history)
        assert history.path.read_bytes() == before
        assert list(history.path.parent.glob("*.bak-*")) == []

    def test_missing_file(self, db):
        with pytest.raises(DatabaseDamaged, match="does not exist"):
            rebuild_database(db)

    def test_an_upload_during_the_rebuild(self, history, monkeypatch):
        build = core.rebuild._build

        def build_then_upload(staging, tables):
            result = build(staging, tables)
            store_uploads(
                history, [prepare("june.csv", "month,customer,net revenue\n2026-06,A,1\n")]
            )
            return result

        monkeypatch.setattr(core.rebuild, "_build", build_then_upload)
        with pytest.raises(DatabaseBusy, match="changed during the rebuild; run it again"):
            rebuild_database(history)
        assert figures(history)[0]["months"][-1] == "2026-06"


def test_rebuild_reads_the_stored_options(history: Database, tmp_path: Path) -> None:
    """The Excel upload needed its sheet and mapping, the slash date its day-first order."""
    rebuild_database(history)
    with history.connect() as con:
        months = fetch_all(
            con,
            "SELECT upload_id, strftime(month, '%Y-%m'), sum(net_revenue) FROM facts "
            "WHERE upload_id IN (2, 4) GROUP BY ALL ORDER BY 1",
        )
    assert months == [(2, "2026-04", 42.0), (4, "2026-05", 7.0)]
