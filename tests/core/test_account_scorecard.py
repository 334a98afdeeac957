"""The account's scorecard, tier history, alerts and the whole drill-down.

The tier history is checked against core.scorecard run on each quarter by itself (an
independent path through the same definitions); the demo checks use the planted stories of
core.demo: C00617 rests on one product, C00221's discount creeps while revenue stays flat.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import duckdb
import pytest

from core.account_drilldown import account_drilldown
from core.account_scorecard import (
    account_card,
    alerts_for,
    history_quarters,
    portfolio_alerts,
    tier_history,
)
from core.alerts import Alert
from core.concentration_sql import comparisons
from core.db import Database
from core.metrics import Period
from core.scorecard import scorecard
from core.settings import PROJECT_ROOT
from core.store import store_uploads
from tests.core.conftest import prepare
from tests.core.test_account import PERIOD
from tests.core.test_account import con as con  # the hand-worked portfolio, stored once

DEMO_DIR = PROJECT_ROOT / "data" / "demo"
DEMO_PERIOD = Period(start=date(2025, 11, 1), end=date(2026, 10, 1))
APR = date(2025, 4, 1)


def _alert(rule: str, accounts: list[str], severity: str = "watch") -> Alert:
    return Alert(
        rule=rule,
        severity=severity,  # type: ignore[arg-type]
        message_key="discounts.alert.creep",
        params={},
        evidence={},
        accounts=accounts,
    )


class TestCard:
    def test_the_card_is_the_accounts_scorecard_row(self, con) -> None:
        card = scorecard(con, PERIOD)
        mine = account_card(card, "A100")
        assert mine is not None
        row = card.table.set_index("account").loc["A100"]
        assert mine.score == pytest.approx(float(row["score"]))
        assert (mine.rank, mine.n, mine.tier) == (int(row["rank"]), 4, row["tier"])
        contributions = mine.contributions
        assert list(contributions["indicator"]) == [
            "revenue",
            "margin",
            "growth",
            "discount",
            "breadth",
        ]
        assert contributions["points"].sum() == pytest.approx(mine.score)
        revenue = contributions.set_index("indicator").loc["revenue"]
        assert revenue["pct"] == pytest.approx(100.0), "A100 has the most revenue of 4"
        assert revenue["value"] == pytest.approx(1000)

    def test_an_account_without_positive_revenue_has_no_card(self, con) -> None:
        assert account_card(scorecard(con, PERIOD), "E500") is None


class TestTierHistory:
    def test_quarters_within_stored_history(self, con) -> None:
        """Stored 2025-01 … 2025-04: the last quarter is 2025 Q2 (April only); of the four
        quarters ending there, only 2025 Q1 and Q2 hold stored months."""
        quarters = history_quarters(con, PERIOD)
        assert [(start, stored) for start, stored in quarters] == [
            (date(2025, 1, 1), Period(start=date(2025, 1, 1), end=date(2025, 3, 1))),
            (date(2025, 4, 1), Period(start=APR, end=APR)),
        ]

    def test_each_quarter_matches_the_scorecard_of_that_quarter(self, con) -> None:
        history = tier_history(con, "A100", PERIOD)
        assert list(history["months"]) == [3, 1]
        for (_start, stored), (_, row) in zip(
            history_quarters(con, PERIOD), history.iterrows(), strict=True
        ):
            table = scorecard(con, stored, compare_to=comparisons(con, stored).prior).table
            expected = table.set_index("account").loc["A100"]
            assert row["score"] == pytest.approx(float(expected["score"]))
            assert row["tier"] == expected["tier"]
            assert row["n"] == len(table)

    def test_a_quarter_without_revenue_has_no_tier(self, con) -> None:
        """C300 buys in January and March (2025 Q1) but not in April (Q2)."""
        history = tier_history(con, "C300", PERIOD)
        assert history["tier"].notna().tolist() == [True, False]
        assert history["n"].tolist() == [3, 3]


class TestAlerts:
    def test_only_alerts_naming_the_account_act_first(self) -> None:
        alerts = [
            _alert("creep", ["A100"]),
            _alert("corridor", ["B200"]),
            _alert("group_share", ["B200", "A100"], "act"),
        ]
        assert [a.rule for a in alerts_for(alerts, "A100")] == ["group_share", "creep"]
        assert alerts_for(alerts, "Z999") == []


class TestDrilldown:
    def test_every_section_for_a_grouped_account(self, con) -> None:
        drill = account_drilldown(con, "A100", PERIOD)
        assert drill is not None
        assert drill.profile.key_account
        assert drill.group is not None and drill.group.group == "G"
        assert drill.products.top_share == pytest.approx(0.8)
        assert len(drill.rows) == 3
        assert drill.card is not None
        assert drill.segment is not None and drill.segment.segment == "strategic"
        assert drill.people is None, "no contacts file is stored"
        assert all("A100" in alert.accounts for alert in drill.alerts)

    def test_an_unknown_account_has_no_drilldown(self, con) -> None:
        assert account_drilldown(con, "Z999", PERIOD) is None


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    """The shipped demo exports of the last 18 months (the period and 6 months before)."""
    months = [f"{m:%Y-%m}" for m in (date(2025, 5, 1), DEMO_PERIOD.end)]
    paths = sorted(
        path
        for path in DEMO_DIR.iterdir()
        if path.suffix in (".csv", ".xlsx") and months[0] <= path.stem[-7:] <= months[1]
    )
    assert len(paths) == 18
    db = Database(tmp_path_factory.mktemp("demo") / "keystone.duckdb", lock_timeout_s=10)
    store_uploads(db, [prepare(path.name, path.read_bytes(), source="demo") for path in paths])
    connection = duckdb.connect(str(db.path), read_only=True)
    yield connection
    connection.close()


class TestDemo:
    def test_the_one_product_key_account(self, demo) -> None:
        drill = account_drilldown(demo, "C00617", DEMO_PERIOD)
        assert drill is not None
        assert drill.profile.key_account
        assert drill.products.top_product == "Gearbox"
        assert drill.products.top_share == pytest.approx(0.96, abs=0.02)
        assert drill.products.one_product

    def test_the_creeping_account_has_its_discount_alerts(self, demo) -> None:
        drill = account_drilldown(demo, "C00221", DEMO_PERIOD)
        assert drill is not None
        assert {"buys_nothing", "creep"} <= {alert.rule for alert in drill.alerts}
        rates = drill.trend["discount_rate"]
        assert rates.iloc[-1] - rates.iloc[0] > 0.05, "the rate climbs over the period"
        assert drill.figures.current.net_revenue == pytest.approx(drill.trend["net_revenue"].sum())
        assert drill.actions and all(a.segment == drill.profile.segment for a in drill.actions)

    def test_portfolio_alerts_name_stored_accounts(self, demo) -> None:
        keys = {
            row[0] for row in demo.sql("SELECT DISTINCT account_key FROM active_rows").fetchall()
        }
        alerts = portfolio_alerts(demo, DEMO_PERIOD)
        assert alerts
        for alert in alerts:
            assert set(alert.accounts) <= keys, alert.rule
