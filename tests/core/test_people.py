"""Key people: role coverage, the coverage score, the key revenue at risk, and every alert."""

from __future__ import annotations

from datetime import date

import pytest

from core.db import Database
from core.metrics import Period
from core.people import PeopleThresholds, account_coverage, people_summary, role_coverage
from core.people_alerts import coverage_metrics, people_alerts
from core.store import store_uploads
from tests.core.conftest import prepare

SALES = """month,customer code,net revenue
2026-01,A1,600
2026-02,A2,500
2026-03,A3,100
2026-03,A4,50
2026-03,A5,30
2026-03,A6,20
"""
"""Six positive accounts: the key accounts are the top ceil(6 / 5) = 2, A1 (600) and A2 (500)."""

CONTACTS = """account id,contact,role,stance,influence,last contact
A1,Ann,economic buyer,champion,5,2026-03-01
A1,Tom,technical buyer,neutral,3,2025-11-01
A1,Una,user buyer,supporter,2,2026-03-20
A2,Bob,economic buyer,supporter,3,2026-03-15
A3,Cy,coach,champion,2,2025-10-01
A3,Dee,technical buyer,detractor,4,2026-01-31
A3,Eli,gatekeeper,neutral,1,
"""
"""As of 2026-03-31 (the period's last day), days since contact:
A1: Ann 30, Tom 150, Una 11.  A2: Bob 16.  A3: Cy 181, Dee 59, Eli none."""

PERIOD = Period.from_text("2026-01", "2026-03")
LIMITS = PeopleThresholds()


@pytest.fixture
def filled(db: Database) -> Database:
    store_uploads(db, [prepare("sales.csv", SALES)])
    store_uploads(db, [prepare("people.csv", CONTACTS, kind="contacts")])
    return db


class TestCoverage:
    def test_scores_worked_by_hand(self, filled: Database) -> None:
        """A1: economic 30 × 1 + technical 25 × 0.5 (150 days) + user 15 × 1 = 57.5.
        A2: economic 30 × 1 = 30.
        A3: coach 20 × 0.5 (181 days) + technical 25 × 1 (59 days) + gatekeeper 10 × 0.5
        (never) = 40."""
        with filled.connect() as con:
            table = account_coverage(con, PERIOD, LIMITS).set_index("account_id")
        assert list(table.index) == ["A1", "A2", "A3"]
        assert table["coverage"].to_dict() == pytest.approx({"A1": 57.5, "A2": 30.0, "A3": 40.0})
        assert table["contacts"].to_dict() == {"A1": 3, "A2": 1, "A3": 3}
        assert table["roles_filled"].to_dict() == {"A1": 3, "A2": 1, "A3": 3}
        assert table["is_key"].to_dict() == {"A1": True, "A2": True, "A3": False}
        assert table["days_since_contact"].to_dict() == {"A1": 11, "A2": 16, "A3": 59}
        assert table.loc["A1", "technical_days"] == 150
        assert table.loc["A3", "strong_detractors"] == 1

    def test_role_cells_name_who_with_stance_and_recency(self, filled: Database) -> None:
        with filled.connect() as con:
            cells = role_coverage(con, PERIOD, LIMITS)
        assert len(cells) == 2 * 5  # key accounts only, every role
        a1 = cells[cells["account_id"] == "A1"].set_index("buying_role")
        assert list(a1.index) == [
            "economic_buyer",
            "technical_buyer",
            "coach",
            "user_buyer",
            "gatekeeper",
        ]
        assert a1.loc["economic_buyer", ["names", "stance", "days"]].tolist() == [
            "Ann",
            "champion",
            30,
        ]
        assert a1.loc["technical_buyer", "recent"] == False  # noqa: E712
        assert a1.loc["technical_buyer", "credit"] == 0.5
        assert a1.loc["coach", "people"] == 0 and a1.loc["coach", "credit"] == 0

    def test_summary_and_key_revenue_at_risk(self, filled: Database) -> None:
        """A2 is single-threaded: 500 of the key revenue 600 + 500 = 1,100 is at risk."""
        with filled.connect() as con:
            summary = people_summary(con, PERIOD, LIMITS)
        assert summary.as_of == date(2026, 3, 31)
        assert summary.contacts == 7 and summary.accounts_with_contacts == 3
        assert summary.single_threaded_accounts == 1
        assert summary.key_accounts == 2 and summary.key_accounts_uncovered == 0
        assert summary.key_revenue_at_risk_share == pytest.approx(500 / 1100)
        assert summary.mean_key_coverage == pytest.approx((57.5 + 30) / 2)

    def test_an_older_period_counts_recency_to_its_own_end(self, filled: Database) -> None:
        """As of 2026-01-31 Tom (2025-11-01) is 91 days old; later contacts count as 0 days."""
        with filled.connect() as con:
            table = account_coverage(con, Period.from_text("2026-01", "2026-01"), LIMITS)
        a1 = table.set_index("account_id").loc["A1"]
        assert a1["technical_days"] == 91 and a1["days_since_contact"] == 0

    def test_nothing_without_a_contacts_file(self, db: Database) -> None:
        store_uploads(db, [prepare("sales.csv", SALES)])
        with db.connect() as con:
            assert account_coverage(con, PERIOD, LIMITS).empty
            assert people_alerts(con, PERIOD, LIMITS) == []
            metrics = coverage_metrics(con, PERIOD, LIMITS)["coverage"]
        assert metrics == {
            "single_threaded_accounts": 0,
            "key_revenue_at_risk_share": None,
            "alerts": [],
        }


