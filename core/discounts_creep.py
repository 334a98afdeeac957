"""Discount creep, the discount that buys nothing, and the peer corridor (domain.md §3).

Creep compares an account's weighted rate over the last 3 months with the 3 months before and
fits a least-squares slope to its monthly rates over all 6. An account missing months uses the
months it has; revenue is compared per stored month of each window, so a month missing from
the whole store does not read as a revenue drop.
"""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from core.directory import DIRECTORY, NAME_SQL
from core.discounts_base import (
    ACCOUNTS,
    LATEST_SEGMENT,
    MONTHS,
    DiscountBase,
    base_for,
    creep_window,
    months_before,
    months_view,
    rate_sql,
)
from core.metrics import PERIOD_FILTER, Period
from core.sql import frame, scalar


class DiscountThresholds(BaseModel):
    """When a discount pattern counts; defaults follow issue 4 and domain.md §3."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    creep_points: float = Field(
        default=2.0,
        ge=0,
        description="Creep above this many percentage points (last 3 months against the 3 "
        "before) counts as rising.",
    )
    peer_quantile: float = Field(
        default=0.9, gt=0, lt=1, description="A rate above this quantile of its peers' rates."
    )
    revenue_bands: int = Field(
        default=5, ge=1, le=20, description="Revenue bands within a segment (5: quintiles)."
    )
    min_peers: int = Field(
        default=4, ge=1, description="Fewest peers in a band for the corridor to judge."
    )


def creep_end_month(
    con: duckdb.DuckDBPyConnection, period: Period, base: DiscountBase | None = None
) -> date | None:
    """The last stored month in the period: where the creep windows end."""
    if base is None or not base.answers(period):
        sql = f"SELECT max(month) FROM active_rows WHERE {PERIOD_FILTER}"
        return scalar(con, sql, period.params())
    with base.accounts_view(con) as view:
        return scalar(con, f"SELECT max(last_month) FROM {view}")


_CREEP_SQL = f"""
WITH windowed AS (
    SELECT *, month >= $split AS recent FROM {MONTHS} WHERE month BETWEEN $first AND $last
),
stored AS (
    SELECT count(DISTINCT month) FILTER (WHERE recent) AS months_last,
           count(DISTINCT month) FILTER (WHERE NOT recent) AS months_prior
    FROM windowed
),
accounts AS (
    -- A listed row of the months table is one account-month, so disc / list is its rate.
    SELECT account_key AS account,
           {rate_sql("NOT recent")} AS rate_prior,
           {rate_sql("recent")} AS rate_last,
           coalesce(sum(net) FILTER (WHERE NOT recent), 0) AS net_prior,
           coalesce(sum(net) FILTER (WHERE recent), 0) AS net_last,
           count(disc / nullif(list, 0)) FILTER (WHERE listed) AS rate_months,
           regr_slope(100 * disc / nullif(list, 0), datediff('month', $first, month))
               FILTER (WHERE listed) AS slope
    FROM windowed GROUP BY account_key
)
SELECT a.account, {NAME_SQL.format(key="a.account")} AS name, d.segment,
       a.rate_prior, a.rate_last,
       100 * (a.rate_last - a.rate_prior) AS points,
       CASE WHEN a.rate_months >= 2 THEN a.slope END AS slope, a.rate_months,
       a.net_prior, a.net_last,
       a.net_prior / nullif(st.months_prior, 0) AS monthly_net_prior,
       a.net_last / nullif(st.months_last, 0) AS monthly_net_last,
       CASE WHEN a.net_prior / nullif(st.months_prior, 0) > 0
            THEN (a.net_last / nullif(st.months_last, 0))
                 / (a.net_prior / st.months_prior) - 1
       END AS revenue_change
