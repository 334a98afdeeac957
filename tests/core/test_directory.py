"""The account directory: each account's latest name and segment, kept by every write."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date

import pytest

from core.db import Database
from core.discounts import discount_creep, discount_rates
from core.history import restore_upload
from core.metrics import Period
from core.schema import SCHEMA_VERSION
from core.scope import Scope, scope_connection
from core.sql import fetch_all, scalar
from core.store import store_uploads
from tests.core.conftest import prepare

JANUARY = """month,account_id,account_name,segment,net_revenue,list_price,discount
2026-01,A1,Acme Ltd,intrinsic,90,100,10
2026-01,A1,Acme Limited,intrinsic,45,50,5
2026-01,A2,Beta,,70,100,30
"""
FEBRUARY = """month,account_id,account_name,segment,net_revenue,list_price,discount
2026-02,A1,Acme Group,strategic,180,200,20
2026-02,A2,,extrinsic,30,50,20
"""
NEW_FEBRUARY = """month,account_id,account_name,segment,net_revenue,list_price,discount
2026-02,A1,Acme Holdings,other,180,200,20
"""
"""By hand. After January and February: A1's latest name is February's 'Acme Group' and its
segment strategic; A2 names no one in February, so its latest non-empty name stays 'Beta',
while its latest segment is February's extrinsic. In January alone, A1 has two names in one
month: the largest, 'Acme Ltd' ('t' > 'i'), wins the tie. Replacing February renames A1
'Acme Holdings' (segment other) and drops A2 from February."""


def directory(db: Database) -> list[tuple]:
    with db.connect() as con:
        return fetch_all(con, "SELECT * FROM account_directory ORDER BY account_key")


@pytest.fixture
def stored(db: Database) -> Database:
    store_uploads(db, [prepare("jan.csv", JANUARY)])
    store_uploads(db, [prepare("feb.csv", FEBRUARY)])
    return db


class TestKeptByEveryWrite:
    def test_a_tie_within_the_month_goes_to_the_largest_name(self, db: Database) -> None:
        store_uploads(db, [prepare("jan.csv", JANUARY)])
        assert directory(db) == [("A1", "Acme Ltd", "intrinsic"), ("A2", "Beta", None)]

    def test_the_latest_name_and_segment_win(self, stored: Database) -> None:
        assert directory(stored) == [("A1", "Acme Group", "strategic"), ("A2", "Beta", "extrinsic")]

    def test_a_replace_and_its_restore_change_it_back_and_forth(self, stored: Database) -> None:
        (result,) = store_uploads(stored, [prepare("feb2.csv", NEW_FEBRUARY)], replace=True)
        assert directory(stored) == [("A1", "Acme Holdings", "other"), ("A2", "Beta", None)]
        assert result.id is not None
        restore_upload(stored, result.id)
        assert directory(stored) == [("A1", "Acme Group", "strategic"), ("A2", "Beta", "extrinsic")]

    def test_an_unchanged_upload_leaves_it_alone(self, stored: Database) -> None:
        before = directory(stored)
        (result,) = store_uploads(stored, [prepare("feb.csv", FEBRUARY)])
        assert result.status == "unchanged"
        assert directory(stored) == before


class TestUpgrade:
    def test_a_file_from_before_the_directory_gains_it_filled(self, stored: Database) -> None:
        with stored.transaction() as con:  # as Keystone wrote files before schema version 3
            con.execute("DROP TABLE account_directory")
            con.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
        stored.ensure_schema()
        assert directory(stored) == [("A1", "Acme Group", "strategic"), ("A2", "Beta", "extrinsic")]
        with stored.connect() as con:
            version = scalar(con, "SELECT value FROM meta WHERE key = 'schema_version'")
        assert version == str(SCHEMA_VERSION)

    def test_the_command_line_upgrades_an_older_file_it_reads(self, stored: Database) -> None:
        with stored.transaction() as con:
            con.execute("DROP TABLE account_directory")
            con.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
        done = subprocess.run(
            [sys.executable, "-m", "core.cli", "metrics", "--db", str(stored.path)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["rate_coverage"] == pytest.approx(1.0)
        assert directory(stored)[0] == ("A1", "Acme Group", "strategic")


class TestFiguresNameAccountsFromIt:
    def test_a_period_before_a_rename_shows_the_latest_name(self, stored: Database) -> None:
        """January's rates by account, named as the account is called now."""
        january = Period(start=date(2026, 1, 1), end=date(2026, 1, 1))
        with stored.connect() as con:
            rates = discount_rates(con, january, "account").set_index("account")
        assert rates.loc["A1", "name"] == "Acme Group"
        assert rates.loc["A1", "discount_rate"] == pytest.approx(15 / 150)
        assert rates.loc["A2", "name"] == "Beta"

    def test_creep_names_and_segments_come_from_it(self, stored: Database) -> None:
        with stored.connect() as con:
            creep = discount_creep(con, date(2026, 2, 1)).set_index("account")
        assert creep.loc["A1", ["name", "segment"]].tolist() == ["Acme Group", "strategic"]
        assert creep.loc["A2", ["name", "segment"]].tolist() == ["Beta", "extrinsic"]

    def test_anonymised_figures_show_only_aliases(self, stored: Database) -> None:
        """All-history revenue: A1 315 > A2 100, so A1 is Account 001."""
        with stored.connect() as con:
            scope_connection(con, Scope(anonymise=True))
            shown = fetch_all(con, "SELECT * FROM account_directory ORDER BY 1")
            creep = discount_creep(con, date(2026, 2, 1))
        assert shown == [
            ("Account 001", "Account 001", "strategic"),
            ("Account 002", "Account 002", "extrinsic"),
        ]
        assert sorted(creep["name"]) == ["Account 001", "Account 002"]
        text = creep.to_csv()
        assert not any(name in text for name in ("Acme", "Beta", "A1", "A2"))
