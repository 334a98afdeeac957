"""Test-only helpers for the concentration tests: tiny databases, and the figures in numpy/pandas.

The reference functions re-derive every figure from domain.md §3 with plain numpy and pandas,
sharing no code with core.concentration, so the tests check the SQL against them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import date

import duckdb
import numpy as np
import pandas as pd

from core.schema import SCHEMA_SQL

Row = tuple  # (month "YYYY-MM", account, net[, profit[, group[, name]]])


def month(text: str) -> date:
    """'YYYY-MM' as the first day of that month."""
    year, number = text.split("-")
    return date(int(year), int(number), 1)


def portfolio(rows: Iterable[Row]) -> duckdb.DuckDBPyConnection:
    """An in-memory Keystone database whose active rows are exactly `rows`.

    Each row is (month, account, net revenue, gross profit or None, parent group or None,
    account name or None); trailing items may be left out.
    """
    padded = [(*row, *[None] * (6 - len(row))) for row in rows]
    frame = pd.DataFrame(
        padded, columns=["month", "account", "net", "profit", "grp", "name"]
    ).astype(
        {
            "month": object,
            "account": object,
            "net": float,
            "profit": float,
            "grp": object,
            "name": object,
        }
    )
    frame["month"] = [month(text) for text in frame["month"]]
    con = duckdb.connect()
    for statement in SCHEMA_SQL:
        con.sql(statement)
    con.register("incoming", frame)
    con.sql(
        """INSERT INTO facts (upload_id, line, month, account_id, account_name, account_key,
                              parent_group, net_revenue, cost, gross_profit)
           SELECT 1, row_number() OVER (), month, account, name, account, grp, net,
                  net - profit, profit
           FROM incoming"""
    )
    con.sql("INSERT INTO upload_months SELECT DISTINCT 1, 'test', month, true, NULL FROM facts")
    con.unregister("incoming")
    return con


def stored_rows(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The active rows a reference computation starts from."""
    return con.sql(
        """SELECT month, account_key, account_name, parent_group, net_revenue, gross_profit
           FROM active_rows"""
    ).df()


def per_account(rows: pd.DataFrame, start: date | None = None, end: date | None = None):
    """Per account over [start, end]: net, profit (NaN without cost data), group and name.

    An account's group and name are those of its latest month naming one (the largest within
    that month), and a name falls back to the key.
    """
    months = pd.to_datetime(rows["month"]).dt.date
    keep = np.ones(len(rows), dtype=bool)
    if start is not None:
        keep &= months >= start
    if end is not None:
        keep &= months <= end
    rows = rows[keep].assign(month=months[keep])

    def latest(column: str) -> pd.Series:
        named = rows.dropna(subset=[column]).sort_values(["month", column])
        return named.groupby("account_key")[column].last()

    table = rows.groupby("account_key").agg(
        net=("net_revenue", "sum"),
        profit=("gross_profit", lambda s: s.sum(min_count=1)),
    )
    table["group"] = latest("parent_group").reindex(table.index)
    table["name"] = latest("account_name").reindex(table.index)
    table["name"] = table["name"].fillna(pd.Series(table.index, index=table.index))
    return table


def per_unit(accounts: pd.DataFrame, by: str) -> pd.DataFrame:
    """Accounts, or groups summed (an account without a group stands alone)."""
    if by == "account":
        return accounts[["net", "profit"]]
    key = accounts["group"].fillna(pd.Series(accounts.index, index=accounts.index))
    return accounts.groupby(key).agg(
        net=("net", "sum"),
        profit=("profit", lambda s: s.sum(min_count=1)),
        members=("net", "size"),
    )


def figures(values: Sequence[float]) -> dict[str, float | int | None]:
    """Every §3 figure of a list of unit revenues, from numpy alone."""
    x = np.asarray(values, dtype=float)
    positive = np.sort(x[x > 0])[::-1]
    n = len(positive)
    result: dict[str, float | int | None] = {
        "n": n,
        "nonpositive": int((x <= 0).sum()),
        "nonpositive_revenue": float(x[x <= 0].sum()),
        "net_revenue": float(x.sum()),
    }
    if n == 0:
        return result
    total = positive.sum()
    shares = positive / total
    cumulative = np.cumsum(positive)
    ascending = positive[::-1]
    i = np.arange(1, n + 1)
    top20_n = math.ceil(n / 5)
    pareto_k = int(np.argmax(cumulative >= 0.8 * total * (1 - 1e-9))) + 1
    hhi = float(((100 * shares) ** 2).sum())
    result.update(
        total=float(total),
        top1_share=float(shares[:1].sum()),
        top5_share=float(shares[:5].sum()),
        top10_share=float(shares[:10].sum()),
        top20pct_n=top20_n,
        top20pct_share=float(shares[:top20_n].sum()),
        pareto_k=pareto_k,
        pareto_share=pareto_k / n,
        hhi=hhi,
        effective_accounts=10_000 / hhi,
        gini=float(((2 * i - n - 1) * ascending).sum() / (n * total)),
    )
    return result


def lorenz(values: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    """Lorenz points (account share, revenue share) from (0, 0), smallest first."""
    x = np.sort(np.asarray([v for v in values if v > 0], dtype=float))
    n = len(x)
    return (np.arange(0, n + 1) / n, np.concatenate([[0.0], np.cumsum(x) / x.sum()]))


def whale(profits: Sequence[float]) -> dict[str, float | int | None]:
    """Whale-curve numbers of a list of unit profits."""
    p = np.sort(np.asarray(profits, dtype=float))[::-1]
    total = p.sum()
    cumulative = np.cumsum(p)
    peak = max(cumulative.max() / total, 1.0) if total > 0 else None
    return {
        "accounts": len(p),
        "total_profit": float(total),
        "peak": peak,
        "peak_k": int(np.argmax(cumulative >= cumulative.max())) + 1 if total > 0 else None,
        "negative_accounts": int((p < 0).sum()),
        "profit_destroyed": float(-p[p < 0].sum()),
    }
