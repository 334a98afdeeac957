"""Discount degree for a period: weighted rates, concession degree, coverage, price waterfall.

Definitions follow domain.md §3: a rate is Σ discount / Σ list over the rows that carry list
data, never an average of row rates, and NULL (never infinite) when Σ list is 0. Creep, the
discount that buys nothing and the peer corridor live in core.discounts_creep.
"""

from __future__ import annotations

from typing import Final, Literal

import duckdb
import pandas as pd
from pydantic import BaseModel, ConfigDict

from core.discounts_creep import (
    DiscountThresholds,
    buys_nothing,
    corridor_outliers,
    creep_end_month,
    discount_creep,
)
from core.discounts_sql import LISTED, RATE_COLUMNS
from core.metrics import PERIOD_FILTER, Period
from core.sql import fetch_one, frame

RateBy = Literal["account", "group", "segment", "owner", "product", "month", "portfolio"]

_KEYS: Final[dict[str, str]] = {
    "account": "account_key",
    "group": "coalesce(parent_group, account_key)",
    "segment": "segment",
    "owner": "owner",
    "product": "product",
    "month": "month",
}
"""The SQL expression each breakdown groups by; 'portfolio' has none."""


def discount_rates(
    con: duckdb.DuckDBPyConnection, period: Period, by: RateBy = "account"
) -> pd.DataFrame:
    """Discount rate, concession degree, revenue and coverage per `by` in the period.

    Columns: the key (named after `by`, absent for 'portfolio'; 'account' also gets `name`),
    then net_revenue, list_revenue, discount_amount, off_invoice, discount_rate,
    concession_degree, coverage and rows. Sorted by net revenue, largest first.
    """
    if by == "portfolio":
        return frame(
            con,
            f"SELECT {RATE_COLUMNS} FROM active_rows WHERE {PERIOD_FILTER}",
            period.params(),
        )
    if by not in _KEYS:
        raise ValueError(f"cannot break discount rates down by '{by}'; use one of {list(_KEYS)}")
    name = (
        ", coalesce(arg_max(account_name, month) FILTER (WHERE account_name IS NOT NULL), "
        "account_key) AS name"
        if by == "account"
        else ""
    )
    return frame(
        con,
        f"""SELECT {_KEYS[by]} AS "{by}"{name}, {RATE_COLUMNS}
            FROM active_rows WHERE {PERIOD_FILTER}
            GROUP BY 1 ORDER BY net_revenue DESC, "{by}" NULLS LAST""",
        period.params(),
    )


StepKind = Literal["total", "step"]


class WaterfallStep(BaseModel):
    """One bar of the price waterfall."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Literal[
        "list", "on_invoice_discount", "invoice", "off_invoice", "pocket", "cost", "gross_profit"
    ]
    """Which bar; the page translates it under discounts.waterfall."""
    kind: StepKind
    """'total' bars stand on the axis; 'step' bars are deductions (negative amounts)."""
    amount: float
    """Money: a level for totals, minus the deduction for steps."""
    share_of_list: float | None
    """amount / list revenue; None when list revenue is 0."""


class Waterfall(BaseModel):
    """From list price to gross profit for a scope; each total is the one before minus a step.

    Built from the sums of list, discount, off-invoice and cost, so list − every step equals
    gross profit exactly. Gross profit here is pocket − cost: after off-invoice concessions.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    list_revenue: float
    on_invoice_discount: float
    invoice: float
    """list − on-invoice discount: net revenue of the rows in the waterfall."""
    off_invoice: float
    """Rebates, bonuses and allowances (0 where a row has none)."""
    pocket: float
    """invoice − off-invoice."""
    cost: float | None
    """None when no row in scope carries cost or gross profit."""
    gross_profit: float | None
    """pocket − cost; None without cost data."""
    coverage: float | None
    """Share of the scope's net revenue on the rows in the waterfall; None when it is not > 0."""
    rows: int
    """Rows in the waterfall: those with list data, and with cost data when any has it."""
    steps: list[WaterfallStep]
    """The bars in order, ready for a plotly Waterfall."""


_COST = "coalesce(cost, net_revenue - gross_profit)"


