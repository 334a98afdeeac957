"""Per account × period sums and each account's segment and name, read from the stored rows once.

The Segments page's figures (mix, mix shift, bridge, the scorecard of two periods with their
growth bases) all start from per-account sums over a few periods. Reading those once and
answering every figure from the small table avoids a scan of the stored rows per figure
(style.md: "compute it once per period"), as core.discounts_base does for the Discounts page.
Each distinct period is summed by its own branch, so the months outside it are skipped; breadth
(distinct products) is not additive over months, which is why the grain is the period.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Final

import duckdb
import pyarrow as pa

from core.concentration_sql import comparisons
from core.discounts_sql import LISTED
from core.metrics import Period
from core.segments_sql import account_segments_sql
from core.sql import arrow, registered

SUMS_VIEW: Final = "segment_sums"
"""The name of SegmentsBase.sums inside queries while SegmentsBase.view is open."""

ACCOUNTS_VIEW: Final = "segment_accounts"
"""The name of SegmentsBase.accounts inside queries while SegmentsBase.view is open."""

PERIOD_SUMS: Final = f"""
    sum(net_revenue) AS net_revenue,
    sum(net_revenue::DECIMAL(38, 4)) AS net_exact,
    sum(gross_profit) AS gross_profit,
    sum(net_revenue) FILTER (WHERE gross_profit IS NOT NULL) AS costed_net,
    count(gross_profit) AS cost_rows,
    sum(list_revenue) FILTER (WHERE {LISTED}) AS list_revenue,
    sum(discount_amount) FILTER (WHERE {LISTED}) AS discount_amount,
    sum(coalesce(off_invoice, 0)) FILTER (WHERE {LISTED}) AS off_invoice,
    count(DISTINCT product) AS products"""
"""Per account over a period's rows:

