"""The whale curve: where gross profit comes from, and which accounts give it back.

Accounts (or groups) with cost data are ranked by gross profit, highest first; the curve is
cumulative profit over total profit against the share of accounts ranked so far. It peaks
above 100% when some accounts lose money, and falls back to 100% at the end.
"""

from __future__ import annotations

import duckdb
import pandas as pd
from pydantic import BaseModel, ConfigDict

from core.concentration_sql import By, Scope, nullable_ints, units_sql
from core.metrics import Period
from core.sql import arrow, fetch_one

_PROFIT_RANKED = """
    profit AS (
        SELECT key, name, parent_group, members, net_revenue, gross_profit,
               row_number() OVER (ORDER BY gross_profit DESC, key) AS rank,
               row_number() OVER (ORDER BY round(net_revenue, 4) DESC, key) AS revenue_rank,
               count(*) OVER () AS n,
               sum(gross_profit) OVER () AS total,
               sum(gross_profit) OVER (ORDER BY gross_profit DESC, key) AS cum
        FROM units WHERE cost_rows > 0
    )"""
"""Units with cost data in the period, ranked by gross profit; `total` is their profit."""


class WhaleSummary(BaseModel):
    """The whale curve in a few numbers."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    accounts: int
    """Units (accounts or groups) with cost data in the period: the curve's population."""
    total_profit: float
    """Their gross profit: where the curve ends (100%)."""
    peak: float | None
    """Highest cumulative profit / total profit, ≥ 1; None when total profit is not positive."""
    peak_k: int | None
    """How many units, most profitable first, reach the peak."""
    peak_share: float | None
    """peak_k / accounts."""
    negative_accounts: int
    """Units whose gross profit is below zero."""
    negative_share: float
    """negative_accounts / accounts."""
    profit_destroyed: float
    """−Σ of the negative profits: what the loss makers give back (≥ 0)."""


def whale_curve_in(
    con: duckdb.DuckDBPyConnection, scope: Scope, period: Period, by: By
) -> pd.DataFrame:
    """whale_curve over a given scope."""
    head, params = scope.head({"current": period})
    return nullable_ints(
        arrow(
            con,
            f"""{head}, units AS ({units_sql(by)}), {_PROFIT_RANKED}
            SELECT 0 AS rank, 0.0 AS rank_share, 0.0 AS cum_profit,
                   CASE WHEN (SELECT any_value(total) FROM profit) > 0 THEN 0.0 END
                       AS cum_profit_share,
                   NULL::VARCHAR AS key, NULL::VARCHAR AS name, NULL::VARCHAR AS parent_group,
                   NULL::BIGINT AS members, NULL::DOUBLE AS net_revenue,
                   NULL::DOUBLE AS gross_profit, NULL::BIGINT AS revenue_rank
            WHERE EXISTS (SELECT 1 FROM profit)
            UNION ALL
            SELECT rank, rank / n, cum,
                   CASE WHEN total > 0 THEN (CASE WHEN rank = n THEN 1.0 ELSE cum / total END) END,
                   key, name, parent_group, members, net_revenue, gross_profit, revenue_rank
            FROM profit ORDER BY rank""",
            params,
        )
    )


def whale_curve(con: duckdb.DuckDBPyConnection, period: Period, by: By = "account") -> pd.DataFrame:
    """The whale curve: units ranked by gross profit against cumulative profit / total profit.

    Columns: rank (0 … n), rank_share = rank/n, cum_profit, cum_profit_share (None when total
    profit is not positive), key, name, parent_group, members, net_revenue, gross_profit and
    revenue_rank, so revenue leaders that are not profit leaders stand out. The first row is
    the origin. Only units with cost data count; empty when the period has none.
    """
    return whale_curve_in(con, Scope.scan(period), period, by)


def whale_summary_in(
    con: duckdb.DuckDBPyConnection, scope: Scope, period: Period, by: By
) -> WhaleSummary | None:
    """whale_summary over a given scope."""
    head, params = scope.head({"current": period})
    row = fetch_one(
        con,
        f"""{head}, units AS ({units_sql(by)}), {_PROFIT_RANKED}
            SELECT count(*)::INTEGER, coalesce(sum(gross_profit), 0),
                   CASE WHEN any_value(total) > 0
                        THEN greatest(max(cum) / any_value(total), 1.0) END,
                   CASE WHEN any_value(total) > 0 THEN (
                       SELECT min(rank) FROM profit WHERE cum >= (SELECT max(cum) FROM profit)
                   )::INTEGER END,
                   count(*) FILTER (WHERE gross_profit < 0)::INTEGER,
                   coalesce(-sum(gross_profit) FILTER (WHERE gross_profit < 0), 0)
            FROM profit""",
        params,
    )
    accounts, total, peak, peak_k, negative, destroyed = row
    if not accounts:
        return None
    return WhaleSummary(
        accounts=accounts,
        total_profit=total,
        peak=peak,
        peak_k=peak_k,
        peak_share=None if peak_k is None else peak_k / accounts,
        negative_accounts=negative,
        negative_share=negative / accounts,
        profit_destroyed=destroyed,
    )


def whale_summary(
    con: duckdb.DuckDBPyConnection, period: Period, by: By = "account"
) -> WhaleSummary | None:
    """Peak height, the loss makers and the profit they destroy; None without cost data."""
    return whale_summary_in(con, Scope.scan(period), period, by)