class TestAlertsOnTheFixture:
    def test_every_alert_in_order(self, filled: Database) -> None:
        with filled.connect() as con:
            alerts = people_alerts(con, PERIOD, LIMITS)
        found = [(a.severity, a.rule, a.accounts[0]) for a in alerts]
        assert found == [
            ("act", "key_low_coverage", "A1"),
            ("act", "key_low_coverage", "A2"),
            ("act", "single_threaded", "A2"),
            ("act", "technical_buyer", "A1"),
            ("act", "technical_buyer", "A2"),
            ("watch", "strong_detractor", "A3"),
            ("watch", "no_economic_buyer", "A3"),
            ("watch", "no_coach", "A1"),
            ("watch", "no_coach", "A2"),
        ]
        stale = alerts[3]
        assert stale.message() == (
            "A1: technical buyer last contacted 150 days ago (more than 90)."
        )
        assert stale.evidence["technical_days"] == 150 and stale.evidence["threshold"] == 90
        assert alerts[4].message_key == "people.alert.technical_buyer_missing"
        assert alerts[5].message("zh") == "A3：有影响力的反对者（Dee），影响力 4 或以上。"

    def test_thresholds_come_from_settings(self, filled: Database) -> None:
        """With the coverage bar at 50, A1 (57.5) passes and A2 (30) does not."""
        with filled.connect() as con:
            alerts = people_alerts(con, PERIOD, PeopleThresholds(key_min_coverage=50))
        assert [a.accounts for a in alerts if a.rule == "key_low_coverage"] == [["A2"]]


ONE_SALE = "month,customer code,net revenue\n2026-03,K,100\n"
FULL = [
    "K,E,economic buyer,supporter,3,2026-03-30",
    "K,T,technical buyer,supporter,3,2026-03-30",
    "K,C,coach,champion,3,2026-03-30",
    "K,U,user buyer,neutral,2,2026-03-30",
]
"""The only account, K, is key; fully staffed and recent, it raises nothing."""


def rules_for(db: Database, lines: list[str]) -> list[str]:
    store_uploads(db, [prepare("sales.csv", ONE_SALE)])
    text = "account id,contact,role,stance,influence,last contact\n" + "\n".join(lines) + "\n"
    store_uploads(db, [prepare("people.csv", text, kind="contacts")])
    with db.connect() as con:
        return sorted(a.rule for a in people_alerts(con, PERIOD, LIMITS))


class TestEachRuleAlone:
    """Each rule on a minimal file: the full staff, changed in one way."""

    def test_the_full_staff_raises_nothing(self, db: Database) -> None:
        """Coverage 30 + 25 + 20 + 15 = 90, every role recent."""
        assert rules_for(db, FULL) == []

    def test_single_threaded(self, db: Database) -> None:
        """One person, the economic buyer: coverage 30, no technical buyer, no coach."""
        assert rules_for(db, FULL[:1]) == [
            "key_low_coverage",
            "no_coach",
            "single_threaded",
            "technical_buyer",
        ]

    def test_no_economic_buyer(self, db: Database) -> None:
        """Coverage 25 + 20 + 15 = 60: not below the bar."""
        assert rules_for(db, FULL[1:]) == ["no_economic_buyer"]

    def test_no_coach(self, db: Database) -> None:
        """Coverage 30 + 25 + 15 = 70."""
        assert rules_for(db, [FULL[0], FULL[1], FULL[3]]) == ["no_coach"]

    def test_technical_buyer_not_contacted_in_90_days(self, db: Database) -> None:
        """2025-12-30 is 91 days before 2026-03-31; coverage 90 − 12.5 = 77.5."""
        stale = "K,T,technical buyer,supporter,3,2025-12-30"
        assert rules_for(db, [FULL[0], stale, *FULL[2:]]) == ["technical_buyer"]

    def test_technical_buyer_at_exactly_90_days_is_recent(self, db: Database) -> None:
        recent = "K,T,technical buyer,supporter,3,2025-12-31"
        assert rules_for(db, [FULL[0], recent, *FULL[2:]]) == []

    def test_influential_detractor(self, db: Database) -> None:
        assert rules_for(db, [*FULL, "K,D,gatekeeper,detractor,4,2026-03-01"]) == [
            "strong_detractor"
        ]

    def test_a_detractor_below_the_influence_bar_is_no_alert(self, db: Database) -> None:
        assert rules_for(db, [*FULL, "K,D,gatekeeper,detractor,3,2026-03-01"]) == []

    def test_key_account_with_nobody_named(self, db: Database) -> None:
        """K has no people (only another account does): coverage 0, one alert for K."""
        store_uploads(db, [prepare("sales.csv", ONE_SALE)])
        text = "account id,contact,role,stance,influence,last contact\n" + "\n".join(
            line.replace("K,", "Z,", 1) for line in FULL
        )
        store_uploads(db, [prepare("people.csv", text, kind="contacts")])
        with db.connect() as con:
            alerts = people_alerts(con, PERIOD, LIMITS)
            summary = people_summary(con, PERIOD, LIMITS)
        assert [(a.rule, a.accounts, a.evidence["coverage"]) for a in alerts] == [
            ("key_low_coverage", ["K"], 0.0)
        ]
        assert summary.key_accounts_uncovered == 1
        assert summary.key_revenue_at_risk_share == 1.0

    def test_no_contact_at_all_in_90_days(self, db: Database) -> None:
        """Every date 2025-12-01 (120 days): each role earns half, 45; all four rules on
        recency and coverage fire."""
        old = [line.replace("2026-03-30", "2025-12-01") for line in FULL]
        assert rules_for(db, old) == ["key_low_coverage", "no_recent_contact", "technical_buyer"]