- net_revenue (DOUBLE) and net_exact (DECIMAL, each row to 1/10,000: the bridge's exact sums);
- gross_profit, costed_net (net revenue of the rows with cost) and cost_rows (rows with cost);
- list_revenue, discount_amount and off_invoice over the rows with list data (NULL without);
- products: distinct products named (0 when no row names one).
"""

SUM_COLUMNS: Final = (
    "net_revenue",
    "net_exact",
    "gross_profit",
    "costed_net",
    "cost_rows",
    "list_revenue",
    "discount_amount",
    "off_invoice",
    "products",
)
"""The columns PERIOD_SUMS adds after bucket and account_key."""


def _sums_sql(first: int, count: int) -> str:
    """One branch per period index first..first+count-1 ($s_<i>, $e_<i> bound), unioned."""
    return " UNION ALL ".join(
        f"""SELECT {index} AS bucket, account_key, {PERIOD_SUMS}
            FROM active_rows
            WHERE ($s_{index}::DATE IS NULL OR month >= $s_{index}::DATE)
              AND ($e_{index}::DATE IS NULL OR month <= $e_{index}::DATE)
            GROUP BY account_key"""
        for index in range(first, first + count)
    )


@dataclass(frozen=True)
class SegmentsBase:
    """The per-account sums of some periods, and every account's segment and name."""

    periods: tuple[Period, ...]
    """The periods summed, each once; a period's bucket is its index here."""
    sums: pa.Table
    """One row per period index (bucket) and account with rows in it: bucket, account_key,
    then SUM_COLUMNS."""
    accounts: pa.Table
    """One row per account over the whole stored history: account_key, segment, name (as
    core.segments_sql.account_segments_sql decides them)."""

    def covers(self, periods: Iterable[Period]) -> bool:
        """Whether every one of `periods` is summed here."""
        return all(period in self.periods for period in periods)

    def sums_sql(self, roles: dict[str, Period]) -> tuple[str, dict[str, object]]:
        """A body of (bucket, account_key, SUM_COLUMNS...) where bucket is the role's name.

        Roles may share a period: its rows then appear once per role. Every period must be
        covered. Role names are fixed identifiers; the bucket indexes are bound.
        """
        rows, params = [], {}
        for role, period in roles.items():
            if not role.isidentifier():
                raise ValueError(f"role name {role!r} is not an identifier")
            rows.append(f"('{role}', $bucket_{role}::INTEGER)")
            params[f"bucket_{role}"] = self.periods.index(period)
        if not rows:
            return f"SELECT * FROM {SUMS_VIEW} WHERE false", params
        columns = ", ".join(f"s.{name}" for name in SUM_COLUMNS)
        return (
            f"""SELECT r.role AS bucket, s.account_key, {columns}
                FROM {SUMS_VIEW} AS s
                JOIN (VALUES {", ".join(rows)}) AS r(role, bucket) ON s.bucket = r.bucket""",
            params,
        )

    @contextmanager
    def view(self, con: duckdb.DuckDBPyConnection) -> Iterator[None]:
        """The sums and accounts visible in `con` as SUMS_VIEW and ACCOUNTS_VIEW for the block."""
        with ExitStack() as stack:
            stack.enter_context(registered(con, SUMS_VIEW, self.sums))
            stack.enter_context(registered(con, ACCOUNTS_VIEW, self.accounts))
            yield


def _read_sums(con: duckdb.DuckDBPyConnection, periods: tuple[Period, ...], first: int) -> pa.Table:
    if not periods:
        return arrow(
            con,
            f"""SELECT NULL::INTEGER AS bucket, account_key, {PERIOD_SUMS}
                FROM active_rows WHERE false GROUP BY account_key""",
        )
    params: dict[str, object] = {}
    for offset, period in enumerate(periods):
        params[f"s_{first + offset}"], params[f"e_{first + offset}"] = period.start, period.end
    return arrow(con, _sums_sql(first, len(periods)), params)


def _distinct(periods: Iterable[Period]) -> tuple[Period, ...]:
    return tuple(dict.fromkeys(periods))


def segments_base(con: duckdb.DuckDBPyConnection, periods: Iterable[Period]) -> SegmentsBase:
    """The sums of `periods` (each distinct period once) and every account's segment and name."""
    distinct = _distinct(periods)
    accounts = arrow(con, account_segments_sql())
    return SegmentsBase(periods=distinct, sums=_read_sums(con, distinct, 0), accounts=accounts)


def base_for(
    con: duckdb.DuckDBPyConnection, base: SegmentsBase | None, periods: Iterable[Period]
) -> SegmentsBase:
    """`base` with any of `periods` it lacks summed and added (a new base when None)."""
    wanted = _distinct(periods)
    if base is None:
        return segments_base(con, wanted)
    missing = tuple(period for period in wanted if period not in base.periods)
    if not missing:
        return base
    added = _read_sums(con, missing, len(base.periods))
    return SegmentsBase(
        periods=base.periods + missing,
        sums=pa.concat_tables([base.sums, added.cast(base.sums.schema)]),
        accounts=base.accounts,
    )


def page_periods(con: duckdb.DuckDBPyConnection, period: Period) -> list[Period]:
    """The periods the Segments page's figures of `period` read: the period (clipped to stored
    months), its prior, the same period last year and the prior's own prior (the base of the
    compared scorecard's growth), those that stored history covers."""
    compared = comparisons(con, period)
    if compared.current is None:
        return []
    wanted = [compared.current, compared.prior, compared.last_year]
    if compared.prior is not None:
        wanted.append(comparisons(con, compared.prior).prior)
    return [window for window in wanted if window is not None]


def period_base(con: duckdb.DuckDBPyConnection, period: Period) -> SegmentsBase:
    """The base every Segments figure of `period` is answered from (see page_periods)."""
    return segments_base(con, page_periods(con, period))


__all__ = [
    "ACCOUNTS_VIEW",
    "PERIOD_SUMS",
    "SUMS_VIEW",
    "SUM_COLUMNS",
    "SegmentsBase",
    "base_for",
    "page_periods",
    "period_base",
    "segments_base",
]
