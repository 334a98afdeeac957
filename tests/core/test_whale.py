"""The whale curve on profit sets small enough to check by hand."""

from __future__ import annotations

from datetime import date

import pytest

from core.metrics import Period
from core.whale import whale_curve, whale_summary
from tests.core.concentration_reference import portfolio

ALL = Period()
# Profits 60, 50, −10 (D has no cost data): cumulative 60, 110, 100 of a total of 100.
ROWS = (
    ("2024-01", "A", 100, 60),
    ("2024-01", "B", 300, 50),
    ("2024-01", "C", 500, -10),
    ("2024-01", "D", 900),
)


class TestWhaleSummary:
    def test_by_hand(self) -> None:
        summary = whale_summary(portfolio(ROWS), ALL)
        assert summary is not None
        assert summary.accounts == 3
        assert summary.total_profit == pytest.approx(100)
        assert summary.peak == pytest.approx(1.1)
        assert (summary.peak_k, summary.negative_accounts) == (2, 1)
        assert summary.peak_share == pytest.approx(2 / 3)
        assert summary.negative_share == pytest.approx(1 / 3)
        assert summary.profit_destroyed == pytest.approx(10)

    def test_no_loss_makers_peaks_at_one(self) -> None:
        summary = whale_summary(portfolio([("2024-01", "A", 10, 3), ("2024-01", "B", 10, 1)]), ALL)
        assert summary is not None
        assert summary.peak == pytest.approx(1)
        assert (summary.negative_accounts, summary.profit_destroyed) == (0, 0)

    def test_none_without_cost_data(self) -> None:
        con = portfolio([("2024-01", "A", 10), ("2024-02", "B", 5, 1)])
        assert whale_summary(con, Period(end=date(2024, 1, 1))) is None
        assert whale_curve(con, Period(end=date(2024, 1, 1))).empty

    def test_a_portfolio_that_loses_money_has_no_peak(self) -> None:
        summary = whale_summary(portfolio([("2024-01", "A", 10, 5), ("2024-01", "B", 10, -8)]), ALL)
        assert summary is not None
        assert summary.peak is None and summary.peak_k is None
        assert summary.total_profit == pytest.approx(-3)
        assert summary.profit_destroyed == pytest.approx(8)

    def test_groups_pool_their_members_profit(self) -> None:
        con = portfolio(
            [("2024-01", "A", 10, 5, "G"), ("2024-01", "B", 10, -2, "G"), ("2024-01", "C", 10, -1)]
        )
        summary = whale_summary(con, ALL, by="group")
        assert summary is not None
        assert (summary.accounts, summary.negative_accounts) == (2, 1)
        assert summary.peak == pytest.approx(3 / 2)


class TestWhaleCurve:
    def test_points_by_hand(self) -> None:
        curve = whale_curve(portfolio(ROWS), ALL)
        assert curve["rank"].tolist() == [0, 1, 2, 3]
        assert curve["rank_share"].tolist() == pytest.approx([0, 1 / 3, 2 / 3, 1])
        assert curve["cum_profit_share"].tolist() == pytest.approx([0, 0.6, 1.1, 1.0])
        assert curve["key"].tolist()[1:] == ["A", "B", "C"]

    def test_revenue_rank_shows_revenue_leaders_that_lose_profit(self) -> None:
        curve = whale_curve(portfolio(ROWS), ALL).set_index("key")
        assert curve.loc["C", "revenue_rank"] == 1  # largest revenue, last on profit
        assert curve.loc["C", "rank"] == 3