FROM accounts AS a CROSS JOIN stored AS st
LEFT JOIN {DIRECTORY} AS d ON d.account_key = a.account
ORDER BY points DESC NULLS LAST, a.account"""


def discount_creep(
    con: duckdb.DuckDBPyConnection, period_end_month: date, base: DiscountBase | None = None
) -> pd.DataFrame:
    """Per account with rows in the 6 months ending at `period_end_month`: its discount creep.

    Columns: account, name and segment (from the account directory: the latest stored ones, as
    the Segments page has them); rate_prior and rate_last (weighted rates of the 3 months
    before and the last 3); points = 100 · (rate_last − rate_prior), NULL unless both exist;
    slope, points per month by least squares over the monthly rates (NULL under 2 months);
    rate_months; net_prior, net_last; monthly_net_prior, monthly_net_last (per stored month
    of each window); revenue_change, the relative change of monthly net revenue (NULL unless
    the prior level is positive). Sorted by points, highest first. `base` (from
    core.discounts_base) saves reading the stored rows again when it covers the 6 months.
    """
    first, last = creep_window(period_end_month)
    params = {"first": first, "split": months_before(last, 2), "last": last}
    with months_view(con, base, first, last):
        return frame(con, _CREEP_SQL, params)


def buys_nothing(creep: pd.DataFrame, threshold_points: float = 2.0) -> pd.DataFrame:
    """The rows of a discount_creep frame whose creep is above the threshold while monthly
    revenue over the same windows did not grow, most points first."""
    rising = creep["points"].gt(threshold_points).fillna(False).astype(bool)
    flat = creep["monthly_net_last"].le(creep["monthly_net_prior"]).fillna(False).astype(bool)
    return creep[rising & flat].sort_values(["points", "account"], ascending=[False, True])


_CORRIDOR_SQL = f"""
WITH accounts AS (
    -- The segment is the account's latest in the period (ties: the largest), its peers' too.
    SELECT account_key AS account,
           {LATEST_SEGMENT} AS segment,
           sum(net) AS net_revenue,
           {rate_sql()} AS rate
    FROM {ACCOUNTS} GROUP BY account_key
),
banded AS (
    SELECT *, ntile($bands) OVER (PARTITION BY segment ORDER BY net_revenue, account) AS band
    FROM accounts WHERE net_revenue > 0 AND rate IS NOT NULL
),
ranked AS (
    SELECT *, row_number() OVER (PARTITION BY segment, band ORDER BY rate) - 1 AS position
    FROM banded
),
-- The peers' quantile is quantile_cont over the band's sorted rates without the account's own
-- position: with m accounts, h = q·(m − 2) over the m − 1 peers, interpolated between peer
-- positions lo = ⌊h⌋ and lo + 1, each of which is v[lo + 1] or the next value depending on
-- whether the account sits above it. So three values per band decide every account's quantile.
sorted_bands AS (
    SELECT segment, band, count(*) - 1 AS peers,
           floor($quantile * (count(*) - 2))::BIGINT AS lo,
           $quantile * (count(*) - 2) - floor($quantile * (count(*) - 2)) AS frac,
           list(rate ORDER BY rate) AS rates
    FROM banded GROUP BY segment, band
    HAVING count(*) - 1 >= $min_peers
),
bands AS (
    -- Only the three values that matter travel to the join, not each band's whole list.
    SELECT segment, band, peers, lo, frac,
           rates[lo + 1] AS va, rates[lo + 2] AS vb, rates[lo + 3] AS vc
    FROM sorted_bands
),
quantiles AS (
    SELECT r.*, q.peers,
           CASE WHEN r.position > q.lo THEN q.va ELSE q.vb END AS v0,
           CASE WHEN r.position > q.lo + 1 THEN q.vb ELSE q.vc END AS v1,
           q.frac
    FROM ranked AS r JOIN bands AS q
      ON r.segment IS NOT DISTINCT FROM q.segment AND r.band = q.band
),
corridor AS (
    -- Interpolated as quantile_cont does, so that ties at the boundary compare the same.
    SELECT *, CASE WHEN frac = 0 THEN v0 ELSE v0 * (1 - frac) + v1 * frac END AS peer_p90
    FROM quantiles
)
SELECT c.account, {NAME_SQL.format(key="c.account")} AS name, c.segment, c.band,
       c.net_revenue, c.rate, c.peer_p90, c.peers, 100 * (c.rate - c.peer_p90) AS excess_points
FROM corridor AS c LEFT JOIN {DIRECTORY} AS d ON d.account_key = c.account
WHERE c.rate > c.peer_p90
ORDER BY excess_points DESC, c.account"""


def corridor_outliers(
    con: duckdb.DuckDBPyConnection,
    period: Period,
    thresholds: DiscountThresholds | None = None,
    base: DiscountBase | None = None,
) -> pd.DataFrame:
    """Accounts whose period rate is above the peer quantile of their segment's revenue band.

    Bands are quantiles of net revenue within a segment (quintiles by default) over accounts
    with positive revenue and a rate; an account's peers are the others in its band, and bands
    with fewer than `min_peers` peers are not judged. Columns: account, name, segment, band,
    net_revenue, rate, peer_p90 (the peers' quantile, 0.9 by default), peers, excess_points.
    """
    thresholds = thresholds or DiscountThresholds()
    with base_for(con, base, period).accounts_view(con):
        return frame(
            con,
            _CORRIDOR_SQL,
            {
                "bands": thresholds.revenue_bands,
                "quantile": thresholds.peer_quantile,
                "min_peers": thresholds.min_peers,
            },
        )