def price_waterfall(
    con: duckdb.DuckDBPyConnection,
    period: Period,
    account: str | None = None,
    segment: str | None = None,
) -> Waterfall:
    """The price waterfall of the portfolio, one segment or one account over the period.

    It covers the rows with list data; when any of them carries cost, only those with cost too,
    so that every bar comes from the same rows.
    """
    scope = (
        f"{PERIOD_FILTER} AND ($account IS NULL OR account_key = $account)"
        " AND ($segment IS NULL OR segment = $segment)"
    )
    params = {**period.params(), "account": account, "segment": segment}
    costed, total_net = fetch_one(
        con,
        f"""SELECT count(*) FILTER (WHERE {LISTED} AND {_COST} IS NOT NULL), sum(net_revenue)
            FROM active_rows WHERE {scope}""",
        params,
    )
    with_cost = costed > 0
    keep = f"{LISTED} AND {_COST} IS NOT NULL" if with_cost else LISTED
    list_sum, discount, off, cost, net, rows = fetch_one(
        con,
        f"""SELECT coalesce(sum(list_revenue), 0), coalesce(sum(discount_amount), 0),
                   coalesce(sum(coalesce(off_invoice, 0)), 0), coalesce(sum({_COST}), 0),
                   coalesce(sum(net_revenue), 0), count(*)
            FROM active_rows WHERE {scope} AND {keep}""",
        params,
    )
    invoice = list_sum - discount
    pocket = invoice - off
    gross = pocket - cost if with_cost else None

    def share(amount: float) -> float | None:
        return amount / list_sum if list_sum else None

    bars: list[tuple[str, StepKind, float | None]] = [
        ("list", "total", list_sum),
        ("on_invoice_discount", "step", -discount),
        ("invoice", "total", invoice),
        ("off_invoice", "step", -off),
        ("pocket", "total", pocket),
        ("cost", "step", -cost if with_cost else None),
        ("gross_profit", "total", gross),
    ]
    return Waterfall(
        list_revenue=list_sum,
        on_invoice_discount=discount,
        invoice=invoice,
        off_invoice=off,
        pocket=pocket,
        cost=cost if with_cost else None,
        gross_profit=gross,
        coverage=(net / total_net) if total_net and total_net > 0 else None,
        rows=int(rows),
        steps=[
            WaterfallStep(name=name, kind=kind, amount=amount, share_of_list=share(amount))
            for name, kind, amount in bars
            if amount is not None
        ],
    )


def _number(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def discount_metrics(
    con: duckdb.DuckDBPyConnection,
    period: Period,
    thresholds: DiscountThresholds | None = None,
) -> dict[str, object]:
    """The discount figures `keystone metrics` adds, as plain JSON-ready values.

    creep lists the accounts whose creep is above the threshold, most points first, over the
    six months ending at the period's last month; corridor_outliers those above their peers.
    """
    thresholds = thresholds or DiscountThresholds()
    portfolio = discount_rates(con, period, "portfolio").iloc[0]
    end = creep_end_month(con, period)
    creep = discount_creep(con, end) if end else pd.DataFrame()
    rising = (
        creep[creep["points"] > thresholds.creep_points].sort_values(
            ["points", "account"], ascending=[False, True]
        )
        if not creep.empty
        else creep
    )
    outliers = corridor_outliers(con, period, thresholds)
    return {
        "discount_rate": _number(portfolio["discount_rate"]),
        "concession_degree": _number(portfolio["concession_degree"]),
        "rate_coverage": _number(portfolio["coverage"]),
        "creep": [
            {
                "account": row.account,
                "points": _number(row.points),
                "slope": _number(row.slope),
                "revenue_change": _number(row.revenue_change),
            }
            for row in rising.itertuples()
        ],
        "corridor_outliers": [
            {
                "account": row.account,
                "segment": row.segment,
                "rate": _number(row.rate),
                "peer_p90": _number(row.peer_p90),
            }
            for row in outliers.itertuples()
        ],
    }


__all__ = [
    "DiscountThresholds",
    "RateBy",
    "Waterfall",
    "WaterfallStep",
    "buys_nothing",
    "corridor_outliers",
    "discount_creep",
    "discount_metrics",
    "discount_rates",
    "price_waterfall",
]
