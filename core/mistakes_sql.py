"""SQL of the five-mistakes check (core.mistakes): key accounts, small-account churn, product
and month dependence, and margins by key account.

Key accounts are the top ⌈0.2 n⌉ of the n accounts with positive net revenue in a period,
ranked by net revenue (ties by key), as domain.md §3 defines the top-20% share. Every value is
bound as a parameter: $start, $end (the period), $p_start, $p_end (the prior period, NULL when
stored history does not cover it) and the thresholds.
"""

from __future__ import annotations

from typing import Final

KEY_RANK_SQL: Final = "(count(*) FILTER (WHERE {net} > 0) OVER () + 4) // 5"
"""How many accounts are key: ⌈0.2 n⌉ written as (n + 4) // 5 over a positive-revenue count."""

_IN_PERIOD: Final = "month BETWEEN $start AND $end"
_IN_PRIOR: Final = "month BETWEEN $p_start AND $p_end"

CHURN_SQL: Final = f"""
WITH accounts AS (
    SELECT account_key,
           coalesce(sum(net_revenue) FILTER (WHERE {_IN_PERIOD}), 0) AS now,
           coalesce(sum(net_revenue) FILTER (WHERE {_IN_PRIOR}), 0) AS before,
           coalesce(sum(net_revenue) FILTER (WHERE month BETWEEN $lapse_from AND $end), 0)
               AS recent
    FROM active_rows
    WHERE {_IN_PERIOD} OR ({_IN_PRIOR})
    GROUP BY account_key
),
ranked AS (
    SELECT *,
           now > 0 AND row_number() OVER (ORDER BY round(now, 4) DESC, account_key)
               <= {KEY_RANK_SQL.format(net="now")} AS key_now,
           before > 0 AND row_number() OVER (ORDER BY round(before, 4) DESC, account_key)
               <= {KEY_RANK_SQL.format(net="before")} AS key_before
    FROM accounts
),
small AS (
    SELECT *,
           before > 0 AND now <= 0 AS lost,
           $lapse_check AND now > 0 AND recent <= 0 AS lapsed
    FROM ranked WHERE NOT key_now AND NOT key_before AND (now > 0 OR before > 0)
)
SELECT (SELECT count(*) FROM small) AS small_accounts,
       (SELECT count(*) FILTER (WHERE lost) FROM small) AS lost,
       (SELECT count(*) FILTER (WHERE lapsed) FROM small) AS lapsed,
       (SELECT list(account_key ORDER BY round(greatest(before, now), 4) DESC, account_key)
        FROM small WHERE lost OR lapsed) AS churned,
       (SELECT sum(greatest(before, now)) FROM small WHERE lost OR lapsed) AS churned_revenue,
       (SELECT sum(before) FROM ranked WHERE key_before) AS key_before,
       (SELECT sum(now) FROM ranked WHERE key_before) AS key_now"""
"""Mistake 2's churn figures in one row.

Small and mid accounts are those key in neither period, with positive revenue in at least one.
lost: positive in the prior period, not in the period. lapsed: positive in the period but not
in its last months (from $lapse_from; only when $lapse_check). churned lists both, largest
first. key_before / key_now: the prior period's key accounts, then and now (one cohort, so a
rise is growth, not a change of members).
"""

