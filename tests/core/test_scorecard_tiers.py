"""Pyramid tiers: cut points, migration between periods, and revenue-only against the scorecard."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.metrics import Period
from core.scorecard import TIERS, ScorecardWeights, scorecard
from core.scorecard_tiers import revenue_versus_scorecard, tier_migration, tier_summary
from tests.core.segments_reference import Row, portfolio
from tests.core.test_scorecard import FEB, HAND, REVENUE_ONLY, listed

JAN = Period(start=date(2024, 1, 1), end=date(2024, 1, 1))


def tiers(revenues: list[float]) -> list[str]:
    """Tiers, best first, of accounts scored on revenue alone."""
    rows = [Row("2024-02", f"K{i:02d}", "other", net) for i, net in enumerate(revenues)]
    table = scorecard(portfolio(rows), FEB, REVENUE_ONLY).table
    return list(table["tier"])


class TestCutPoints:
    def test_ten_accounts(self) -> None:
        # ⌈2⌉ = 2 platinum, ⌈5⌉ = 5 gold or better, ⌈8⌉ = 8 iron or better, 2 lead.
        assert (
            tiers([100 - i for i in range(10)])
            == ["platinum"] * 2 + ["gold"] * 3 + ["iron"] * 3 + ["lead"] * 2
        )

    def test_five_accounts(self) -> None:
        # ⌈1⌉ = 1, ⌈2.5⌉ = 3, ⌈4⌉ = 4: one platinum, two gold, one iron, one lead.
        assert tiers([50, 40, 30, 20, 10]) == ["platinum", "gold", "gold", "iron", "lead"]

    def test_small_portfolios(self) -> None:
        assert tiers([10]) == ["platinum"]
        # n = 2: ⌈0.4⌉ = 1 platinum; ⌈1⌉ = 1 leaves gold empty; ⌈1.6⌉ = 2: iron.
        assert tiers([20, 10]) == ["platinum", "iron"]
        # n = 3: ⌈0.6⌉ = 1, ⌈1.5⌉ = 2, ⌈2.4⌉ = 3.
        assert tiers([30, 20, 10]) == ["platinum", "gold", "iron"]

    def test_ties_at_a_cut_stay_together(self) -> None:
        # Two accounts tie for first: both platinum (rank 1 <= ⌈1⌉), none is split off.
        assert tiers([50, 50, 30, 20, 10]) == ["platinum", "platinum", "gold", "iron", "lead"]
        # A tie on ranks 2-3 straddles no cut; a tie on ranks 4-5 is both iron (rank 4 <= 4).
        assert tiers([50, 40, 40, 20, 20]) == ["platinum", "gold", "gold", "iron", "iron"]

    def test_summary_lists_every_tier(self) -> None:
        con = portfolio([Row("2024-02", f"K{i}", "other", 100 - i) for i in range(5)])
        summary = tier_summary(con, scorecard(con, FEB, REVENUE_ONLY))
        assert list(summary["tier"]) == list(TIERS)
        assert list(summary["accounts"]) == [1, 2, 1, 1]
        assert list(summary["net_revenue"]) == [100, 99 + 98, 97, 96]
        assert summary["revenue_share"].sum() == pytest.approx(1)


class TestMigration:
    def test_hand_worked(self) -> None:
        # January (revenue only): B platinum, A and D gold (tied). February: A platinum,
        # C gold (new), B and D iron. See test_scorecard for both periods' scores.
        con = portfolio(HAND)
        migration = tier_migration(con, scorecard(con, FEB))
        moves = {
            (row.tier_from, row.tier_to): (row.accounts, row.revenue_from, row.revenue_to)
            for row in migration.itertuples()
        }
        assert moves == {
            ("new", "gold"): (1, 0, 200),
            ("platinum", "iron"): (1, 300, 300),
            ("gold", "platinum"): (1, 200, 400),
            ("gold", "iron"): (1, 200, 100),
        }
        assert list(migration["tier_from"]) == ["new", "platinum", "gold", "gold"]

    def test_lost_accounts_leave_the_portfolio(self) -> None:
        rows = [Row("2024-01", "A", "other", 10), Row("2024-01", "B", "other", 20)]
        rows.append(Row("2024-02", "B", "other", 30))
        con = portfolio(rows)
        migration = tier_migration(con, scorecard(con, FEB, REVENUE_ONLY))
        lost = migration[migration["tier_to"] == "lost"]
        assert (lost["tier_from"].item(), lost["accounts"].item()) == ("iron", 1)
        assert lost["revenue_from"].item() == 10 and lost["revenue_to"].item() == 0

    def test_empty_without_a_compared_period(self) -> None:
        con = portfolio(HAND)
        assert tier_migration(con, scorecard(con, JAN)).empty


ACCOUNTS = [f"K{i}" for i in range(12)]
PORTFOLIOS = st.lists(
    st.tuples(
        st.sampled_from(["2024-01", "2024-02"]),
        st.sampled_from(ACCOUNTS),
        st.integers(-100, 1000),
        st.one_of(st.none(), st.integers(0, 900)),
        st.one_of(st.none(), st.sampled_from(["p1", "p2", "p3"])),
    ),
    min_size=1,
    max_size=40,
)


class TestProperties:
    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(rows=PORTFOLIOS)
    def test_tiers_partition_the_accounts_and_migration_conserves_them(self, rows) -> None:
        con = portfolio(
            [Row(m, a, "other", float(net), cost, product=p) for m, a, net, cost, p in rows]
        )
        card = scorecard(con, FEB, ScorecardWeights())
        table = card.table
        positive = {
            a
            for a in ACCOUNTS
            if sum(net for m, k, net, _, _ in rows if k == a and m == "2024-02") > 0
        }
        # Every account with positive revenue is scored once, in exactly one tier.
        assert sorted(table["account"]) == sorted(positive)
        assert set(table["tier"]) <= set(TIERS)
        summary = tier_summary(con, card)
        assert summary["accounts"].sum() == len(positive)
        # Tiers follow the ranking: a better rank never sits in a lower tier.
        order = {tier: index for index, tier in enumerate(TIERS)}
        ranked = table.sort_values("rank")
        assert list(ranked["tier"].map(order)) == sorted(ranked["tier"].map(order))
        if positive:
            assert table["tier"].iloc[0] == "platinum"
            assert 0 <= table["score"].min() and table["score"].max() <= 100 + 1e-9
        migration = tier_migration(con, card)
        if card.compared_to is None:
            return
        before = set(card.compared_table["account"])
        assert migration["accounts"].sum() == len(before | positive)
        arrived = migration[migration["tier_from"] != "new"]["accounts"].sum()
        assert arrived == len(before)
        stayed = migration[migration["tier_to"] != "lost"]["accounts"].sum()
        assert stayed == len(positive)


class TestRevenueVersusScorecard:
    # One month, no prior, no products: weights revenue 30, margin 25, discount 15 share the
    # 100 (× 100/70). Revenue V > W > X > Y > Z; margin and discipline W > X > Y > Z > V.
    #   V: 42.86 · 100% = 42.86 (big but thin and discounted)
    #   W: 42.86 · 75% + 35.71 + 21.43 = 89.29  -> the only platinum (⌈0.2 · 5⌉ = 1)
    ROWS = [
        Row("2024-02", key, "other", net, cost=net * (1 - margin), **listed(net, rate))
        for key, net, margin, rate in (
            ("V", 1000, 0.05, 0.30),
            ("W", 800, 0.40, 0.05),
            ("X", 600, 0.30, 0.10),
            ("Y", 400, 0.20, 0.20),
            ("Z", 200, 0.10, 0.25),
        )
    ]

    def test_disagreement_and_why(self) -> None:
        con = portfolio(self.ROWS)
        card = scorecard(con, FEB)
        assert card.table.set_index("account")["score"].to_dict() == pytest.approx(
            {
                "V": 30 / 0.7,
                "W": (30 * 0.75 + 25 + 15) / 0.7,
                "X": (30 * 0.5 + 25 * 0.75 + 15 * 0.75) / 0.7,
                "Y": (30 * 0.25 + 25 * 0.5 + 15 * 0.5) / 0.7,
                "Z": (25 * 0.25 + 15 * 0.25) / 0.7,
            }
        )
        versus = revenue_versus_scorecard(con, card)
        assert (versus.revenue_top, versus.scorecard_top, versus.overlap) == (1, 1, 0)
        assert versus.overlap_share == 0
        rows = versus.disagreements().set_index("account")
        assert rows.loc["V", "side"] == "revenue_only" and rows.loc["W", "side"] == "scorecard_only"
        # V's margin pull, 25/0.7 · (0 − 50)/100 = −17.9, beats its discount pull, −10.7.
        assert rows.loc["V", "why"] == "margin"
        assert list(rows.loc["V", "pulled_down"]) == ["margin", "discount"]
        assert list(rows.loc["V", "pulled_up"]) == ["revenue"]
        # W: margin +17.9 is its strongest pull up; nothing pulls it down.
        assert rows.loc["W", "why"] == "margin" and list(rows.loc["W", "pulled_down"]) == []

    def test_agreement(self) -> None:
        con = portfolio(self.ROWS)
        versus = revenue_versus_scorecard(con, scorecard(con, FEB, REVENUE_ONLY))
        assert (versus.overlap, versus.overlap_share) == (1, 1.0)
        assert versus.disagreements().empty
