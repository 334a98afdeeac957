"""SQL building blocks shared by the concentration figures: months, periods, units and figures.

Every concentration query is one statement of common table expressions layered the same way:
`monthly` (one row per month × account) → `buckets` (the periods, months or scenarios
compared) → `accounts` (one row per bucket × account) → `units` (accounts or parent groups)
→ `ranked` / `figures`. Only fixed fragments from this module are formatted into SQL; every
user value is bound as a parameter.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Final, Literal

import duckdb
import pandas as pd
import pyarrow as pa

from core.metrics import PERIOD_FILTER, Period
from core.sql import fetch_all

By = Literal["account", "group"]
"""The unit of concentration: each account, or each parent group (or lone account)."""

Grain = Literal["month", "quarter"]

PARETO_SHARE: Final = 0.8
"""The Pareto point is the smallest k whose cumulative share reaches this."""

PARETO_TOLERANCE: Final = 1e-9
"""Relative slack on the 80% test, so float rounding of a running sum never moves k."""

MONTHLY_SQL: Final = f"""
    SELECT month, account_key,
           max(account_name) AS account_name,
           max(parent_group) AS parent_group,
           sum(net_revenue) AS net_revenue,
           sum(gross_profit) AS gross_profit,
           count(gross_profit) AS cost_rows
    FROM active_rows WHERE {PERIOD_FILTER}
    GROUP BY month, account_key"""
"""One row per month × account of the stored rows in $start..$end."""

_ACCOUNT_COLUMNS: Final = """
           m.account_key,
           coalesce(arg_max(m.account_name, m.month) FILTER (WHERE m.account_name IS NOT NULL),
                    m.account_key) AS account_name,
           arg_max(m.parent_group, m.month) FILTER (WHERE m.parent_group IS NOT NULL)
               AS parent_group,
           sum(m.net_revenue) AS net_revenue,
           sum(m.gross_profit) AS gross_profit,
           sum(m.cost_rows) AS cost_rows"""
# An account's name and group in a bucket are those of its latest month that names one.

_UNITS: Final[dict[str, str]] = {
    "account": """
        SELECT bucket, account_key AS key, account_name AS name, parent_group,
               1 AS members, net_revenue, gross_profit, cost_rows
        FROM {source}""",
    "group": """
        SELECT bucket, coalesce(parent_group, account_key) AS key,
               CASE WHEN bool_or(parent_group IS NOT NULL)
                    THEN coalesce(parent_group, account_key) ELSE max(account_name) END AS name,
               max(parent_group) AS parent_group,
               count(*) AS members, sum(net_revenue) AS net_revenue,
               sum(gross_profit) AS gross_profit, sum(cost_rows) AS cost_rows
        FROM {source} GROUP BY bucket, coalesce(parent_group, account_key)""",
}
"""The `units` relation per level: columns bucket, key, name, parent_group, members,
net_revenue, gross_profit, cost_rows."""

RANKED_SQL: Final = """
    SELECT *, row_number() OVER w AS rank,
           count(*) OVER p AS n,
           sum(net_revenue) OVER p AS total,
           sum(net_revenue) OVER w AS cum
    FROM units WHERE net_revenue > 0
    WINDOW p AS (PARTITION BY bucket),
           w AS (PARTITION BY bucket ORDER BY round(net_revenue, 4) DESC, key)"""
"""Units with positive revenue, ranked largest first per bucket, ties broken by key."""

FIGURES_SQL: Final = f"""
    positive AS (
        SELECT bucket, any_value(n)::INTEGER AS n, any_value(total) AS total,
               sum(net_revenue) FILTER (WHERE rank <= 1) / any_value(total) AS top1_share,
               sum(net_revenue) FILTER (WHERE rank <= 5) / any_value(total) AS top5_share,
               sum(net_revenue) FILTER (WHERE rank <= 10) / any_value(total) AS top10_share,
               ((any_value(n) + 4) // 5)::INTEGER AS top20pct_n,
               sum(net_revenue) FILTER (WHERE rank <= (n + 4) // 5) / any_value(total)
                   AS top20pct_share,
               min(rank) FILTER (
                   WHERE cum >= {PARETO_SHARE} * total * (1 - {PARETO_TOLERANCE}))::INTEGER
                   AS pareto_k,
               10000 * sum((net_revenue / total) ** 2) AS hhi,
               sum((n + 1 - 2 * rank) * net_revenue) / (any_value(n) * any_value(total)) AS gini
        FROM ranked GROUP BY bucket
    ),
    overall AS (
        SELECT bucket, sum(net_revenue) AS net_revenue,
               count(*) FILTER (WHERE net_revenue <= 0)::INTEGER AS nonpositive,
               coalesce(sum(net_revenue) FILTER (WHERE net_revenue <= 0), 0)
                   AS nonpositive_revenue,
               sum(gross_profit) AS gross_profit, sum(cost_rows) AS cost_rows
        FROM units GROUP BY bucket
    ),
    figures AS (
        SELECT o.bucket, coalesce(p.n, 0) AS n, coalesce(p.total, 0) AS total,
               o.net_revenue, o.nonpositive, o.nonpositive_revenue,
               CASE WHEN o.cost_rows > 0 THEN o.gross_profit END AS gross_profit,
               p.top1_share, p.top5_share, p.top10_share, coalesce(p.top20pct_n, 0) AS top20pct_n,
               p.top20pct_share, p.pareto_k, p.pareto_k / p.n AS pareto_share, p.hhi,
               10000 / p.hhi AS effective_accounts, p.gini
        FROM overall AS o LEFT JOIN positive AS p USING (bucket)
    )"""
"""Per bucket: n, total, every concentration figure, and the units at zero or below.

Follows domain.md §3: shares of positive units only, top-20% = top ceil(n/5), HHI on
0–10,000, Gini = Σ(2i − n − 1)·x_i / (n·Σx) with i ascending, written with the descending
rank r as i = n + 1 − r.
"""

FIGURE_COLUMNS: Final = (
    "n",
    "total",
    "net_revenue",
    "nonpositive",
    "nonpositive_revenue",
    "gross_profit",
    "top1_share",
    "top5_share",
    "top10_share",
    "top20pct_n",
    "top20pct_share",
    "pareto_k",
    "pareto_share",
    "hhi",
    "effective_accounts",
    "gini",
)
"""The columns of `figures` after bucket, in order."""


def nullable_ints(table: pa.Table) -> pd.DataFrame:
    """A DataFrame whose integer columns stay integers when they hold NULLs."""
    mapping = {pa.int32(): pd.Int64Dtype(), pa.int64(): pd.Int64Dtype()}
    return table.to_pandas(date_as_object=False, types_mapper=mapping.get)


UNIT_OF_ACCOUNT: Final[dict[str, str]] = {
    "account": "account_key",
    "group": "coalesce(parent_group, account_key)",
}
"""The unit key of a row of `accounts`, per level."""


def units_sql(by: By, source: str = "accounts") -> str:
    """The `units` body for a level over `source` (a fixed relation name, never user text)."""
    if by not in _UNITS:
        raise ValueError(f"by must be 'account' or 'group', not {by!r}")
    return _UNITS[by].format(source=source)


def period_buckets(periods: dict[str, Period]) -> tuple[str, dict[str, object]]:
    """A `buckets` body naming each period; names are fixed identifiers, dates are bound."""
    rows, params = [], {}
    for name, period in periods.items():
        if not name.isidentifier():
            raise ValueError(f"bucket name {name!r} is not an identifier")
        rows.append(f"('{name}', $s_{name}::DATE, $e_{name}::DATE)")
        params[f"s_{name}"], params[f"e_{name}"] = period.start, period.end
    return f"SELECT * FROM (VALUES {', '.join(rows)}) AS b(bucket, b_start, b_end)", params


def direct_accounts_sql(bucket: str) -> str:
    """`accounts` for one period straight from active_rows ($start..$end), with the same
    name and group rule as through `monthly` (latest month, then the largest value)."""
    if not bucket.isidentifier():
        raise ValueError(f"bucket name {bucket!r} is not an identifier")
    return f"""
        SELECT '{bucket}' AS bucket, account_key,
               coalesce(arg_max(account_name, (month, account_name))
                            FILTER (WHERE account_name IS NOT NULL), account_key) AS account_name,
               arg_max(parent_group, (month, parent_group))
                   FILTER (WHERE parent_group IS NOT NULL) AS parent_group,
               sum(net_revenue) AS net_revenue, sum(gross_profit) AS gross_profit,
               count(gross_profit) AS cost_rows
        FROM active_rows WHERE {PERIOD_FILTER}
        GROUP BY account_key"""


@dataclass(frozen=True)
class Scope:
    """Where `monthly` and `accounts` come from: a scan of active_rows, or temporary tables."""

    monthly: str
    """The body of the `monthly` common table expression."""
    params: dict[str, object] = field(default_factory=dict)
    """The parameters that body binds."""
    scanned: Period | None = None
    """For a scan, the period it reads, so one bucket over it skips the monthly step."""
    accounts_table: str | None = None
    """A temporary table of `accounts` rows already computed for `account_periods`."""
    account_periods: dict[str, Period] = field(default_factory=dict)

    @classmethod
    def scan(cls, period: Period) -> Scope:
        """Read the period's stored rows directly: one pass for one query."""
        return cls(MONTHLY_SQL, dict(period.params()), scanned=period)

    def head(self, periods: dict[str, Period]) -> tuple[str, dict[str, object]]:
        """`WITH … accounts`, one bucket per named period (a name is an identifier)."""
        buckets, params = period_buckets(periods)
        if self.accounts_table and all(
            self.account_periods.get(name) == period for name, period in periods.items()
        ):
            names = ", ".join(f"'{name}'" for name in periods)
            return (
                f"""WITH accounts AS (
                        SELECT * FROM {self.accounts_table} WHERE bucket IN ({names}))""",
                {},
            )
        if self.scanned is not None and list(periods.values()) == [self.scanned]:
            return f"WITH accounts AS ({direct_accounts_sql(*periods)})", dict(self.params)
        sql = f"""WITH monthly AS ({self.monthly}),
            buckets AS ({buckets}),
            accounts AS (
                SELECT b.bucket, {_ACCOUNT_COLUMNS}
                FROM monthly AS m JOIN buckets AS b
                  ON (b.b_start IS NULL OR m.month >= b.b_start)
                 AND (b.b_end IS NULL OR m.month <= b.b_end)
                GROUP BY b.bucket, m.account_key
            )"""
        return sql, {**self.params, **params}

    def head_by_grain(self, grain: Grain) -> tuple[str, dict[str, object]]:
        """`WITH monthly, accounts` with one bucket per month or quarter (its first day)."""
        if grain == "month":  # a month × account row is already one bucket's account
            accounts = """SELECT month AS bucket, account_key,
                                 coalesce(account_name, account_key) AS account_name,
                                 parent_group, net_revenue, gross_profit, cost_rows
                          FROM monthly"""
        elif grain == "quarter":
            accounts = f"""SELECT date_trunc('quarter', m.month)::DATE AS bucket, {_ACCOUNT_COLUMNS}
                           FROM monthly AS m
                           GROUP BY date_trunc('quarter', m.month)::DATE, m.account_key"""
        else:
            raise ValueError(f"grain must be 'month' or 'quarter', not {grain!r}")
        return f"WITH monthly AS ({self.monthly}), accounts AS ({accounts})", dict(self.params)


@contextmanager
def materialised(
    con: duckdb.DuckDBPyConnection, period: Period, periods: dict[str, Period] | None = None
) -> Iterator[Scope]:
    """A scope over temporary tables, so several queries read the stored rows once.

    `period` bounds the month × account table; `periods`, if given, also keeps those named
    periods' per-account totals. A single named period equal to `period` is read straight
    into per-account totals, and the month × account table is not built.
    """
    token = uuid.uuid4().hex
    monthly, accounts = f"keystone_monthly_{token}", f"keystone_accounts_{token}"
    try:
        if periods and list(periods.values()) == [period]:
            scope = Scope.scan(period)
        else:
            con.sql(f"CREATE TEMP TABLE {monthly} AS {MONTHLY_SQL}", params=period.params())
            scope = Scope(f"SELECT * FROM {monthly}")
        if periods:
            head, params = scope.head(periods)
            con.sql(f"CREATE TEMP TABLE {accounts} AS {head} SELECT * FROM accounts", params=params)
            scope = Scope(
                scope.monthly, scope.params, accounts_table=accounts, account_periods=dict(periods)
            )
        yield scope
    finally:
        con.sql(f"DROP TABLE IF EXISTS {accounts}")
        con.sql(f"DROP TABLE IF EXISTS {monthly}")


def shift_months(day: date, months: int) -> date:
    """The first of the month `months` after (or before, if negative) day's month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_span(period: Period) -> int:
    """Months in a closed period, both ends included."""
    assert period.start is not None and period.end is not None
    return (period.end.year - period.start.year) * 12 + period.end.month - period.start.month + 1


@dataclass(frozen=True)
class Comparisons:
    """A period clipped to the stored months, and the periods it is compared with."""

    current: Period | None
    """The period within stored history; None when no stored month falls in it."""
    prior: Period | None
    """Same length, immediately before; None unless stored history covers all of it."""
    last_year: Period | None
    """Shifted back 12 months; None unless stored history covers all of it."""


def comparisons(con: duckdb.DuckDBPyConnection, period: Period) -> Comparisons:
    """The period's prior and same-period-last-year, judged against the stored months.

    A comparison window counts only when every one of its months is stored: a gap would
    compare unlike spans and show a wrong change.
    """
    stored = {
        row[0] for row in fetch_all(con, "SELECT DISTINCT month FROM upload_months WHERE active")
    }
    if not stored:
        return Comparisons(None, None, None)
    first, last = min(stored), max(stored)
    start = max(period.start or first, first)
    end = min(period.end or last, last)
    if start > end:
        return Comparisons(None, None, None)
    current = Period(start=start, end=end)
    span = month_span(current)
    prior = Period(start=shift_months(start, -span), end=shift_months(start, -1))
    last_year = Period(start=shift_months(start, -12), end=shift_months(end, -12))

    def covered(window: Period) -> bool:
        assert window.start is not None
        return all(shift_months(window.start, step) in stored for step in range(month_span(window)))

    return Comparisons(
        current,
        prior if covered(prior) else None,
        last_year if covered(last_year) else None,
    )
