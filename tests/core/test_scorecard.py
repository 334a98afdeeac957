"""The value scorecard: weights, percentiles with ties, missing data, scores and their change."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from core.metrics import Period
from core.scorecard import CARD_COLUMNS, CHANGE_COLUMNS, INDICATORS, ScorecardWeights, scorecard
from core.settings import get_settings
from tests.core.segments_reference import Row, close, pandas_scorecard, portfolio, stored_rows

FEB = Period(start=date(2024, 2, 1), end=date(2024, 2, 1))
REVENUE_ONLY = ScorecardWeights(revenue=100, margin=0, growth=0, discount=0, breadth=0)


def listed(net: float, rate: float) -> dict[str, float]:
    """List revenue and discount for a row of net revenue `net` at discount `rate`."""
    gross = net / (1 - rate)
    return {"list_revenue": gross, "discount": gross - net}


def cards(rows: list[Row], period: Period = FEB, **options) -> pd.DataFrame:
    return scorecard(portfolio(rows), period, **options).table.set_index("account")


class TestWeights:
    def test_defaults(self) -> None:
        assert ScorecardWeights().as_dict() == {
            "revenue": 30,
            "margin": 25,
            "growth": 20,
            "discount": 15,
            "breadth": 10,
        }

    def test_weights_not_summing_to_100_are_rejected(self) -> None:
        with pytest.raises(
            ValidationError,
            match=r"scorecard weights must sum to 100, not 110 \(revenue 40, margin 25",
        ):
            ScorecardWeights(revenue=40)

    def test_negative_or_unknown_weights_are_rejected(self) -> None:
        with pytest.raises(ValidationError, match="greater than or equal to 0"):
            ScorecardWeights(revenue=-10, margin=65)
        with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
            ScorecardWeights(loyalty=5)  # type: ignore[call-arg]

    def test_from_the_environment(self, monkeypatch) -> None:
        monkeypatch.setenv("KEYSTONE_SCORECARD__REVENUE", "40")
        monkeypatch.setenv("KEYSTONE_SCORECARD__MARGIN", "15")
        assert get_settings().scorecard.as_dict()["revenue"] == 40
        monkeypatch.setenv("KEYSTONE_SCORECARD__MARGIN", "25")
        with pytest.raises(ValidationError, match="scorecard weights must sum to 100, not 110"):
            get_settings()


class TestPercentiles:
    def test_ties_share_their_mean_rank(self) -> None:
        # Revenue 10, 20, 20, 40, 50 among n = 5: below-counts 0, 1, 1, 3, 4; the tied pair
        # spans ranks 2 and 3, so (1 + 0.5) / 4 = 37.5; then 3 / 4 = 75 and 4 / 4 = 100.
        revenue = {"A": 10, "B": 20, "C": 20, "D": 40, "E": 50}
        table = cards(
            [Row("2024-02", key, "other", net) for key, net in revenue.items()],
            weights=REVENUE_ONLY,
        )
        assert table["revenue_pct"].to_dict() == pytest.approx(
            {"A": 0, "B": 37.5, "C": 37.5, "D": 75, "E": 100}
        )
        assert table["score"].to_dict() == pytest.approx(table["revenue_pct"].to_dict())

    def test_all_equal_is_neutral_and_one_account_is_50(self) -> None:
        same = cards([Row("2024-02", key, "other", 10) for key in "ABC"], weights=REVENUE_ONLY)
        assert list(same["revenue_pct"]) == [50, 50, 50]
        alone = cards([Row("2024-02", "A", "other", 10)], weights=REVENUE_ONLY)
        assert alone.loc["A", "score"] == 50 and alone.loc["A", "tier"] == "platinum"

    def test_float_noise_does_not_break_a_tie(self) -> None:
        # A's 0.1 + 0.2 sums to 0.30000000000000004, B's is 0.3: still a tie, (0 + 0.5) / 2.
        rows = [Row("2024-02", "A", "other", 0.1), Row("2024-02", "A", "other", 0.2)]
        rows += [Row("2024-02", "B", "other", 0.3), Row("2024-02", "C", "other", 1.0)]
        table = cards(rows, weights=REVENUE_ONLY)
        assert table["revenue_pct"].to_dict() == pytest.approx({"A": 25, "B": 25, "C": 100})
        # Tied on rank 2 of 3: both gold (rank 2 <= ⌈1.5⌉).
        assert table.loc["A", "tier"] == table.loc["B", "tier"] == "gold"

    def test_nonpositive_accounts_are_not_scored(self) -> None:
        table = cards(
            [Row("2024-02", "A", "other", 10), Row("2024-02", "B", "other", -5)],
            weights=REVENUE_ONLY,
        )
        assert list(table.index) == ["A"]


# February, with January as the prior period (December is not stored: January has no growth).
#   A: 400 over two products, cost 200 (margin .5), concession .2; January 200 -> growth 1.0
#   B: 300, one product, cost 240 (margin .2), concession 30/330;  January 300 -> growth 0
#   C: 200 over three products, no cost, no concession; no January: a new account
#   D: 100, one product, cost 70 (margin .3), no list prices;      January 200 -> growth −.5
HAND = [
    Row("2024-02", "A", "strategic", 200, cost=100, product="p1", **listed(200, 0.2)),
    Row("2024-02", "A", "strategic", 200, cost=100, product="p2", **listed(200, 0.2)),
    Row("2024-02", "B", "intrinsic", 300, cost=240, product="p1", list_revenue=330, discount=30),
    Row("2024-02", "C", "extrinsic", 100, product="p1", list_revenue=100, discount=0),
    Row("2024-02", "C", "extrinsic", 50, product="p2", list_revenue=50, discount=0),
    Row("2024-02", "C", "extrinsic", 50, product="p3", list_revenue=50, discount=0),
    Row("2024-02", "D", "other", 100, cost=70, product="p2"),
    Row("2024-01", "A", "strategic", 200),
    Row("2024-01", "B", "intrinsic", 300),
    Row("2024-01", "D", "other", 200),
]


class TestHandWorkedScorecard:
    def test_indicator_values(self) -> None:
        table = cards(HAND)
        assert table.loc["A", "margin"] == pytest.approx(0.5)
        assert table.loc["A", "discount"] == pytest.approx(0.2)
        assert table.loc["B", "discount"] == pytest.approx(30 / 330)
        assert table.loc["A", "growth"] == pytest.approx(1.0)
        assert table.loc["D", "growth"] == pytest.approx(-0.5)
        assert pd.isna(table.loc["C", "growth"]) and pd.isna(table.loc["C", "margin"])
        assert table["breadth"].to_dict() == {"A": 2, "B": 1, "C": 3, "D": 1}

    def test_percentiles_with_gaps_and_direction(self) -> None:
        table = cards(HAND)
        # Revenue 400 > 300 > 200 > 100.
        assert table["revenue_pct"].to_dict() == pytest.approx(
            {"A": 100, "B": 200 / 3, "C": 100 / 3, "D": 0}
        )
        # Margin among A .5, D .3, B .2; C has no cost: the neutral 50.
        assert table["margin_pct"].to_dict() == pytest.approx({"A": 100, "B": 0, "C": 50, "D": 50})
        # Growth among A 1, B 0, D −.5; C is new: 50.
        assert table["growth_pct"].to_dict() == pytest.approx({"A": 100, "B": 50, "C": 50, "D": 0})
        # Lower concession scores higher: C 0 -> 100, B .09 -> 50, A .2 -> 0; D no list: 50.
        assert table["discount_pct"].to_dict() == pytest.approx(
            {"A": 0, "B": 50, "C": 100, "D": 50}
        )
        # Breadth: B and D tie at 1 product -> (0 + 0.5) / 3; A 2 -> 2 / 3; C 3 -> 1.
        assert table["breadth_pct"].to_dict() == pytest.approx(
            {"A": 200 / 3, "B": 50 / 3, "C": 100, "D": 50 / 3}
        )

    def test_scores_contributions_and_tiers(self) -> None:
        table = cards(HAND)
        # A: .30·100 + .25·100 + .20·100 + .15·0 + .10·66.7 = 81.67
        # B: .30·66.7 + .25·0 + .20·50 + .15·50 + .10·16.7 = 39.17
        # C: .30·33.3 + .25·50 + .20·50 + .15·100 + .10·100 = 57.5
        # D: .30·0 + .25·50 + .20·0 + .15·50 + .10·16.7 = 21.67
        assert table["score"].to_dict() == pytest.approx(
            {"A": 30 + 25 + 20 + 20 / 3, "B": 20 + 10 + 7.5 + 5 / 3, "C": 57.5, "D": 20 + 5 / 3}
        )
        points = table[[f"{name}_points" for name in INDICATORS]].sum(axis=1)
        assert points.to_dict() == pytest.approx(table["score"].to_dict())
        assert table.loc["A", "margin_points"] == pytest.approx(25)
        # n = 4: platinum rank <= ⌈0.8⌉ = 1, gold <= ⌈2⌉ = 2, iron <= ⌈3.2⌉ = 4: no lead.
        assert table["tier"].to_dict() == {"A": "platinum", "C": "gold", "B": "iron", "D": "iron"}
        assert list(table.index) == ["A", "C", "B", "D"]

    def test_an_indicator_nobody_has_gives_its_weight_to_the_others(self) -> None:
        # January alone: no prior (growth), no cost, no list prices, no products: revenue only.
        card = scorecard(portfolio(HAND), Period(start=date(2024, 1, 1), end=date(2024, 1, 1)))
        assert card.missing == ["margin", "growth", "discount", "breadth"]
        assert card.effective_weights == {
            "revenue": 100,
            "margin": 0,
            "growth": 0,
            "discount": 0,
            "breadth": 0,
        }
        table = card.table.set_index("account")
        # B 300 -> 100; A and D tie at 200 -> 25 each.
        assert table["score"].to_dict() == pytest.approx({"B": 100, "A": 25, "D": 25})
        # n = 3, ties share rank 2: B platinum (⌈0.6⌉ = 1), A and D gold (⌈1.5⌉ = 2).
        assert table["tier"].to_dict() == {"B": "platinum", "A": "gold", "D": "gold"}

    def test_shared_weights_are_proportional(self) -> None:
        # No product column in February: breadth's 10 spread over 90 -> × 100/90.
        rows = [
            Row(r.month, r.account, r.segment, r.net, r.cost, r.list_revenue, r.discount)
            for r in HAND
        ]
        card = scorecard(portfolio(rows), FEB)
        assert card.missing == ["breadth"]
        assert card.effective_weights["revenue"] == pytest.approx(30 * 100 / 90)
        assert sum(card.effective_weights.values()) == pytest.approx(100)

    def test_change_since_the_prior_period_and_its_driver(self) -> None:
        card = scorecard(portfolio(HAND), FEB)
        assert card.compared_to == Period(start=date(2024, 1, 1), end=date(2024, 1, 1))
        table = card.table.set_index("account")
        # A: 81.67 now against 25 in January (revenue only then).
        assert table.loc["A", "prior_score"] == pytest.approx(25)
        assert table.loc["A", "score_change"] == pytest.approx(30 + 25 + 20 + 20 / 3 - 25)
        # Its contributions moved: revenue +5, margin +25, growth +20, discount 0, breadth +6.7.
        assert table.loc["A", "revenue_change"] == pytest.approx(5)
        assert table.loc["A", "driver"] == "margin"
        # B: revenue 100 -> 20 points is the largest move (−80).
        assert table.loc["B", "driver"] == "revenue"
        assert pd.isna(table.loc["C", "prior_score"]) and pd.isna(table.loc["C", "driver"])

    def test_columns_with_and_without_data(self) -> None:
        card = scorecard(portfolio(HAND), FEB)
        assert list(card.table.columns) == [*CARD_COLUMNS, *CHANGE_COLUMNS]
        assert list(card.compared_table.columns) == list(CARD_COLUMNS)
        empty = scorecard(portfolio(HAND), Period(start=date(2030, 1, 1)))
        assert empty.period is None and empty.table.empty
        assert list(empty.table.columns) == [*CARD_COLUMNS, *CHANGE_COLUMNS]

    def test_contributions_in_long_form(self) -> None:
        long = scorecard(portfolio(HAND), FEB).contributions()
        assert len(long) == 4 * len(INDICATORS)
        a = long[long["account"] == "A"].set_index("indicator")
        assert a.loc["margin", "points"] == pytest.approx(25)
        assert a.loc["discount", "pct"] == pytest.approx(0)
        assert a["points"].sum() == pytest.approx(a["score"].iloc[0])

    def test_weights_change_the_ranking(self) -> None:
        table = cards(HAND, weights=REVENUE_ONLY)
        assert list(table.index) == ["A", "B", "C", "D"]


class TestAgainstPandas:
    def test_generated_portfolio(self) -> None:
        """Sixty accounts over two months with gaps in cost, list and product data."""
        generator = np.random.default_rng(7)
        rows = []
        for index in range(60):
            key = f"A{index:02d}"
            for number, month in enumerate(("2024-01", "2024-02")):
                if generator.random() < 0.1:
                    continue  # a month without this account: new or lost
                for _ in range(int(generator.integers(1, 4))):
                    net = float(generator.choice([100, 200, 300, 500, 800, -50]))
                    rows.append(
                        Row(
                            month,
                            key,
                            "other",
                            net,
                            cost=net * 0.7 if index % 7 else None,
                            list_revenue=net * 1.1 if index % 5 else None,
                            discount=net * 0.1 + number * index if index % 5 else None,
                            product=f"p{generator.integers(0, 6)}" if index % 9 else None,
                        )
                    )
        con = portfolio(rows)
        weights = ScorecardWeights()
        table = scorecard(con, FEB, weights).table.set_index("account")
        expected = pandas_scorecard(
            stored_rows(con), date(2024, 2, 1), date(2024, 1, 1), weights.as_dict()
        )
        assert set(table.index) == set(expected.index)
        for account in expected.index:
            for column in ("score", *(f"{name}_pct" for name in INDICATORS)):
                assert close(table.loc[account, column], expected.loc[account, column], 1e-9), (
                    account,
                    column,
                )
