"""The pyramid from a scorecard: tier totals, tier migration between two periods, and the
revenue-only key-account list against the scorecard (domain.md §5, mistake 1, and §6).

Each function reads a core.scorecard.Scorecard through DuckDB, so the figures come from SQL
like every other; the scorecard's tables hold at most one row per account.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

import duckdb
import pandas as pd

from core.scorecard import Scorecard
from core.scorecard_sql import NEUTRAL, TIERS
from core.scorecard_weights import INDICATORS
from core.sql import frame, registered

NEW, LOST = "new", "lost"
"""Migration ends outside the portfolio: not scored in the earlier, or in the later period."""

_TIER_RANK = "list_position(['" + "', '".join((NEW, *TIERS, LOST)) + "'], {column})"

_SUMMARY_SQL = f"""
    WITH tiers AS (SELECT unnest(['{"', '".join(TIERS)}']) AS tier)
    SELECT t.tier, count(c.account) AS accounts,
           coalesce(sum(c.revenue), 0) AS net_revenue,
           coalesce(sum(c.revenue), 0) / nullif(sum(sum(c.revenue)) OVER (), 0) AS revenue_share,
           sum(c.gross_profit) / nullif(sum(c.costed_net), 0) AS margin,
           min(c.score) AS min_score, max(c.score) AS max_score
    FROM tiers AS t LEFT JOIN keystone_now AS c USING (tier)
    GROUP BY t.tier ORDER BY {_TIER_RANK.format(column="t.tier")}"""


def tier_summary(con: duckdb.DuckDBPyConnection, card: Scorecard) -> pd.DataFrame:
    """Per tier (platinum, gold, iron, lead, every one listed): accounts, net_revenue,
    revenue_share, margin (gross profit over the revenue of rows with cost), min and max score."""
    columns = ["account", "tier", "revenue", "gross_profit", "costed_net", "score"]
    with registered(con, "keystone_now", _arrow(card.table[columns])):
        return frame(con, _SUMMARY_SQL)


_MIGRATION_SQL = f"""
    SELECT * FROM (
        SELECT coalesce(p.tier, '{NEW}') AS tier_from, coalesce(c.tier, '{LOST}') AS tier_to,
               count(*) AS accounts,
               coalesce(sum(p.revenue), 0) AS revenue_from,
               coalesce(sum(c.revenue), 0) AS revenue_to
        FROM keystone_then AS p FULL JOIN keystone_now AS c USING (account)
        GROUP BY 1, 2
    )
    ORDER BY {_TIER_RANK.format(column="tier_from")}, {_TIER_RANK.format(column="tier_to")}"""


def tier_migration(con: duckdb.DuckDBPyConnection, card: Scorecard) -> pd.DataFrame:
    """Accounts and revenue moving between tiers from the compared period to the period.

    One row per (tier_from, tier_to) that holds an account: tier_from is 'new' for an account
    not scored then, tier_to 'lost' for one not scored now. Columns: tier_from, tier_to,
    accounts, revenue_from (its revenue then), revenue_to (now). Every account of either
    period is in exactly one row, so the counts per tier_from are the compared period's tiers
    (plus the new ones) and per tier_to the period's (plus the lost ones). Empty when the
    scorecard has no compared period.
    """
    if card.compared_to is None:
        return pd.DataFrame(
            columns=["tier_from", "tier_to", "accounts", "revenue_from", "revenue_to"]
        )
    with (
        registered(con, "keystone_now", _arrow(card.table[["account", "tier", "revenue"]])),
        registered(
            con, "keystone_then", _arrow(card.compared_table[["account", "tier", "revenue"]])
        ),
    ):
        return frame(con, _MIGRATION_SQL)


REVENUE_TOP_SHARE: Final = 0.2
"""The revenue-only key-account list: the top ⌈0.2 n⌉ accounts by net revenue."""

_DEVIATIONS = " UNION ALL ".join(
    f"SELECT account, '{name}' AS indicator, {name}_weight * ({name}_pct - {NEUTRAL}) / 100 "
    f"AS pull FROM keystone_now WHERE {name}_pct IS NOT NULL"
    for name in INDICATORS
)

_VERSUS_SQL = f"""
    WITH ranked AS (
        -- Rounded: equal revenues whose float sums differ in the last digit rank by account.
        SELECT *, row_number() OVER (ORDER BY round(revenue, 4) DESC, account) AS revenue_rank,
               count(*) OVER () AS total
        FROM keystone_now
    ),
    marked AS (
        SELECT *, revenue_rank <= ceil({REVENUE_TOP_SHARE} * total) AS revenue_top,
               tier = 'platinum' AS scorecard_top
        FROM ranked
    ),
    pulls AS (
        SELECT account,
               list(indicator ORDER BY pull DESC) FILTER (WHERE pull > 0) AS pulled_up,
               list(indicator ORDER BY pull) FILTER (WHERE pull < 0) AS pulled_down,
               arg_max(indicator, pull) FILTER (WHERE pull > 0) AS strongest_up,
               arg_min(indicator, pull) FILTER (WHERE pull < 0) AS strongest_down
        FROM ({_DEVIATIONS}) GROUP BY account
    )
    SELECT m.account, m.name, m.segment, m.revenue, m.revenue_rank, m.score, m.rank, m.tier,
           m.revenue_top, m.scorecard_top,
           CASE WHEN m.revenue_top AND m.scorecard_top THEN 'both'
                WHEN m.revenue_top THEN 'revenue_only' ELSE 'scorecard_only' END AS side,
           coalesce(p.pulled_up, []) AS pulled_up, coalesce(p.pulled_down, []) AS pulled_down,
           CASE WHEN m.scorecard_top THEN p.strongest_up ELSE p.strongest_down END AS why
    FROM marked AS m LEFT JOIN pulls AS p USING (account)
    WHERE m.revenue_top OR m.scorecard_top
    ORDER BY m.revenue_rank"""


@dataclass(frozen=True)
class RevenueVersusScorecard:
    """The revenue-only top 20% against the scorecard's platinum tier (the same nominal size,
    ⌈0.2 n⌉, so the overlap compares like with like)."""

    revenue_top: int
    """Accounts on the revenue-only list: ⌈0.2 n⌉ of the n scored."""
    scorecard_top: int
    """Platinum accounts (more than ⌈0.2 n⌉ only when scores tie at the cut)."""
    overlap: int
    """Accounts on both lists."""
    overlap_share: float | None
    """overlap / revenue_top; None without scored accounts."""
    accounts: pd.DataFrame = field(repr=False)
    """Every account on either list, by revenue rank. Columns: account, name, segment,
    revenue, revenue_rank, score, rank, tier, revenue_top, scorecard_top, side ('both',
    'revenue_only': volume the scorecard does not rate, 'scorecard_only': value beyond
    volume), pulled_up and pulled_down (indicators whose contribution is above or below the
    neutral 50, strongest first) and why (for a platinum account its strongest pull up, for
    the others its strongest pull down)."""

    def disagreements(self) -> pd.DataFrame:
        """The accounts on one list only."""
        return self.accounts[self.accounts["side"] != "both"]


def revenue_versus_scorecard(
    con: duckdb.DuckDBPyConnection, card: Scorecard
) -> RevenueVersusScorecard:
    """Where the revenue-only key-account list and the scorecard disagree, and why."""
    with registered(con, "keystone_now", _arrow(card.table)):
        accounts = frame(con, _VERSUS_SQL)
    revenue_top = int(accounts["revenue_top"].sum())
    overlap = int((accounts["side"] == "both").sum())
    return RevenueVersusScorecard(
        revenue_top=revenue_top,
        scorecard_top=int(accounts["scorecard_top"].sum()),
        overlap=overlap,
        overlap_share=overlap / revenue_top if revenue_top else None,
        accounts=accounts,
    )


def _arrow(table: pd.DataFrame):
    import pyarrow as pa

    return pa.Table.from_pandas(table, preserve_index=False)


__all__ = [
    "LOST",
    "NEW",
    "REVENUE_TOP_SHARE",
    "RevenueVersusScorecard",
    "revenue_versus_scorecard",
    "tier_migration",
    "tier_summary",
]
