"""Segment mix for a period: revenue, gross profit, margin and accounts per value segment.

Segments are those of domain.md §4 (intrinsic, extrinsic, strategic, other), plus
'unassigned' for accounts whose rows never name one; which segment an account is in is decided
once, in core.segments_sql.account_segments_sql. Every figure is computed in DuckDB.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from core.concentration_sql import Grain, comparisons
from core.metrics import PERIOD_FILTER, Period
from core.segments_base import ACCOUNTS_VIEW, SegmentsBase, base_for
from core.segments_sql import (
    ACCOUNT_SUMS,
    MIX_COLUMNS,
    SEGMENT_ORDER,
    SEGMENT_RANK_SQL,
    SEGMENTS,
    SHARE_COLUMNS,
    UNASSIGNED,
    account_segments_sql,
)
from core.sql import frame

MIX_FIELDS = (
    "segment",
    "accounts",
    "nonpositive_accounts",
    "net_revenue",
    "revenue_share",
    "gross_profit",
    "margin",
    "profit_share",
)
"""The columns of segment_mix, in order."""


def _mix_sql(accounts: str, segments: str = f"SELECT * FROM {ACCOUNTS_VIEW}") -> str:
    """The mix per bucket and segment over an `accounts` body (bucket, account_key, sums) and
    a `segments` body (account_key, segment)."""
    return f"""
        WITH account_segments AS ({segments}),
        accounts AS ({accounts}),
        mix AS (
            SELECT a.bucket, s.segment, {MIX_COLUMNS}
            FROM accounts AS a JOIN account_segments AS s USING (account_key)
            GROUP BY a.bucket, s.segment
        )
        SELECT bucket, segment, accounts, nonpositive_accounts, net_revenue, {SHARE_COLUMNS},
               gross_profit, margin
        FROM mix"""


def _stored(con: duckdb.DuckDBPyConnection, period: Period) -> Period:
    """The period clipped to the stored months (the same rows), or as given when none is."""
    return comparisons(con, period).current or period


def segment_mix(
    con: duckdb.DuckDBPyConnection, period: Period, base: SegmentsBase | None = None
) -> pd.DataFrame:
    """Per segment with rows in the period: its accounts, money and shares.

    Columns: segment; accounts (positive net revenue) and nonpositive_accounts; net_revenue
    and revenue_share (of the period's net revenue); gross_profit (NULL without cost data),
    margin (gross profit / net revenue of the rows with cost) and profit_share. Sorted in
    display order: intrinsic, extrinsic, strategic, other, unassigned. `base` (optional) holds
    the sums already read (core.segments_base).
    """
    period = _stored(con, period)
    base = base_for(con, base, [period])
    accounts, params = base.sums_sql({"current": period})
    with base.view(con):
        return frame(
            con,
            f"""SELECT {", ".join(MIX_FIELDS)} FROM ({_mix_sql(accounts)})
                ORDER BY {SEGMENT_RANK_SQL}""",
            params,
        )


def segment_mix_trend(
    con: duckdb.DuckDBPyConnection,
    grain: Grain = "month",
    period: Period | None = None,
    base: SegmentsBase | None = None,
) -> pd.DataFrame:
    """The mix per month or quarter over the stored history (or `period`), in one query.

    Columns: bucket (the month's or quarter's first day), then those of segment_mix. Shares
    are within each bucket. Sorted by bucket, then display order. `base` (optional) gives the
    accounts' segments already read.
    """
    if grain not in ("month", "quarter"):
        raise ValueError(f"grain must be 'month' or 'quarter', not {grain!r}")
    key = "month" if grain == "month" else "date_trunc('quarter', month)::DATE"
    accounts = f"""SELECT {key} AS bucket, account_key, {ACCOUNT_SUMS}
                   FROM active_rows WHERE {PERIOD_FILTER} GROUP BY 1, account_key"""
    sql = f"""SELECT bucket, {", ".join(MIX_FIELDS)} FROM ({{mix}})
              ORDER BY bucket, {SEGMENT_RANK_SQL}"""
    params = (period or Period()).params()
    if base is None:
        return frame(con, sql.format(mix=_mix_sql(accounts, account_segments_sql())), params)
    with base.view(con):
        return frame(con, sql.format(mix=_mix_sql(accounts)), params)


@dataclass(frozen=True)
class MixShift:
    """The period's mix against the prior period and the same period last year."""

    current: Period | None
    """The period clipped to stored months; None when no stored month falls in it."""
    prior: Period | None
    """Same length, immediately before; None unless stored history covers all of it."""
    last_year: Period | None
    """Shifted back 12 months; None unless stored history covers all of it."""
    table: pd.DataFrame
    """Per segment present in any of the periods: segment; net_revenue, revenue_share,
    profit_share now; the same with suffix _prior and _last_year (0 for a segment absent from
    a compared period, NULL when that period is not available); and the shifts in percentage
    points: revenue_share_pts_prior, profit_share_pts_prior, revenue_share_pts_last_year,
    profit_share_pts_last_year (100 · (now − then))."""


def segment_mix_shift(
    con: duckdb.DuckDBPyConnection, period: Period, base: SegmentsBase | None = None
) -> MixShift:
    """How the segment shares moved against the prior period and the same period last year.

    Comparisons follow core.concentration_sql.comparisons: a compared window counts only when
    every one of its months is stored. `base` (optional) holds the sums already read.
    """
    compared = comparisons(con, period)
    named = {"current": compared.current, "prior": compared.prior, "last_year": compared.last_year}
    periods = {name: value for name, value in named.items() if value is not None}
    if not periods:
        empty = pd.DataFrame(columns=["segment", "net_revenue", "revenue_share", "profit_share"])
        return MixShift(None, None, None, empty)
    base = base_for(con, base, periods.values())
    accounts, params = base.sums_sql(periods)

    def column(field: str, bucket: str, suffix: str) -> str:
        if bucket not in periods:
            return f"NULL::DOUBLE AS {field}{suffix}"
        return f"any_value({field}) FILTER (WHERE bucket = '{bucket}') AS {field}{suffix}"

    fields = ("net_revenue", "revenue_share", "profit_share")
    suffixes = (("current", ""), ("prior", "_prior"), ("last_year", "_last_year"))
    columns = [column(field, bucket, suffix) for bucket, suffix in suffixes for field in fields]
    # A segment absent from a compared period holds 0 of it, unless that period has no such
    # figure at all (not stored, or no cost data for profit shares).
    filled = [
        f"CASE WHEN count({field}{suffix}) OVER () > 0 THEN coalesce({field}{suffix}, 0) END"
        f" AS {field}{suffix}"
        for _, suffix in suffixes
        for field in fields
    ]
    sql = f"""WITH shares AS (
                SELECT segment, {", ".join(columns)}
                FROM ({_mix_sql(accounts)}) GROUP BY segment
            ),
            filled AS (SELECT segment, {", ".join(filled)} FROM shares)
            SELECT *,
                   100 * (revenue_share - revenue_share_prior) AS revenue_share_pts_prior,
                   100 * (profit_share - profit_share_prior) AS profit_share_pts_prior,
                   100 * (revenue_share - revenue_share_last_year) AS revenue_share_pts_last_year,
                   100 * (profit_share - profit_share_last_year) AS profit_share_pts_last_year
            FROM filled ORDER BY {SEGMENT_RANK_SQL}"""
    with base.view(con):
        table = frame(con, sql, params)
    return MixShift(compared.current, compared.prior, compared.last_year, table)


__all__ = [
    "MIX_FIELDS",
    "SEGMENTS",
    "SEGMENT_ORDER",
    "UNASSIGNED",
    "MixShift",
    "account_segments_sql",
    "segment_mix",
    "segment_mix_shift",
    "segment_mix_trend",
]
