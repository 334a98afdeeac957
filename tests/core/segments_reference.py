"""Test helpers for the segment, bridge and scorecard figures: tiny portfolios in memory, and
independent pandas versions of the figures to check the SQL against."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from core.directory import refresh_directory
from core.schema import SCHEMA_SQL


@dataclass(frozen=True)
class Row:
    """One stored row; money in the portfolio's currency."""

    month: str
    """YYYY-MM."""
    account: str
    segment: str | None
    net: float
    cost: float | None = None
    list_revenue: float | None = None
    discount: float | None = None
    off_invoice: float | None = None
    product: str | None = None
    name: str | None = None


def month(text: str) -> date:
    year, number = (int(part) for part in text.split("-"))
    return date(year, number, 1)


def portfolio(rows: list[Row], months: list[str] | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory Keystone database holding `rows` as one active upload per month.

    `months` lists the stored months (default: those of the rows), so a test can store a month
    without rows or leave one out.
    """
    con = duckdb.connect()
    for statement in SCHEMA_SQL:
        con.sql(statement)
    stored = sorted({month(m) for m in (months or [r.month for r in rows])})
    table = pa.table(
        {
            "upload_id": [stored.index(month(r.month)) + 1 for r in rows],
            "line": list(range(1, len(rows) + 1)),
            "month": [month(r.month) for r in rows],
            "account_id": [r.account for r in rows],
            "account_name": [r.name or f"Account {r.account}" for r in rows],
            "account_key": [r.account for r in rows],
            "segment": pa.array([r.segment for r in rows], pa.string()),
            "product": pa.array([r.product for r in rows], pa.string()),
            "net_revenue": [float(r.net) for r in rows],
            "list_revenue": pa.array([r.list_revenue for r in rows], pa.float64()),
            "discount_amount": pa.array([r.discount for r in rows], pa.float64()),
            "off_invoice": pa.array([r.off_invoice for r in rows], pa.float64()),
            "cost": pa.array([r.cost for r in rows], pa.float64()),
            "gross_profit": pa.array(
                [None if r.cost is None else r.net - r.cost for r in rows], pa.float64()
            ),
        }
    )
    con.register("incoming", table)
    con.sql(
        """INSERT INTO facts (upload_id, line, month, account_id, account_name, account_key,
                              segment, product, net_revenue, list_revenue, discount_amount,
                              off_invoice, cost, gross_profit)
           SELECT upload_id, line, month, account_id, account_name, account_key, segment,
                  product, net_revenue, list_revenue, discount_amount, off_invoice, cost,
                  gross_profit FROM incoming"""
    )
    con.unregister("incoming")
    for index, day in enumerate(stored, start=1):
        con.execute("INSERT INTO upload_months VALUES (?, 'test', ?, true, NULL)", [index, day])
    refresh_directory(con)  # as every store does
    return con


def stored_rows(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every active row, as pandas."""
    return (
        con.sql(
            """SELECT month, account_key, segment, net_revenue, gross_profit, list_revenue,
                      discount_amount, off_invoice, product FROM active_rows"""
        )
        .to_arrow_table()
        .to_pandas(date_as_object=False)
    )


def pandas_segments(rows: pd.DataFrame) -> pd.Series:
    """Each account's segment: its latest non-null one (largest within a month), else
    'unassigned'."""
    named = rows.dropna(subset=["segment"]).sort_values(["account_key", "month", "segment"])
    latest = named.groupby("account_key")["segment"].last()
    accounts = pd.Index(rows["account_key"].unique(), name="account_key")
    return latest.reindex(accounts).fillna("unassigned")


def pandas_mix(rows: pd.DataFrame, start: date, end: date) -> pd.DataFrame:
    """segment_mix in plain pandas: per segment accounts, net revenue, gross profit, margin
    and shares, indexed by segment."""
    segments = pandas_segments(rows)
    inside = rows[rows["month"].between(pd.Timestamp(start), pd.Timestamp(end))]
    costed = inside["gross_profit"].notna()
    accounts = inside.groupby("account_key").agg(
        net=("net_revenue", "sum"), gp=("gross_profit", "sum")
    )
    accounts["costed_net"] = inside[costed].groupby("account_key")["net_revenue"].sum()
    accounts["segment"] = segments.reindex(accounts.index)
    mix = accounts.groupby("segment").agg(
        accounts=("net", lambda values: int((values > 0).sum())),
        net_revenue=("net", "sum"),
        gross_profit=("gp", "sum"),
        costed_net=("costed_net", "sum"),
    )
    mix["margin"] = mix["gross_profit"] / mix["costed_net"]
    mix["revenue_share"] = mix["net_revenue"] / mix["net_revenue"].sum()
    mix["profit_share"] = mix["gross_profit"] / mix["gross_profit"].sum()
    return mix


def pandas_percentile(values: pd.Series) -> pd.Series:
    """Mid-rank percentile 0–100 of the non-null values (ties share their average rank);
    50 for a single value."""
    present = values.dropna()
    if len(present) <= 1:
        return pd.Series(50.0, index=present.index)
    ranks = present.rank(method="average")
    return 100 * (ranks - 1) / (len(present) - 1)


def close(a: object, b: object, tolerance: float = 1e-9) -> bool:
    """Equal within a relative tolerance, NaN/None equal to each other."""
    if a is None or (isinstance(a, float) and np.isnan(a)):
        return b is None or (isinstance(b, float) and np.isnan(b))
    return abs(float(a) - float(b)) <= tolerance * max(1.0, abs(float(a)))


def pandas_scorecard(
    rows: pd.DataFrame, current: date, prior: date | None, weights: dict[str, float]
) -> pd.DataFrame:
    """The scorecard of one month in plain pandas (growth against `prior`, a month), indexed by
    account: the five values, their percentiles (NaN when missing for everyone, 50 for a gap)
    and the score."""
    now = rows[rows["month"] == pd.Timestamp(current)]
    costed = now[now["gross_profit"].notna()]
    listed = now[now["list_revenue"].notna() & now["discount_amount"].notna()]
    values = pd.DataFrame({"revenue": now.groupby("account_key")["net_revenue"].sum()})
    values = values[values["revenue"] > 0]
    gp = costed.groupby("account_key")["gross_profit"].sum()
    costed_net = costed.groupby("account_key")["net_revenue"].sum()
    values["margin"] = (gp / costed_net).where(costed_net > 0)
    concession = listed.assign(off=listed["off_invoice"].fillna(0)).groupby("account_key")
    sums = concession[["discount_amount", "off", "list_revenue"]].sum()
    values["discount"] = (sums["discount_amount"] + sums["off"]) / sums["list_revenue"].replace(
        0, np.nan
    )
    products = now.dropna(subset=["product"]).groupby("account_key")["product"].nunique()
    values["breadth"] = products.astype(float)
    if prior is not None:
        before = rows[rows["month"] == pd.Timestamp(prior)].groupby("account_key")["net_revenue"]
        base = before.sum()
        values["growth"] = (values["revenue"] / base.where(base > 0) - 1).reindex(values.index)
    else:
        values["growth"] = np.nan
    pct = pd.DataFrame(index=values.index)
    for name in weights:
        column = values[name] if name != "discount" else -values[name]
        pct[name] = pandas_percentile(column).reindex(values.index)
    available = {name: w for name, w in weights.items() if pct[name].notna().any()}
    for name in available:
        pct[name] = pct[name].fillna(50)
    scale = 100 / sum(available.values()) if sum(available.values()) else 0
    score = sum(pct[name] * weight * scale / 100 for name, weight in available.items())
    return values.join(pct.add_suffix("_pct")).assign(score=score)
