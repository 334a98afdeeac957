"""Segment mix for a period: revenue, gross profit, margin and accounts per value segment.

Segments are those of domain.md §4 (intrinsic, extrinsic, strategic, other), plus
'unassigned' for accounts whose rows never name one; which segment an account is in is decided
once, in core.segments_sql.account_segments_sql. Every figure is computed in DuckDB.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from core.concentration_sql import Grain, comparisons, period_buckets
from core.metrics import PERIOD_FILTER, Period
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


def _mix_sql(accounts: str) -> str:
    """The mix per bucket and segment over an `accounts` body (bucket, account_key, sums)."""
    return f"""
        WITH account_segments AS ({account_segments_sql()}),
        accounts AS ({accounts}),
        mix AS (
            SELECT a.bucket, s.segment, {MIX_COLUMNS}
            FROM accounts AS a JOIN account_segments AS s USING (account_key)
            GROUP BY a.bucket, s.segment
        )
        SELECT bucket, segment, accounts, nonpositive_accounts, net_revenue, {SHARE_COLUMNS},
               gross_profit, margin
        FROM mix"""


def _named_accounts_sql(periods: dict[str, Period]) -> tuple[str, dict[str, object]]:
    """An `accounts` body with one bucket per named period (periods may overlap)."""
    buckets, params = period_buckets(periods)
    return (
        f"""SELECT b.bucket, r.account_key, {ACCOUNT_SUMS}
            FROM active_rows AS r JOIN ({buckets}) AS b
              ON (b.b_start IS NULL OR r.month >= b.b_start)
             AND (b.b_end IS NULL OR r.month <= b.b_end)
            GROUP BY b.bucket, r.account_key""",
        params,
    )


def segment_mix(con: duckdb.DuckDBPyConnection, period: Period) -> pd.DataFrame:
    """Per segment with rows in the period: its accounts, money and shares.

    Columns: segment; accounts (positive net revenue) and nonpositive_accounts; net_revenue
    and revenue_share (of the period's net revenue); gross_profit (NULL without cost data),
    margin (gross profit / net revenue of the rows with cost) and profit_share. Sorted in
    display order: intrinsic, extrinsic, strategic, other, unassigned.
    """
    accounts = f"""SELECT 'current' AS bucket, account_key, {ACCOUNT_SUMS}
                   FROM active_rows WHERE {PERIOD_FILTER} GROUP BY account_key"""
    return frame(
        con,
        f"SELECT {', '.join(MIX_FIELDS)} FROM ({_mix_sql(accounts)}) ORDER BY {SEGMENT_RANK_SQL}",
        period.params(),
    )


def segment_mix_trend(
    con: duckdb.DuckDBPyConnection, grain: Grain = "month", period: Period | None = None
) -> pd.DataFrame:
    """The mix per month or quarter over the stored history (or `period`), in one query.

    Columns: bucket (the month's or quarter's first day), then those of segment_mix. Shares
    are within each bucket. Sorted by bucket, then display order.
    """
    if grain not in ("month", "quarter"):
        raise ValueError(f"grain must be 'month' or 'quarter', not {grain!r}")
    key = "month" if grain == "month" else "date_trunc('quarter', month)::DATE"
    accounts = f"""SELECT {key} AS bucket, account_key, {ACCOUNT_SUMS}
                   FROM active_rows WHERE {PERIOD_FILTER} GROUP BY 1, account_key"""
    return frame(
        con,
        f"""SELECT bucket, {", ".join(MIX_FIELDS)} FROM ({_mix_sql(accounts)})
            ORDER BY bucket, {SEGMENT_RANK_SQL}""",
        (period or Period()).params(),
    )


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


def segment_mix_shift(con: duckdb.DuckDBPyConnection, period: Period) -> MixShift:
    """How the segment shares moved against the prior period and the same period last year.

    Comparisons follow core.concentration_sql.comparisons: a compared window counts only when
    every one of its months is stored.
    """
    compared = comparisons(con, period)
    named = {"current": compared.current, "prior": compared.prior, "last_year": compared.last_year}
    periods = {name: value for name, value in named.items() if value is not None}
    if not periods:
        empty = pd.DataFrame(columns=["segment", "net_revenue", "revenue_share", "profit_share"])
        return MixShift(None, None, None, empty)
    accounts, params = _named_accounts_sql(periods)

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
    table = frame(
        con,
        f"""WITH shares AS (
                SELECT segment, {", ".join(columns)}
                FROM ({_mix_sql(accounts)}) GROUP BY segment
            ),
            filled AS (SELECT segment, {", ".join(filled)} FROM shares)
            SELECT *,
                   100 * (revenue_share - revenue_share_prior) AS revenue_share_pts_prior,
                   100 * (profit_share - profit_share_prior) AS profit_share_pts_prior,
                   100 * (revenue_share - revenue_share_last_year) AS revenue_share_pts_last_year,
                   100 * (profit_share - profit_share_last_year) AS profit_share_pts_last_year
            FROM filled ORDER BY {SEGMENT_RANK_SQL}""",
        params,
    )
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
