"""Revenue bridge between two periods: new, expansion, contraction and lost (domain.md §3).

Per account, with r0 its net revenue in the start period and r1 in the end period, an account
is active in a period when its net revenue there is positive. Accounts at zero or below count
as 0 in the bridge (as they are left out of every share), and their revenue is reported apart
as nonpositive_start / nonpositive_end, so start + nonpositive_start is the period's net revenue.

- new: not active at the start, active at the end: + r1;
- lost: active at the start, not at the end: − r0;
- expansion: active in both and r1 > r0: + (r1 − r0);
- contraction: active in both and r1 < r0: − (r0 − r1).

So start + new + expansion − contraction − lost = end holds exactly: the sums are taken in
DECIMAL (each stored amount to 1/10,000), never as floats, for the totals and per segment.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Final, Literal

import duckdb
import pandas as pd
from pydantic import BaseModel, ConfigDict

from core.concentration_sql import comparisons
from core.metrics import Period
from core.segments_base import ACCOUNTS_VIEW, SegmentsBase, base_for
from core.segments_sql import SEGMENT_RANK_SQL
from core.sql import fetch_all, frame

Movement = Literal["new", "expansion", "contraction", "lost", "flat", "inactive"]

BRIDGE_PARTS: Final = ("start", "new", "expansion", "contraction", "lost", "end")
"""The bridge's amounts in order, as `keystone metrics` prints them."""

_ACCOUNTS_SQL = f"""
    account_segments AS (SELECT * FROM {ACCOUNTS_VIEW}),
    revenue AS (
        SELECT account_key,
               coalesce(sum(net_exact) FILTER (WHERE bucket = 'start'), 0) AS r0,
               coalesce(sum(net_exact) FILTER (WHERE bucket = 'end'), 0) AS r1
        FROM ({{sums}})
        GROUP BY account_key
    ),
    moves AS (
        SELECT r.account_key AS account, s.name, s.segment, r.r0, r.r1,
               greatest(r.r0, 0) AS start, greatest(r.r1, 0) AS "end",
               CASE WHEN r.r0 <= 0 AND r.r1 > 0 THEN 'new'
                    WHEN r.r0 > 0 AND r.r1 <= 0 THEN 'lost'
                    WHEN r.r0 > 0 AND r.r1 > r.r0 THEN 'expansion'
                    WHEN r.r0 > 0 AND r.r1 < r.r0 THEN 'contraction'
                    WHEN r.r0 > 0 THEN 'flat'
                    ELSE 'inactive' END AS movement
        FROM revenue AS r JOIN account_segments AS s USING (account_key)
    )"""
"""Common table expressions ending in `moves`: one row per account with rows in either period;
{sums} is a core.segments_base sums body with the roles 'start' and 'end'."""

_TOTALS_SQL = f"""
    WITH {_ACCOUNTS_SQL}
    SELECT segment,
           sum(start) AS start,
           coalesce(sum("end") FILTER (WHERE movement = 'new'), 0) AS new,
           coalesce(sum("end" - start) FILTER (WHERE movement = 'expansion'), 0) AS expansion,
           coalesce(sum(start - "end") FILTER (WHERE movement = 'contraction'), 0) AS contraction,
           coalesce(sum(start) FILTER (WHERE movement = 'lost'), 0) AS lost,
           sum("end") AS "end",
           sum(least(r0, 0)) AS nonpositive_start,
           sum(least(r1, 0)) AS nonpositive_end,
           count(*) FILTER (WHERE r0 > 0) AS accounts_start,
           count(*) FILTER (WHERE r1 > 0) AS accounts_end,
           count(*) FILTER (WHERE movement = 'new') AS new_accounts,
           count(*) FILTER (WHERE movement = 'expansion') AS expanded_accounts,
           count(*) FILTER (WHERE movement = 'contraction') AS contracted_accounts,
           count(*) FILTER (WHERE movement = 'lost') AS lost_accounts,
           count(*) FILTER (WHERE movement = 'flat') AS flat_accounts
    FROM moves
    GROUP BY GROUPING SETS ((segment), ())
    ORDER BY segment IS NOT NULL, {SEGMENT_RANK_SQL}"""


class BridgeTotals(BaseModel):
    """One bridge: start + new + expansion − contraction − lost = end, exactly."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    segment: str | None
    """The segment, or None for the whole portfolio."""
    start: float
    """Net revenue of the accounts active (net revenue > 0) in the start period."""
    new: float
    """Revenue of accounts active at the end but not at the start."""
    expansion: float
    """Growth of accounts active in both periods whose revenue rose."""
    contraction: float
    """Decline (a positive amount) of accounts active in both whose revenue fell."""
    lost: float
    """Start revenue (a positive amount) of accounts not active at the end."""
    end: float
    """Net revenue of the accounts active in the end period."""
    nonpositive_start: float
    """Net revenue (zero or below) of the start period's other accounts, outside the bridge."""
    nonpositive_end: float
    """The same for the end period."""
    accounts_start: int
    accounts_end: int
    new_accounts: int
    expanded_accounts: int
    contracted_accounts: int
    lost_accounts: int
    flat_accounts: int
    """Active in both periods with exactly the same revenue."""

    @property
    def change(self) -> float:
        """end − start."""
        return self.end - self.start


