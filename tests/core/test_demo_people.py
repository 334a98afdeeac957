"""The demo's contacts and accounts files: deterministic, clean, and their planted gaps found."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from core.bootstrap import build_demo_database
from core.db import Database
from core.demo import DEMO_SEED, build_demo_frame
from core.demo_people import (
    ACCOUNTS_FILE,
    COMPANION_DIR,
    CONTACTS_FILE,
    build_contacts,
    people_planted,
    period_ranking,
    write_companion_files,
)
from core.ingest.models import IngestOptions
from core.ingest.pipeline import prepare_upload
from core.metrics import Period
from core.people import PeopleThresholds, people_summary
from core.people_alerts import people_alerts
from core.settings import PROJECT_ROOT

SHIPPED = PROJECT_ROOT / "data" / "demo" / COMPANION_DIR
PERIOD = Period.from_text("2025-11", "2026-10")


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return build_demo_frame()


class TestGenerator:
    def test_shipped_files_are_current(self, tmp_path: Path, frame: pd.DataFrame) -> None:
        for path in write_companion_files(tmp_path, frame, DEMO_SEED):
            assert path.read_bytes() == (SHIPPED / path.name).read_bytes(), path.name

    def test_every_key_account_has_people(self, frame: pd.DataFrame) -> None:
        """The key accounts are the top ceil(n / 5) of the period's positive accounts."""
        ranking = period_ranking(frame)
        key = ranking[: math.ceil(len(ranking) / 5)]
        contacts = build_contacts(frame, DEMO_SEED)
        assert set(key) <= set(contacts["account_id"])
        planted = people_planted()
        assert {a for ids in planted.values() for a in ids} <= set(key)

    def test_planted_gaps(self, frame: pd.DataFrame) -> None:
        contacts = build_contacts(frame, DEMO_SEED)
        planted = people_planted()
        for account in planted["single_threaded"]:
            people = contacts[contacts["account_id"] == account]
            assert people["buying_role"].tolist() == ["economic_buyer"]
        [no_tb] = planted["no_technical_buyer"]
        assert "technical_buyer" not in set(
            contacts.loc[contacts["account_id"] == no_tb, "buying_role"]
        )
        [hostile] = planted["influential_detractor"]
        row = contacts[(contacts["account_id"] == hostile) & (contacts["stance"] == "detractor")]
        assert row[["buying_role", "influence"]].to_numpy().tolist() == [["technical_buyer", 5]]

    def test_files_read_cleanly_through_the_ingest_path(self) -> None:
        for name, kind in ((CONTACTS_FILE, "contacts"), (ACCOUNTS_FILE, "accounts")):
            data = (SHIPPED / name).read_bytes()
            prepared = prepare_upload(name, data, IngestOptions(kind=kind))
            assert prepared.report.ok, prepared.report.errors[:3]
            assert prepared.report.warnings == []
        assert prepared.report.rows == 800


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Database:
    db = Database(tmp_path_factory.mktemp("demo") / "keystone.duckdb")
    build_demo_database(db)
    return db


class TestDemoDatabase:
    def test_the_alerts_find_the_planted_accounts(self, demo_db: Database) -> None:
        planted = people_planted()
        with demo_db.connect() as con:
            alerts = people_alerts(con, PERIOD, PeopleThresholds())
        act = {(a.rule, a.accounts[0]) for a in alerts if a.severity == "act"}
        single = set(planted["single_threaded"])
        assert {a for r, a in act if r == "single_threaded"} == single
        assert {a for r, a in act if r == "strong_detractor"} == set(
            planted["influential_detractor"]
        )
        assert {a for r, a in act if r == "technical_buyer"} == single | set(
            planted["no_technical_buyer"]
        )
        assert {a for r, a in act if r == "key_low_coverage"} == single
        # Every other key account is fully staffed: all act alerts concern planted accounts.
        assert {a for _, a in act} == single | set(planted["no_technical_buyer"]) | set(
            planted["influential_detractor"]
        )

    def test_key_revenue_at_risk_is_the_two_single_threaded_accounts(
        self, demo_db: Database, frame: pd.DataFrame
    ) -> None:
        """Checked against pandas over the generator's frame."""
        period = frame[frame["month"] >= "2025-11"]
        revenue = period.groupby("account_id")["net_revenue"].sum()
        ranking = period_ranking(frame)
        key = ranking[: math.ceil(len(ranking) / 5)]
        expected = revenue[people_planted()["single_threaded"]].sum() / revenue[key].sum()
        with demo_db.connect() as con:
            summary = people_summary(con, PERIOD, PeopleThresholds())
        assert summary.single_threaded_accounts == 2
        assert summary.key_accounts == len(key)
        assert summary.key_revenue_at_risk_share == pytest.approx(expected, rel=1e-9)

    def test_the_account_master_agrees_with_the_exports(self, demo_db: Database) -> None:
        with demo_db.connect() as con:
            disagree = con.sql(
                """SELECT count(*) FROM account_master AS m JOIN (
                       SELECT account_key, any_value(segment) AS segment FROM active_rows
                       GROUP BY account_key) AS f ON f.account_key = m.account_id
                   WHERE f.segment <> m.segment"""
            ).fetchall()[0][0]
            accounts = con.sql("SELECT count(*) FROM account_master").fetchall()[0][0]
        assert (disagree, accounts) == (0, 800)
