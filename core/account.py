"""One account over a period: who it is, how it trends, what it buys, and its stored rows.

The account drill-down's figures, each computed in DuckDB (SQL in core.account_sql). An
account is named by its key (the stored account_key: the account id, or the name when a file
has no id). Its scorecard, tier history and alerts live in core.account_scorecard.

- Key account: among the accounts with positive net revenue in the period, ranked as
  core.concentration ranks them, one of the top ceil(20% · n) (domain.md §3).
- Product concentration (domain.md §3): each named product's share of the account's revenue
  over its named products with positive revenue; the top-product share and the HHI over
  products (0–10,000). "Big product ≠ big customer" flags an account that rests on one product
  (top share ≥ ONE_PRODUCT_SHARE) or on one month (largest month ≥ ONE_MONTH_SHARE).
- Volatility: the coefficient of variation of monthly revenue over every stored month of the
  period, a month without rows counting as 0.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import Final

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import BaseModel, ConfigDict

from core.account_sql import (
    ACCOUNT_LIST_SQL,
    FIGURE_COLUMNS,
    MONTH_SPREAD_SQL,
    PRODUCT_FIGURES_SQL,
    PRODUCTS_SQL,
    PROFILE_SQL,
    ROWS_SQL,
    TRENDS_SQL,
)
from core.concentration import GROUP_SHARE
from core.concentration_sql import RANKED_SQL, Scope, comparisons, period_buckets, units_sql
from core.metrics import Period
from core.segments_sql import account_segments_sql
from core.sql import arrow, fetch_all, frame, registered

ONE_PRODUCT_SHARE: Final = 0.8
"""A top-product share at or above this reads as revenue resting on one product."""
ONE_MONTH_SHARE: Final = 0.5
"""A largest-month share at or above this reads as revenue resting on one month."""


class AccountProfile(BaseModel):
    """Who the account is, and where it stands in the period's portfolio."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    account: str
    """The account key."""
    account_id: str | None
    """The stored account id; None when the files name the account only by name."""
    name: str
    """Its latest stored name (the key when no row names it)."""
    parent_group: str | None
    """Latest parent group in the period, else the latest stored; None without one."""
    segment: str
    """Value segment, decided as for every segment figure (core.segments_sql)."""
    owner: str | None
    region: str | None
    industry: str | None
    currency: str | None
    first_month: date
    """First stored month of the account, any period."""
    last_month: date
    """Last stored month of the account, any period."""
    rows: int
    """Stored rows in the period."""
    net_revenue: float
    """Net revenue in the period."""
    revenue_rank: int | None
    """Rank by net revenue among the period's accounts with positive revenue (1 = largest)."""
    ranked_accounts: int
    """Accounts with positive revenue in the period: what the rank is out of."""
    revenue_share: float | None
    """Share of the period's net revenue of the positive accounts; None at zero or below."""
    key_accounts: int
    """ceil(20% · ranked_accounts): how many accounts are key accounts."""
    key_account: bool
    """Among the top 20% by revenue in the period."""


@dataclass(frozen=True)
class AccountFigures:
    """The account's headline figures for one period."""

    net_revenue: float
    gross_profit: float | None
    """None when no row carries cost or gross profit."""
    margin: float | None
    """Gross profit / net revenue of the rows with cost; None unless that is positive."""
    discount_rate: float | None
    """Σ discount / Σ list over rows with list data; None without list data."""
    concession_degree: float | None
    """(Σ discount + Σ off-invoice) / Σ list, the same rows."""
    rows: int


@dataclass(frozen=True)
class FiguresComparison:
    """The period's figures beside the same-length period just before."""

    current: AccountFigures
    prior: AccountFigures | None
    """None when stored history does not cover the prior period."""
    prior_period: Period | None


@dataclass(frozen=True)
class ProductMix:
    """What the account buys in the period, and how concentrated that is."""

    table: pd.DataFrame = field(repr=False)
    """Per product, largest first (rows without a product last): product, net_revenue, share,
    quantity, gross_profit, margin, rows."""
    products: int
    """Named products with positive revenue: the base of the shares."""
    top_product: str | None
    top_share: float | None
    """The largest product's share; None without named products."""
    hhi: float | None
    """Σ (100 · share)² over products, 10,000 / products up to 10,000."""
    unnamed_revenue: float
    """Revenue of rows that name no product, left out of the shares."""
    months: int
    """Stored months in the period."""
    largest_month: date | None
    largest_month_share: float | None
    """The largest month's share of the period's revenue; None unless that is positive."""
    cv: float | None
    """Coefficient of variation of monthly revenue; None unless mean revenue is positive."""

    @property
    def one_product(self) -> bool:
        """Revenue rests on one product."""
        return self.top_share is not None and self.top_share >= ONE_PRODUCT_SHARE

    @property
    def one_month(self) -> bool:
        """Revenue rests on one month."""
        return self.largest_month_share is not None and self.largest_month_share >= ONE_MONTH_SHARE