class Bridge(BaseModel):
    """The revenue bridge between two periods, for the portfolio and per segment."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    start_period: Period
    end_period: Period
    total: BridgeTotals
    segments: list[BridgeTotals]
    """Per segment with an account in either period, in display order; they add up to total."""

    def parts(self) -> dict[str, float]:
        """The portfolio's {start, new, expansion, contraction, lost, end}, JSON-ready."""
        return {name: getattr(self.total, name) for name in BRIDGE_PARTS}


def _plain(value: object) -> object:
    return float(value) if isinstance(value, Decimal) else value


@contextmanager
def _moves(
    con: duckdb.DuckDBPyConnection,
    sql: str,
    start: Period,
    end: Period,
    base: SegmentsBase | None,
) -> Iterator[tuple[str, dict[str, object]]]:
    """`sql` (holding {sums}) ready to run on the two periods' sums, with the base in view."""
    base = base_for(con, base, [start, end])
    sums, params = base.sums_sql({"start": start, "end": end})
    with base.view(con):
        yield sql.replace("{sums}", sums), params


def revenue_bridge(
    con: duckdb.DuckDBPyConnection,
    start: Period,
    end: Period,
    base: SegmentsBase | None = None,
) -> Bridge:
    """The bridge from `start` to `end` (usually the prior period and the current one).

    `base` (optional, core.segments_base) holds the sums already read."""
    with _moves(con, _TOTALS_SQL, start, end, base) as (sql, params):
        relation = con.sql(sql, params=params)
        names = relation.columns
        rows = [dict(zip(names, map(_plain, row), strict=True)) for row in relation.fetchall()]
    empty = {name: 0 for name in names if name != "segment"}
    totals = [BridgeTotals.model_validate(row) for row in rows]
    total = next(
        (item for item in totals if item.segment is None),
        BridgeTotals.model_validate({**empty, "segment": None}),
    )
    return Bridge(
        start_period=start,
        end_period=end,
        total=total,
        segments=[item for item in totals if item.segment is not None],
    )


def bridge_accounts(
    con: duckdb.DuckDBPyConnection,
    start: Period,
    end: Period,
    base: SegmentsBase | None = None,
) -> pd.DataFrame:
    """Per account with rows in either period: its part of the bridge.

    Columns: account, name, segment, r0 and r1 (net revenue in each period, credit notes
    included), start and end (the same, 0 when not positive), change (end − start) and
    movement (new, expansion, contraction, lost, flat, or inactive: not positive in either).
    Sorted by the size of the change, largest first.
    """
    accounts_sql = f"""WITH {_ACCOUNTS_SQL}
        SELECT account, name, segment, r0::DOUBLE AS r0, r1::DOUBLE AS r1,
               start::DOUBLE AS start, "end"::DOUBLE AS "end",
               ("end" - start)::DOUBLE AS change, movement
        FROM moves ORDER BY abs("end" - start) DESC, account"""
    with _moves(con, accounts_sql, start, end, base) as (sql, params):
        return frame(con, sql, params)


def prior_bridge(
    con: duckdb.DuckDBPyConnection, period: Period, base: SegmentsBase | None = None
) -> Bridge | None:
    """The bridge from the same-length period just before `period` to `period`.

    None when no stored month falls in the period or stored history does not cover all of the
    prior one (a gap would read as lost and new accounts).
    """
    compared = comparisons(con, period)
    if compared.current is None or compared.prior is None:
        return None
    return revenue_bridge(con, compared.prior, compared.current, base)


def bridge_identity_gap(con: duckdb.DuckDBPyConnection, start: Period, end: Period) -> list[tuple]:
    """(segment, start + new + expansion − contraction − lost − end) in DECIMAL: all exactly 0."""
    gap_sql = f"""SELECT segment, start + new + expansion - contraction - lost - "end"
                  FROM ({_TOTALS_SQL})"""
    with _moves(con, gap_sql, start, end, None) as (sql, params):
        return fetch_all(con, sql, params)


__all__ = [
    "BRIDGE_PARTS",
    "Bridge",
    "BridgeTotals",
    "Movement",
    "bridge_accounts",
    "bridge_identity_gap",
    "prior_bridge",
    "revenue_bridge",
]
