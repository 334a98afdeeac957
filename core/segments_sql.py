"""SQL pieces shared by the segment figures: which segment an account is in, and the mix.

An account's segment is decided in one place, `account_segments_sql`: every segment figure
(mix, bridge, scorecard, strategy cards) joins the same relation, so an accounts master table
can later override the stored rows' `segment` column there and nowhere else.
"""

from __future__ import annotations

from typing import Final

from core.directory import DIRECTORY

SEGMENTS: Final[tuple[str, ...]] = ("intrinsic", "extrinsic", "strategic", "other")
"""The value segments of domain.md §4, in display order."""

UNASSIGNED: Final = "unassigned"
"""The segment of an account whose rows never name one; such accounts are kept, never dropped."""

SEGMENT_ORDER: Final[tuple[str, ...]] = (*SEGMENTS, UNASSIGNED)
"""Every segment an account can be in, in display order."""

SEGMENT_RANK_SQL: Final = (
    "coalesce(list_position(["
    + ", ".join(f"'{name}'" for name in SEGMENT_ORDER)
    + "], segment), 99)"
)
"""SQL ordering key of a `segment` column: the display order, anything else last."""


ACCOUNT_NAME_SQL: Final = (
    "coalesce(arg_max(account_name, (month, account_name)) "
    "FILTER (WHERE account_name IS NOT NULL), account_key)"
)
"""Aggregate over active_rows: an account's latest name (as the concentration tables name it)."""


def account_segments_sql() -> str:
    """Body of the `account_segments(account_key, segment, name)` relation: one row per account.

    An account's segment is the one its accounts file gives (the `account_master` view), else
    the latest non-NULL `segment` of its stored rows over the whole history (ties within a
    month: the largest value), else 'unassigned'. Being one value per account, an account sits
    in the same segment in every period compared, so per-segment bridges and migrations add up
    to the portfolio's. Its name is likewise its latest stored name (the key when no row names
    it). Both stored ones come from the account directory (core.directory), which every write
    refreshes, so no figure reads the name and segment strings of every stored row.
    """
    return f"""
        SELECT d.account_key, coalesce(m.segment, d.segment, '{UNASSIGNED}') AS segment,
               coalesce(d.account_name, d.account_key) AS name
        FROM {DIRECTORY} AS d
        LEFT JOIN account_master AS m ON m.account_id = d.account_key"""


MIX_COLUMNS: Final = """
    count(*) FILTER (WHERE a.net_revenue > 0) AS accounts,
    count(*) FILTER (WHERE a.net_revenue <= 0) AS nonpositive_accounts,
    sum(a.net_revenue) AS net_revenue,
    CASE WHEN sum(a.cost_rows) > 0 THEN sum(a.gross_profit) END AS gross_profit,
    sum(a.gross_profit) / nullif(sum(a.costed_net), 0) AS margin"""
"""Aggregates of a segment over an `accounts` relation (bucket, account_key, net_revenue,
gross_profit, costed_net, cost_rows) joined as `a`.

- accounts: accounts with positive net revenue (as PortfolioMetrics counts them); the others
  are counted in nonpositive_accounts, and their revenue stays in net_revenue.
- gross_profit: NULL when no row of the segment carries cost or gross profit.
- margin: gross profit / net revenue of the rows that carry cost, so rows without cost data
  do not dilute it.
"""

ACCOUNT_SUMS: Final = """
    sum(net_revenue) AS net_revenue,
    sum(gross_profit) AS gross_profit,
    sum(net_revenue) FILTER (WHERE gross_profit IS NOT NULL) AS costed_net,
    count(gross_profit) AS cost_rows"""
"""Per-account aggregates over active_rows that MIX_COLUMNS reads."""

SHARE_COLUMNS: Final = """
    net_revenue / nullif(sum(net_revenue) OVER (PARTITION BY bucket), 0) AS revenue_share,
    gross_profit / nullif(sum(gross_profit) OVER (PARTITION BY bucket), 0) AS profit_share"""
"""Each segment's share of its bucket's net revenue and gross profit (NULL when that is 0).

Shares sum to 1 over the segments; a segment losing money has a negative profit share and
pushes the others' above their revenue-weighted level.
"""
