"""The extra discount queries the Discounts page needs: KPIs with comparisons, the rate by
segment per month, the pocket price band, per-account monthly figures and creep sparklines.

Rates follow domain.md §3 through core.discounts_sql: Σ discount / Σ list over rows with list
data, NULL when Σ list is 0. Pocket margin is gross profit over pocket revenue, on the rows
of the price waterfall.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb
import pandas as pd

from core.concentration_sql import comparisons
from core.directory import DIRECTORY, NAME_SQL
from core.discounts import discount_rates, price_waterfall
from core.discounts_base import (
    LATEST_SEGMENT,
    DiscountBase,
    L,
    base_for,
    creep_window,
    discount_base,
    months_view,
)
from core.discounts_sql import LISTED
from core.metrics import PERIOD_FILTER, Period
from core.sql import frame

_RATE = f"""sum(discount_amount) FILTER (WHERE {LISTED})
            / nullif(sum(list_revenue) FILTER (WHERE {LISTED}), 0)"""


@dataclass(frozen=True)
class DiscountKpis:
    """The headline discount figures of one period."""

    discount_rate: float | None
    """Σ discount / Σ list over rows with list data; None without list data."""
    concession_degree: float | None
    """(Σ discount + Σ off-invoice) / Σ list, the same rows."""
    pocket_margin: float | None
    """Gross profit / pocket revenue on the waterfall's rows; None without cost data."""
    coverage: float | None
    """Share of net revenue (by size) on rows with list data."""
    net_revenue: float
    """Net revenue of every row in the period."""


@dataclass(frozen=True)
class KpiComparison:
    """A period's discount KPIs beside the prior period and the same period last year."""

    period: Period | None
    """The period clipped to stored months; None when no stored month falls in it."""
    current: DiscountKpis | None
    """The period's figures; None with `period`."""
    prior_period: Period | None
    """Same length, just before; None unless stored history covers it."""
    prior: DiscountKpis | None
    """Figures of the prior period."""
    last_year_period: Period | None
    """Shifted back 12 months; None unless stored history covers it."""
    last_year: DiscountKpis | None
    """Figures of the same period last year."""


