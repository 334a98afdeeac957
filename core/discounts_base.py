"""One period's account × month discount table, read from the stored rows once.

The discount figures of a period (rates, waterfall, creep, corridor) all start from the same
per-account, per-month sums. Computing those once and answering every figure from the small
table avoids a scan of the stored rows per figure (style.md: "compute it once per period").
The table keeps its sums apart for rows with and without list data, and with and without cost
(the waterfall's rows when any carries cost), so each figure can pick its rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Final

import duckdb
import pyarrow as pa

from core.discounts_sql import LISTED
from core.metrics import Period
from core.sql import arrow, registered

CREEP_MONTHS: Final = 6
"""Creep compares the last 3 months with the 3 before: 6 months ending at the period's end."""

VIEW: Final = "discount_base"
"""The name the table has inside queries while `DiscountBase.view` is open."""

COST: Final = "coalesce(cost, net_revenue - gross_profit)"
"""SQL: a row's cost, from the cost column or net revenue − gross profit."""

_BASE_SQL = f"""
SELECT account_key, month, segment,
       {LISTED} AS listed,
       {COST} IS NOT NULL AS costed,
       max(account_name) AS name,
       count(*) AS rows,
       sum(net_revenue) AS net,
       sum(abs(net_revenue)) AS abs_net,
       sum(list_revenue) AS list,
       sum(discount_amount) AS disc,
       sum(coalesce(off_invoice, 0)) AS off,
       sum({COST}) AS cost
FROM active_rows
WHERE ($first IS NULL OR month >= $first) AND ($last IS NULL OR month <= $last)
GROUP BY ALL"""
"""Rows with and without list data (and cost) are summed apart: the flags are grouping keys,
which is about twice as fast as a FILTER per sum, and the figures filter the small table."""

L: Final = "FILTER (WHERE listed)"
"""SQL: an aggregate over the account-months' rows with list data."""

RATE_COLUMNS: Final = f"""
    sum(net) AS net_revenue,
    sum(list) {L} AS list_revenue,
    sum(disc) {L} AS discount_amount,
    sum(off) {L} AS off_invoice,
    sum(disc) {L} / nullif(sum(list) {L}, 0) AS discount_rate,
    (sum(disc) {L} + sum(off) {L}) / nullif(sum(list) {L}, 0) AS concession_degree,
    CASE WHEN sum(abs_net) > 0 THEN coalesce(sum(abs_net) {L}, 0) / sum(abs_net) END AS coverage,
    coalesce(sum(rows), 0)::BIGINT AS rows"""
"""core.discounts_sql.RATE_COLUMNS, over the account × month table instead of the rows."""


def rate_sql(when: str = "true") -> str:
    """SQL: the weighted discount rate over the account-months with list data matching `when`."""
    rows = f"FILTER (WHERE listed AND {when})"
    return f"sum(disc) {rows} / nullif(sum(list) {rows}, 0)"


def months_before(month: date, count: int) -> date:
    """The first day of the month `count` months before `month`."""
    index = month.year * 12 + month.month - 1 - count
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class DiscountBase:
    """The account × month discount sums over [first, last] (None: unbounded)."""

    table: pa.Table
    """One row per account, month, segment and data flags (listed, costed); sums as in
    _BASE_SQL."""
    first: date | None
    """The first month covered; None when every stored month from the start is."""
    last: date | None
    """The last month covered; None when every stored month to the end is."""

    def covers(self, first: date | None, last: date | None) -> bool:
        """Whether every month in [first, last] is in the table."""
        starts = self.first is None or (first is not None and first >= self.first)
        ends = self.last is None or (last is not None and last <= self.last)
        return starts and ends

    @contextmanager
    def view(self, con: duckdb.DuckDBPyConnection) -> Iterator[str]:
        """The table visible in `con` as view VIEW for the block."""
        with registered(con, VIEW, self.table):
            yield VIEW


def discount_base(con: duckdb.DuckDBPyConnection, period: Period) -> DiscountBase:
    """The account × month sums of the period, widened to the 6 creep months when it is short.

    One scan of the stored rows; every discount figure of the period is answered from it.
    """
    first = period.start
    if first is not None:
        # Creep ends at the last stored month; with an open end that is unknown here.
        creep_first = months_before(period.end or first, CREEP_MONTHS - 1)
        first = min(first, creep_first)
    return window_base(con, first, period.end)


def window_base(
    con: duckdb.DuckDBPyConnection, first: date | None, last: date | None
) -> DiscountBase:
    """The account × month sums between two months (None: unbounded)."""
    table = arrow(con, _BASE_SQL, {"first": first, "last": last})
    return DiscountBase(table=table, first=first, last=last)


def base_for(
    con: duckdb.DuckDBPyConnection, base: DiscountBase | None, first: date | None, last: date | None
) -> DiscountBase:
    """`base` when it covers [first, last], else a table read for exactly that window."""
    return base if base is not None and base.covers(first, last) else window_base(con, first, last)
