"""SQL pieces shared by the discount figures: which rows carry list data, and the rate sums.

A row carries list data when it has both list revenue and a discount amount (ingest derives
either from the other and net revenue). Only those rows enter a rate; domain.md §3.
"""

from __future__ import annotations

from typing import Final

LISTED: Final = "list_revenue IS NOT NULL AND discount_amount IS NOT NULL"
"""SQL condition: the row carries list data and can enter a discount rate."""

_LIST = f"sum(list_revenue) FILTER (WHERE {LISTED})"
_DISCOUNT = f"sum(discount_amount) FILTER (WHERE {LISTED})"
_OFF = f"sum(coalesce(off_invoice, 0)) FILTER (WHERE {LISTED})"

RATE_COLUMNS: Final = f"""
    sum(net_revenue) AS net_revenue,
    {_LIST} AS list_revenue,
    {_DISCOUNT} AS discount_amount,
    {_OFF} AS off_invoice,
    {_DISCOUNT} / nullif({_LIST}, 0) AS discount_rate,
    ({_DISCOUNT} + {_OFF}) / nullif({_LIST}, 0) AS concession_degree,
    CASE WHEN sum(abs(net_revenue)) > 0
         THEN coalesce(sum(abs(net_revenue)) FILTER (WHERE {LISTED}), 0)
              / sum(abs(net_revenue))
    END AS coverage,
    count(*) AS rows"""
"""Aggregates of a rate table; rates are NULL (never infinite) when Σ list is 0.

- discount_rate: Σ discount / Σ list over rows with list data, never an average of row rates.
- concession_degree: (Σ discount + Σ off-invoice) / Σ list, the same rows.
- coverage: share of revenue (credit notes counted by size) on rows with list data, in [0, 1].
"""

MONTHLY_RATES: Final = f"""
    SELECT account_key, month,
           {_DISCOUNT} / nullif({_LIST}, 0) AS rate,
           sum(net_revenue) AS net_revenue
    FROM active_rows
    WHERE month BETWEEN $first AND $last
    GROUP BY account_key, month"""
"""Each account's discount rate and net revenue per month between $first and $last."""