def _number(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def discount_kpis(con: duckdb.DuckDBPyConnection, period: Period) -> DiscountKpis:
    """Discount rate, concession degree, pocket margin and coverage for the period."""
    base = discount_base(con, period, creep=False)
    portfolio = discount_rates(con, period, "portfolio", base).iloc[0]
    waterfall = price_waterfall(con, period, base=base)
    margin = (
        waterfall.gross_profit / waterfall.pocket
        if waterfall.gross_profit is not None and waterfall.pocket > 0
        else None
    )
    return DiscountKpis(
        discount_rate=_number(portfolio["discount_rate"]),
        concession_degree=_number(portfolio["concession_degree"]),
        pocket_margin=margin,
        coverage=_number(portfolio["coverage"]),
        net_revenue=_number(portfolio["net_revenue"]) or 0.0,
    )


def kpi_comparison(con: duckdb.DuckDBPyConnection, period: Period) -> KpiComparison:
    """The period's KPIs and those of the windows it is compared with (when stored)."""
    windows = comparisons(con, period)

    def kpis(window: Period | None) -> DiscountKpis | None:
        return discount_kpis(con, window) if window is not None else None

    return KpiComparison(
        period=windows.current,
        current=kpis(windows.current),
        prior_period=windows.prior,
        prior=kpis(windows.prior),
        last_year_period=windows.last_year,
        last_year=kpis(windows.last_year),
    )


def rate_by_segment_month(con: duckdb.DuckDBPyConnection, period: Period) -> pd.DataFrame:
    """The weighted discount rate per segment and month, plus the portfolio as segment NULL.

    Columns: month, segment (NULL for the portfolio line), discount_rate, list_revenue.
    Months or segments without list data have a NULL rate.
    """
    return frame(
        con,
        f"""SELECT month, segment, {_RATE} AS discount_rate,
                   sum(list_revenue) FILTER (WHERE {LISTED}) AS list_revenue
            FROM active_rows WHERE {PERIOD_FILTER}
            GROUP BY GROUPING SETS ((month, segment), (month))
            HAVING grouping(segment) = 1 OR segment IS NOT NULL
            ORDER BY month, segment NULLS FIRST""",
        period.params(),
    )


def pocket_price_band(
    con: duckdb.DuckDBPyConnection, period: Period, base: DiscountBase | None = None
) -> pd.DataFrame:
    """Per account with list data: pocket revenue as a share of list, and its net revenue.

    pocket_ratio = (Σ list − Σ discount − Σ off-invoice) / Σ list = 1 − concession degree.
    Columns: account, name, segment (the latest in the period), net_revenue, list_revenue,
    pocket_ratio; accounts with Σ list ≤ 0 are left out. `base` saves a read of the rows.
    """
    with base_for(con, base, period).accounts_view(con) as view:
        return frame(
            con,
            f"""SELECT b.account, {NAME_SQL.format(key="b.account")} AS name, b.segment,
                       b.net_revenue, b.list_revenue, b.pocket_ratio
                FROM (
                    SELECT account_key AS account,
                           {LATEST_SEGMENT} AS segment,
                           sum(net) {L} AS net_revenue,
                           sum(list) {L} AS list_revenue,
                           1 - (sum(disc) {L} + sum(off) {L}) / sum(list) {L} AS pocket_ratio
                    FROM {view} GROUP BY account_key
                    HAVING sum(list) {L} > 0
                ) AS b
                LEFT JOIN {DIRECTORY} AS d ON d.account_key = b.account
                ORDER BY b.net_revenue DESC, b.account""",
        )


def account_monthly(con: duckdb.DuckDBPyConnection, account: str, period: Period) -> pd.DataFrame:
    """One account's discount rate and net revenue per stored month of the period.

    Columns: month, net_revenue, list_revenue, discount_rate (NULL without list data).
    """
    return frame(
        con,
        f"""SELECT month, sum(net_revenue) AS net_revenue,
                   sum(list_revenue) FILTER (WHERE {LISTED}) AS list_revenue,
                   {_RATE} AS discount_rate
            FROM active_rows WHERE {PERIOD_FILTER} AND account_key = $account
            GROUP BY month ORDER BY month""",
        {**period.params(), "account": account},
    )


def creep_sparklines(
    con: duckdb.DuckDBPyConnection, period_end_month: date, base: DiscountBase | None = None
) -> pd.DataFrame:
    """Each account's monthly rate in points over the 6 creep months ending at the given month.

    Columns: account, rates (6 values, oldest month first, NaN without a rate), matching the
    windows of core.discounts_creep.discount_creep, and read from the same months table
    (`base`'s when it covers them).
    """
    first, last = creep_window(period_end_month)
    with months_view(con, base, first, last) as view:
        return frame(
            con,
            f"""WITH months AS (
                    SELECT CAST(m AS DATE) AS month
                    FROM range(CAST($first AS TIMESTAMP),
                               CAST($last AS TIMESTAMP) + INTERVAL 1 MONTH,
                               INTERVAL 1 MONTH) AS t(m)
                ),
                accounts AS (
                    SELECT DISTINCT account_key FROM {view} WHERE month BETWEEN $first AND $last
                ),
                -- A listed row of the months table is one account-month: disc / list its rate.
                rates AS (
                    SELECT account_key, month, 100 * disc / nullif(list, 0) AS rate
                    FROM {view} WHERE listed AND month BETWEEN $first AND $last
                )
                SELECT a.account_key AS account, list(r.rate ORDER BY m.month) AS rates
                FROM accounts AS a CROSS JOIN months AS m
                LEFT JOIN rates AS r ON r.account_key = a.account_key AND r.month = m.month
                GROUP BY a.account_key ORDER BY a.account_key""",
            {"first": first, "last": last},
        )
