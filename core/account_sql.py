"""SQL of the account drill-down: one account's profile, months, products, rows and group.

Every statement binds the account key as $account and the period as $start/$end
(core.metrics.PERIOD_FILTER); only fixed fragments are formatted in. Rates follow domain.md §3
through core.discounts_sql (Σ discount / Σ list over rows with list data, NULL when Σ list is
0); margin is gross profit over the net revenue of the rows that carry cost, as the scorecard
and segment figures compute it.
"""

from __future__ import annotations

from typing import Final

from core.discounts_sql import RATE_COLUMNS
from core.metrics import PERIOD_FILTER
from core.segments_sql import ACCOUNT_NAME_SQL

MARGIN_SQL: Final = """
    CASE WHEN sum(net_revenue) FILTER (WHERE gross_profit IS NOT NULL) > 0
         THEN sum(gross_profit) / sum(net_revenue) FILTER (WHERE gross_profit IS NOT NULL)
    END"""
"""Aggregate: gross profit over the net revenue of the rows with cost; NULL unless positive."""

FIGURE_COLUMNS: Final = f"""{RATE_COLUMNS},
    sum(gross_profit) AS gross_profit,
    {MARGIN_SQL} AS margin"""
"""Aggregates of an account's rows: net_revenue, list_revenue, discount_amount, off_invoice,
discount_rate, concession_degree, coverage, rows, gross_profit, margin."""

STORED_MONTHS_SQL: Final = f"""
    SELECT DISTINCT month FROM upload_months WHERE active AND {PERIOD_FILTER}"""
"""Every stored month of the period, whether or not the account bought in it."""

ACCOUNT_ROWS: Final = f"active_rows WHERE {PERIOD_FILTER} AND account_key = $account"
"""The account's stored rows in the period, as a FROM clause."""


def _latest(column: str) -> str:
    """Aggregate: the column's latest value, preferring rows inside the period."""
    return (
        f"arg_max({column}, (in_period, month, {column})) "
        f"FILTER (WHERE nullif(trim({column}), '') IS NOT NULL)"
    )


PROFILE_SQL: Final = f"""
    WITH rows AS (
        SELECT *, ({PERIOD_FILTER}) AS in_period FROM active_rows WHERE account_key = $account
    )
    SELECT account_key, max(account_id) AS account_id, {ACCOUNT_NAME_SQL} AS name,
           {_latest("parent_group")} AS parent_group, {_latest("owner")} AS owner,
           {_latest("region")} AS region, {_latest("industry")} AS industry,
           upper(trim({_latest("currency")})) AS currency,
           min(month) AS first_month, max(month) AS last_month,
           count(*) FILTER (WHERE in_period) AS rows
    FROM rows GROUP BY account_key"""
"""The account's descriptive fields (name: latest over all history, as every page names it;
group, owner, region, industry and currency: latest in the period, else latest stored) and
its first and last stored month. No row when the key is not stored."""

TRENDS_SQL: Final = f"""
    WITH months AS ({STORED_MONTHS_SQL}),
    account AS (SELECT month, {FIGURE_COLUMNS} FROM {ACCOUNT_ROWS} GROUP BY month)
    SELECT m.month, coalesce(a.net_revenue, 0) AS net_revenue, a.gross_profit, a.margin,
           a.list_revenue, a.discount_amount, a.discount_rate, a.concession_degree,
           coalesce(a.rows, 0) AS rows
    FROM months AS m LEFT JOIN account AS a USING (month) ORDER BY m.month"""
"""One row per stored month of the period; a month without rows has revenue 0, NULL rates."""

MONTH_SPREAD_SQL: Final = f"""
    WITH months AS ({STORED_MONTHS_SQL}),
    account AS (SELECT month, sum(net_revenue) AS net FROM {ACCOUNT_ROWS} GROUP BY month),
    filled AS (
        SELECT m.month, coalesce(a.net, 0) AS net FROM months AS m LEFT JOIN account AS a
        USING (month)
    )
    SELECT count(*) AS months, sum(net) AS total,
           CASE WHEN sum(net) > 0 THEN arg_max(month, (net, -epoch(month))) END
               AS largest_month,
           CASE WHEN sum(net) > 0 THEN max(net) / sum(net) END AS largest_month_share,
           CASE WHEN avg(net) > 0 THEN stddev_pop(net) / avg(net) END AS cv
    FROM filled"""
"""Largest month's share of the period's revenue and the coefficient of variation of monthly
revenue (population standard deviation / mean), every stored month counted, 0 when none."""

PRODUCTS_SQL: Final = f"""
    WITH products AS (
        SELECT product, sum(net_revenue) AS net_revenue, sum(quantity) AS quantity,
               sum(gross_profit) AS gross_profit, {MARGIN_SQL} AS margin, count(*) AS rows
        FROM {ACCOUNT_ROWS} GROUP BY product
    )
    SELECT product, net_revenue,
           CASE WHEN product IS NOT NULL AND net_revenue > 0
                THEN net_revenue / sum(net_revenue)
                         FILTER (WHERE product IS NOT NULL AND net_revenue > 0) OVER ()
           END AS share,
           quantity, gross_profit, margin, rows
    FROM products ORDER BY product IS NULL, net_revenue DESC, product"""
"""Per product: revenue and its share of the named products with positive revenue (rows
without a product and products at zero or below have no share), quantity, profit, margin."""

PRODUCT_FIGURES_SQL: Final = """
    SELECT count(*) FILTER (WHERE share IS NOT NULL) AS products,
           arg_max(product, (share, product)) FILTER (WHERE share IS NOT NULL) AS top_product,
           max(share) AS top_share,
           10000 * sum(share * share) AS hhi,
           coalesce(sum(net_revenue) FILTER (WHERE product IS NULL), 0) AS unnamed_revenue
    FROM keystone_products"""
"""Top product, its share and the HHI over products (0–10,000), over the products table."""

ROWS_SQL: Final = f"""
    SELECT r.month, r.source, r.upload_id, u.file, r.line, r.account_id, r.account_name,
           r.parent_group, r.segment, r.region, r.owner, r.industry, r.currency, r.product,
           r.quantity, r.net_revenue, r.list_revenue, r.discount_amount, r.off_invoice,
           r.cost, r.gross_profit, r.cost_to_serve
    FROM active_rows AS r LEFT JOIN uploads AS u ON u.id = r.upload_id
    WHERE ({PERIOD_FILTER}) AND r.account_key = $account
    ORDER BY r.month, r.upload_id, r.line"""
"""The account's stored rows in the period, with the upload (id, file) and line they came from."""

ACCOUNT_LIST_SQL: Final = f"""
    SELECT account_key AS account, {ACCOUNT_NAME_SQL} AS name,
           coalesce(sum(net_revenue) FILTER (WHERE {PERIOD_FILTER}), 0) AS net_revenue,
           count(*) FILTER (WHERE {PERIOD_FILTER}) AS rows
    FROM active_rows GROUP BY account_key"""
"""Every stored account with its name and its net revenue and rows in the period."""