@dataclass(frozen=True)
class GroupMembers:
    """The parent group of an account, and its accounts in the period."""

    group: str
    members: pd.DataFrame = field(repr=False)
    """account, name, net_revenue, share (of the group's revenue), largest first."""
    net_revenue: float
    """The group's net revenue in the period."""
    share: float | None
    """The group's share of the period's revenue (groups with positive revenue)."""
    rank: int | None
    """Its rank among groups and stand-alone accounts."""
    over_threshold: bool
    """At or above the single-customer disclosure share (10%)."""


def _number(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def account_profile(
    con: duckdb.DuckDBPyConnection, account: str, period: Period
) -> AccountProfile | None:
    """The account's profile; None when no stored row has this key."""
    found = frame(con, PROFILE_SQL, {**period.params(), "account": account})
    if found.empty:
        return None
    row = found.iloc[0]
    segment = fetch_all(
        con,
        f"SELECT segment FROM ({account_segments_sql()}) WHERE account_key = $account",
        {"account": account},
    )
    head, params = Scope.scan(period).head({"current": period})
    ranked = fetch_all(
        con,
        f"""{head}, units AS ({units_sql("account")}), ranked AS ({RANKED_SQL})
            SELECT (SELECT any_value(n) FROM ranked), (SELECT sum(net_revenue) FROM accounts
                                                       WHERE account_key = $account),
                   r.rank, r.net_revenue / r.total
            FROM (SELECT 1) LEFT JOIN ranked AS r ON r.key = $account""",
        {**params, "account": account},
    )[0]
    n, net, rank, share = ranked
    n = int(n or 0)
    key_accounts = (n + 4) // 5
    return AccountProfile(
        account=account,
        account_id=None if pd.isna(row["account_id"]) else str(row["account_id"]),
        name=str(row["name"]),
        parent_group=None if pd.isna(row["parent_group"]) else str(row["parent_group"]),
        segment=segment[0][0] if segment else "unassigned",
        owner=None if pd.isna(row["owner"]) else str(row["owner"]),
        region=None if pd.isna(row["region"]) else str(row["region"]),
        industry=None if pd.isna(row["industry"]) else str(row["industry"]),
        currency=None if pd.isna(row["currency"]) else str(row["currency"]),
        first_month=pd.Timestamp(row["first_month"]).date(),
        last_month=pd.Timestamp(row["last_month"]).date(),
        rows=int(row["rows"]),
        net_revenue=float(net or 0.0),
        revenue_rank=None if rank is None else int(rank),
        ranked_accounts=n,
        revenue_share=_number(share),
        key_accounts=key_accounts,
        key_account=rank is not None and rank <= key_accounts,
    )


def account_figures(
    con: duckdb.DuckDBPyConnection, account: str, periods: dict[str, Period]
) -> dict[str, AccountFigures]:
    """The account's headline figures in each named period (a name is an identifier)."""
    buckets, params = period_buckets(periods)
    rows = frame(
        con,
        f"""WITH buckets AS ({buckets})
            SELECT b.bucket, {FIGURE_COLUMNS}
            FROM buckets AS b JOIN active_rows AS r
              ON (b.b_start IS NULL OR r.month >= b.b_start)
             AND (b.b_end IS NULL OR r.month <= b.b_end)
            WHERE r.account_key = $account
            GROUP BY b.bucket""",
        {**params, "account": account},
    )
    found = {
        str(row["bucket"]): AccountFigures(
            net_revenue=_number(row["net_revenue"]) or 0.0,
            gross_profit=_number(row["gross_profit"]),
            margin=_number(row["margin"]),
            discount_rate=_number(row["discount_rate"]),
            concession_degree=_number(row["concession_degree"]),
            rows=int(row["rows"]),
        )
        for _, row in rows.iterrows()
    }
    empty = AccountFigures(0.0, None, None, None, None, 0)
    return {name: found.get(name, empty) for name in periods}


def figures_comparison(
    con: duckdb.DuckDBPyConnection, account: str, period: Period
) -> FiguresComparison:
    """The account's figures in the period and in the prior period of the same length."""
    compared = comparisons(con, period)
    periods = {"current": compared.current or period}
    if compared.prior is not None:
        periods["prior"] = compared.prior
    figures = account_figures(con, account, periods)
    return FiguresComparison(figures["current"], figures.get("prior"), compared.prior)


def account_trend(con: duckdb.DuckDBPyConnection, account: str, period: Period) -> pd.DataFrame:
    """Per stored month of the period: net_revenue (0 without rows), gross_profit, margin,
    list_revenue, discount_amount, discount_rate, concession_degree, rows."""
    return frame(con, TRENDS_SQL, {**period.params(), "account": account})


def product_mix(con: duckdb.DuckDBPyConnection, account: str, period: Period) -> ProductMix:
    """Revenue per product with shares, top share and HHI, plus the month spread."""
    params = {**period.params(), "account": account}
    table = arrow(con, PRODUCTS_SQL, params)
    with registered(con, "keystone_products", table):
        products, top, top_share, hhi, unnamed = fetch_all(con, PRODUCT_FIGURES_SQL)[0]
    months, _total, largest, largest_share, cv = fetch_all(con, MONTH_SPREAD_SQL, params)[0]
    return ProductMix(
        table=table.to_pandas(date_as_object=False),
        products=int(products or 0),
        top_product=top,
        top_share=_number(top_share),
        hhi=_number(hhi),
        unnamed_revenue=float(unnamed or 0.0),
        months=int(months or 0),
        largest_month=largest,
        largest_month_share=_number(largest_share),
        cv=_number(cv),
    )


def account_rows(con: duckdb.DuckDBPyConnection, account: str, period: Period) -> pd.DataFrame:
    """The account's stored rows in the period, each with its upload id, file and line."""
    return frame(con, ROWS_SQL, {**period.params(), "account": account})


def group_members(
    con: duckdb.DuckDBPyConnection, group: str, period: Period, threshold: float = GROUP_SHARE
) -> GroupMembers:
    """The accounts of a parent group in the period (as core.concentration assigns them)."""
    head, params = Scope.scan(period).head({"current": period})
    bound = {**params, "group": group}
    members = frame(
        con,
        f"""{head}
            SELECT account_key AS account, account_name AS name, net_revenue,
                   CASE WHEN sum(net_revenue) OVER () > 0
                        THEN net_revenue / sum(net_revenue) OVER () END AS share
            FROM accounts WHERE parent_group = $group
            ORDER BY net_revenue DESC, account""",
        bound,
    )
    ranked = fetch_all(
        con,
        f"""{head}, units AS ({units_sql("group")}), ranked AS ({RANKED_SQL})
            SELECT net_revenue / total, rank FROM ranked WHERE key = $group""",
        bound,
    )
    share, rank = ranked[0] if ranked else (None, None)
    return GroupMembers(
        group=group,
        members=members,
        net_revenue=float(members["net_revenue"].sum()) if len(members) else 0.0,
        share=_number(share),
        rank=None if rank is None else int(rank),
        over_threshold=share is not None and share >= threshold,
    )


def _normalised(text: str) -> str:
    """Search text as names are compared: NFKC (full-width to half-width), lower case."""
    return unicodedata.normalize("NFKC", text).lower().strip()


def account_list(con: duckdb.DuckDBPyConnection, period: Period) -> pd.DataFrame:
    """Every stored account for the picker, by net revenue in the period, largest first.

    Columns: account, name, net_revenue (0 for an account without rows in the period), rows,
    rank (1 = largest; ties by key).
    """
    return frame(
        con,
        f"""SELECT *, row_number() OVER (ORDER BY round(net_revenue, 4) DESC, account) AS rank
            FROM ({ACCOUNT_LIST_SQL}) ORDER BY rank""",
        period.params(),
    )


def search_accounts(
    con: duckdb.DuckDBPyConnection, period: Period, query: str, limit: int | None = None
) -> pd.DataFrame:
    """Accounts whose key or name contains `query`, ignoring case and width (NFKC).

    An exact key match comes first, then by net revenue in the period, largest first. Columns
    as account_list. An empty query matches every account.
    """
    wanted = _normalised(query)
    listed = arrow(con, ACCOUNT_LIST_SQL, period.params())
    folded = listed.append_column(
        "search_key", pc.utf8_lower(pc.utf8_normalize(listed["account"], form="NFKC"))
    ).append_column(
        "search_name",
        pc.utf8_lower(pc.utf8_normalize(listed["name"].cast(pa.string()), form="NFKC")),
    )
    with registered(con, "keystone_account_list", folded):
        return frame(
            con,
            """SELECT account, name, net_revenue, rows,
                      row_number() OVER (ORDER BY search_key = $q DESC, net_revenue DESC,
                                         account) AS rank
               FROM keystone_account_list
               WHERE contains(search_key, $q) OR contains(search_name, $q)
               ORDER BY rank LIMIT $limit""",
            {"q": wanted, "limit": limit if limit is not None else 2**62},
        )


__all__ = [
    "ONE_MONTH_SHARE",
    "ONE_PRODUCT_SHARE",
    "AccountFigures",
    "AccountProfile",
    "FiguresComparison",
    "GroupMembers",
    "ProductMix",
    "account_figures",
    "account_list",
    "account_profile",
    "account_rows",
    "account_trend",
    "figures_comparison",
    "group_members",
    "product_mix",
    "search_accounts",
]
