"""One period's discount tables, read from the stored rows once.

Every discount figure of a period (rates, waterfall, corridor, creep) starts from per-account
sums, so two small tables are read once and every figure is answered from them (style.md:
"compute it once per period"):
- `accounts`: per account, segment and data flags (list data, cost data), the period's sums;
  it answers the rates, the price waterfall and the peer corridor;
- `months`: per account, month and list flag, the sums of the 6 creep months; it answers creep.
Both leave names out: the figures name accounts from the account directory (core.directory),
since reading name strings from every stored row would cost more than all the sums.
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

ACCOUNTS: Final = "discount_accounts"
"""The name the accounts table has inside queries while `DiscountBase.accounts_view` is open."""

MONTHS: Final = "discount_months"
"""The name of a creep months table inside queries while `months_view` is open."""

COST: Final = "coalesce(cost, net_revenue - gross_profit)"
"""SQL: a row's cost, from the cost column or net revenue − gross profit."""

_ACCOUNTS_SQL = f"""
SELECT account_key, segment,
       {LISTED} AS listed,
       {COST} IS NOT NULL AS costed,
       max(month) AS last_month,
       count(*) AS rows,
       sum(net_revenue) AS net,
       sum(abs(net_revenue)) AS abs_net,
       sum(list_revenue) AS list,
       sum(discount_amount) AS disc,
       sum(coalesce(off_invoice, 0)) AS off,
       sum({COST}) AS cost
FROM active_rows
WHERE ($start IS NULL OR month >= $start) AND ($end IS NULL OR month <= $end)
GROUP BY ALL"""
"""Rows with and without list data (and cost) are summed apart: the flags are grouping keys,
which is about twice as fast as a FILTER per sum, and the figures filter the small table."""

_MONTHS_SQL = f"""
SELECT account_key, month, {LISTED} AS listed,
       sum(net_revenue) AS net, sum(list_revenue) AS list, sum(discount_amount) AS disc
FROM active_rows WHERE month BETWEEN $first AND $last
GROUP BY ALL"""
"""One row per account, month and list flag: a listed row's disc / list is the month's rate."""

L: Final = "FILTER (WHERE listed)"
"""SQL: an aggregate over the accounts table's rows with list data."""

RATE_COLUMNS: Final = f"""
    sum(net) AS net_revenue,
    sum(list) {L} AS list_revenue,
    sum(disc) {L} AS discount_amount,
    sum(off) {L} AS off_invoice,
    sum(disc) {L} / nullif(sum(list) {L}, 0) AS discount_rate,
    (sum(disc) {L} + sum(off) {L}) / nullif(sum(list) {L}, 0) AS concession_degree,
    CASE WHEN sum(abs_net) > 0 THEN coalesce(sum(abs_net) {L}, 0) / sum(abs_net) END AS coverage,
    coalesce(sum(rows), 0)::BIGINT AS rows"""
"""core.discounts_sql.RATE_COLUMNS, over the accounts table instead of the rows."""


LATEST_SEGMENT: Final = "arg_max(segment, (last_month, segment)) FILTER (WHERE segment IS NOT NULL)"
"""SQL aggregate over an account's rows of the accounts table: its latest segment in the
period (ties within a month: the largest), NULL when no row names one."""


def rate_sql(when: str = "true") -> str:
    """SQL: the weighted discount rate over the table's listed rows matching `when`."""
    rows = f"FILTER (WHERE listed AND {when})"
    return f"sum(disc) {rows} / nullif(sum(list) {rows}, 0)"


def months_before(month: date, count: int) -> date:
    """The first day of the month `count` months before `month`."""
    index = month.year * 12 + month.month - 1 - count
    return date(index // 12, index % 12 + 1, 1)


def creep_window(last: date) -> tuple[date, date]:
    """The first and last month of the 6 creep months ending at `last`."""
    last = last.replace(day=1)
    return months_before(last, CREEP_MONTHS - 1), last


@dataclass(frozen=True)
class DiscountBase:
    """A period's per-account discount sums, and the per-month sums of its creep months."""

    period: Period
    """The months the accounts table sums, exactly."""
    accounts: pa.Table
    """One row per account, segment and data flags (listed, costed); sums as in _ACCOUNTS_SQL,
    and last_month, the group's latest month."""
    months: pa.Table | None
    """One row per account, month and list flag over `creep_months`; None when not read."""
    creep_months: tuple[date, date] | None
    """The first and last month `months` covers."""

    def answers(self, period: Period) -> bool:
        """Whether the accounts table sums exactly the months of `period`."""
        return (self.period.start, self.period.end) == (period.start, period.end)

    def covers_creep(self, first: date, last: date) -> bool:
        """Whether `months` holds every month in [first, last]."""
        if self.months is None or self.creep_months is None:
            return False
        return self.creep_months[0] <= first and last <= self.creep_months[1]

    @contextmanager
    def accounts_view(self, con: duckdb.DuckDBPyConnection) -> Iterator[str]:
        """The accounts table visible in `con` as view ACCOUNTS for the block."""
        with registered(con, ACCOUNTS, self.accounts):
            yield ACCOUNTS


def discount_base(
    con: duckdb.DuckDBPyConnection, period: Period, creep: bool = True
) -> DiscountBase:
    """The period's per-account sums and, with `creep` and a closed end, the 6 months' sums
    ending at the period's end: one read of the stored rows each."""
    accounts = arrow(con, _ACCOUNTS_SQL, period.params())
    if not creep or period.end is None:
        return DiscountBase(period=period, accounts=accounts, months=None, creep_months=None)
    first, last = creep_window(period.end)
    months = arrow(con, _MONTHS_SQL, {"first": first, "last": last})
    return DiscountBase(period=period, accounts=accounts, months=months, creep_months=(first, last))


def base_for(
    con: duckdb.DuckDBPyConnection, base: DiscountBase | None, period: Period
) -> DiscountBase:
    """`base` when it sums exactly the period, else the period's accounts table read now."""
    if base is not None and base.answers(period):
        return base
    return discount_base(con, period, creep=False)


@contextmanager
def months_view(
    con: duckdb.DuckDBPyConnection, base: DiscountBase | None, first: date, last: date
) -> Iterator[str]:
    """The per-month sums of [first, last] visible as view MONTHS: `base`'s when it covers
    them, else read now."""
    if base is not None and base.months is not None and base.covers_creep(first, last):
        table = base.months
    else:
        table = arrow(con, _MONTHS_SQL, {"first": first, "last": last})
    with registered(con, MONTHS, table):
        yield MONTHS