DEPENDENCE_SQL: Final = f"""
WITH accounts AS (
    SELECT account_key, sum(net_revenue) AS net FROM active_rows WHERE {_IN_PERIOD}
    GROUP BY account_key
),
key_accounts AS (
    SELECT account_key, net FROM (
        SELECT *, row_number() OVER (ORDER BY round(net, 4) DESC, account_key) AS rank,
               {KEY_RANK_SQL.format(net="net")} AS key_n
        FROM accounts
    ) WHERE net > 0 AND rank <= key_n
),
products AS (
    SELECT r.account_key, r.product, sum(r.net_revenue) AS net
    FROM active_rows AS r JOIN key_accounts AS k USING (account_key)
    WHERE {_IN_PERIOD} AND r.product IS NOT NULL
    GROUP BY ALL
),
product_shares AS (
    SELECT account_key, product, net / sum(net) OVER (PARTITION BY account_key) AS share
    FROM products
),
product_figures AS (
    SELECT p.account_key, arg_max(p.product, (p.share, p.product)) AS top_product,
           max(p.share) AS top_product_share, 10000 * sum(p.share * p.share) AS product_hhi,
           count(*) AS products
    FROM product_shares AS p JOIN (
        SELECT account_key FROM products GROUP BY account_key HAVING sum(net) > 0
    ) USING (account_key)
    GROUP BY p.account_key
),
months AS (
    SELECT range::DATE AS month FROM range($start, $end + INTERVAL 1 MONTH, INTERVAL 1 MONTH)
),
monthly AS (
    SELECT k.account_key, m.month, coalesce(sum(r.net_revenue), 0) AS net
    FROM key_accounts AS k CROSS JOIN months AS m
    LEFT JOIN active_rows AS r ON r.account_key = k.account_key AND r.month = m.month
    GROUP BY ALL
),
month_figures AS (
    SELECT account_key, arg_max(month, (net, month)) AS top_month,
           max(net) / sum(net) AS top_month_share,
           stddev_pop(net) / nullif(avg(net), 0) AS cv, count(*) AS months
    FROM monthly GROUP BY account_key
)
SELECT k.account_key AS account, k.net AS net_revenue, p.top_product, p.top_product_share,
       p.product_hhi, p.products, strftime(m.top_month, '%Y-%m') AS top_month,
       m.top_month_share, m.cv, m.months,
       coalesce(p.top_product_share >= $product_share, false) AS one_product,
       m.months >= $min_months AND (m.top_month_share >= $month_share OR m.cv >= $cv)
           AS one_month
FROM key_accounts AS k
LEFT JOIN product_figures AS p USING (account_key)
LEFT JOIN month_figures AS m USING (account_key)
ORDER BY round(k.net, 4) DESC, k.account_key"""
"""Mistake 3, per key account: its top product and that product's share, the HHI over its
products (0–10,000; rows without a product left out), its top month and that month's share of
the period's revenue, and the coefficient of variation (population standard deviation / mean)
of its monthly revenue, months without rows counting as 0. one_product and one_month are the
flags the thresholds raise; a period shorter than $min_months never flags a month."""

MARGIN_SQL: Final = f"""
WITH accounts AS (
    SELECT account_key, sum(net_revenue) AS net, sum(gross_profit) AS profit,
           sum(net_revenue) FILTER (WHERE gross_profit IS NOT NULL) AS costed_net,
           count(gross_profit) AS cost_rows
    FROM active_rows WHERE {_IN_PERIOD} GROUP BY account_key
),
marked AS (
    SELECT *, net > 0 AND row_number() OVER (ORDER BY round(net, 4) DESC, account_key)
               <= {KEY_RANK_SQL.format(net="net")} AS is_key
    FROM accounts
)
SELECT sum(profit) FILTER (WHERE is_key) / nullif(sum(costed_net) FILTER (WHERE is_key), 0)
           AS key_margin,
       sum(profit) FILTER (WHERE NOT is_key)
           / nullif(sum(costed_net) FILTER (WHERE NOT is_key), 0) AS rest_margin,
       sum(profit) / nullif(sum(costed_net), 0) AS margin,
       list(account_key ORDER BY round(profit, 4), account_key)
           FILTER (WHERE cost_rows > 0 AND profit < 0) AS loss_makers,
       list(account_key ORDER BY round(profit, 4), account_key)
           FILTER (WHERE cost_rows > 0 AND profit < 0 AND is_key) AS key_loss_makers,
       count(*) FILTER (WHERE cost_rows > 0) AS costed_accounts
FROM marked"""
"""Mistake 4 in one row: gross margin % (gross profit / net revenue of the rows with cost) of
the key accounts, of the rest and of all; the accounts with negative gross profit, most
negative first, and those among them that are key."""
