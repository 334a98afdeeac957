"""The value scorecard (domain.md §6): five indicators as percentiles, a weighted score, tiers.

Scored accounts are those with positive net revenue in the period (the accounts PortfolioMetrics
counts). Rules, each tested in tests/core/test_scorecard.py:

- Percentiles are mid-rank, 0–100 within the period: an account's score on an indicator is
  100 · (accounts strictly below + (tied accounts − 1) / 2) / (n − 1), so tied values share
  the mean of the ranks they span, the best gets 100 and the worst 0; with one value, 50.
  Discount discipline ranks the concession degree the other way: the lowest degree gets 100.
- Missing data: an indicator no account of the period has (no cost data, no list prices, no
  product column, no prior period for growth) is dropped and its weight is shared among the
  others in proportion to their weights, so scores still span 0–100. An account missing an
  indicator that others have (no cost rows of its own, a new account without growth) gets the
  neutral 50 on it: neither rewarded nor punished for the gap.
- Score = Σ effective weight · percentile / 100, so the contributions (points) add up to it.
- Tiers: accounts ranked by score (equal scores share the better rank); with n accounts, rank
  r is platinum when r ≤ ⌈0.2 n⌉, gold when r ≤ ⌈0.5 n⌉, iron when r ≤ ⌈0.8 n⌉, else lead.
  Ties never split across tiers, so a tier may hold more than its share and the next fewer.
- Change: the score against the compared period (by default the same-length period just
  before); its driver is the indicator whose contribution moved most (ties: display order).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import pandas as pd

from core.concentration_sql import comparisons
from core.metrics import Period
from core.scorecard_sql import NEUTRAL, TIER_CUTS, TIERS, scorecard_sql, weight_params
from core.scorecard_weights import INDICATORS, Indicator, ScorecardWeights
from core.segments_base import SegmentsBase, base_for
from core.settings import get_settings
from core.sql import frame


@dataclass(frozen=True)
class Scorecard:
    """Every scored account of a period, with its indicators, contributions and tier."""

    period: Period | None
    """The period clipped to stored months; None when no stored month falls in it."""
    compared_to: Period | None
    """The period the change is measured against; None when it is not available."""
    weights: ScorecardWeights
    """The weights asked for."""
    effective_weights: dict[Indicator, float]
    """The weights applied in the period after sharing out those of missing indicators."""
    missing: list[Indicator]
    """Indicators no account of the period has; their weight went to the others."""
    table: pd.DataFrame = field(repr=False)
    """One row per scored account, best first. Columns: account, name, segment; the values
    revenue, margin, growth (relative to the prior period), discount (concession degree) and
    breadth (products); {indicator}_pct (0–100), {indicator}_weight, {indicator}_points
    (contribution); gross_profit and costed_net (net revenue of the rows with cost); score
    (0–100), rank (1 = best, ties share), n, tier; prior_score,
    prior_tier, score_change, {indicator}_change (contribution change) and driver (the
    indicator that moved most), NULL for an account not scored in the compared period."""
    compared_table: pd.DataFrame = field(repr=False)
    """The compared period's cards (same columns up to tier); empty without that period."""

    def contributions(self) -> pd.DataFrame:
        """Per account and indicator: percentile, effective weight and points, in long form."""
        parts = [
            self.table[["account", "name", "score", "tier"]].assign(
                indicator=name,
                pct=self.table[f"{name}_pct"],
                weight=self.table[f"{name}_weight"],
                points=self.table[f"{name}_points"],
            )
            for name in INDICATORS
        ]
        return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


CARD_COLUMNS = (
    "account",
    "name",
    "segment",
    *INDICATORS,
    *(f"{name}_pct" for name in INDICATORS),
    *(f"{name}_weight" for name in INDICATORS),
    *(f"{name}_points" for name in INDICATORS),
    "gross_profit",
    "costed_net",
    "score",
    "rank",
    "n",
    "tier",
)
"""The columns of Scorecard.compared_table, and the first ones of Scorecard.table."""

CHANGE_COLUMNS = (
    "prior_score",
    "prior_tier",
    "score_change",
    *(f"{name}_change" for name in INDICATORS),
    "driver",
)
"""The columns Scorecard.table adds after CARD_COLUMNS."""


def _empty(weights: ScorecardWeights) -> Scorecard:
    return Scorecard(
        None,
        None,
        weights,
        dict.fromkeys(INDICATORS, 0.0),
        [],
        pd.DataFrame(columns=[*CARD_COLUMNS, *CHANGE_COLUMNS]),
        pd.DataFrame(columns=list(CARD_COLUMNS)),
    )


def scorecard(
    con: duckdb.DuckDBPyConnection,
    period: Period,
    weights: ScorecardWeights | None = None,
    compare_to: Period | None = None,
    base: SegmentsBase | None = None,
) -> Scorecard:
    """The scorecard of the period, and the change since `compare_to` (default: the prior
    period of the same length, when stored history covers it). Weights default to settings;
    `base` (optional, core.segments_base) holds the sums already read."""
    weights = weights or get_settings().scorecard
    compared = comparisons(con, period)
    if compared.current is None:
        return _empty(weights)
    other = compare_to or compared.prior
    periods: dict[str, Period] = {"current": compared.current}
    bases: dict[str, str] = {}
    if compared.prior is not None:
        if compared.prior == other:
            bases["current"] = "compare"
        else:
            periods["base_current"], bases["current"] = compared.prior, "base_current"
    scored: tuple[str, ...] = ("current",)
    if other is not None:
        periods["compare"] = other
        scored = ("current", "compare")
        other_base = comparisons(con, other).prior
        if other_base is not None:
            periods["base_compare"], bases["compare"] = other_base, "base_compare"
    base = base_for(con, base, periods.values())
    sums, params = base.sums_sql(periods)
    with base.view(con):
        cards = frame(con, scorecard_sql(sums, scored, bases), {**params, **weight_params(weights)})
    now = cards["bucket"] == "current"
    table = cards[now].drop(columns="bucket").reset_index(drop=True)
    compared_table = cards.loc[~now, list(CARD_COLUMNS)].reset_index(drop=True)
    effective: dict[Indicator, float] = {
        name: float(table[f"{name}_weight"].iloc[0]) if len(table) else 0.0 for name in INDICATORS
    }
    missing = [name for name in INDICATORS if len(table) and table[f"{name}_pct"].isna().all()]
    return Scorecard(
        period=compared.current,
        compared_to=other if len(compared_table) else None,
        weights=weights,
        effective_weights=effective,
        missing=missing,
        table=table,
        compared_table=compared_table,
    )


__all__ = [
    "CARD_COLUMNS",
    "CHANGE_COLUMNS",
    "INDICATORS",
    "NEUTRAL",
    "TIERS",
    "TIER_CUTS",
    "Indicator",
    "Scorecard",
    "ScorecardWeights",
    "scorecard",
]
