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

from core.directory import DIRECTORY, NAME_SQL
from core.discounts_base import RATE_COLUMNS as BASE_RATE_COLUMNS
from core.discounts_base import DiscountBase, L, base_for, discount_base
from core.discounts_creep import (
    DiscountThresholds,
    buys_nothing,
    corridor_outliers,
    creep_end_month,
    discount_creep,
)
from core.discounts_sql import RATE_COLUMNS
from core.metrics import PERIOD_FILTER, Period
from core.sql import fetch_one, frame

RateBy = Literal["account", "group", "segment", "owner", "product", "month", "portfolio"]

_KEYS: Final[dict[str, str]] = {
    "group": "coalesce(parent_group, account_key)",
    "owner": "owner",
    "product": "product",
    "month": "month",
}
"""The SQL expression each breakdown read from the stored rows groups by."""


_BASE_KEYS: Final[dict[str, str]] = {"account": "account_key", "segment": "segment"}
"""The breakdowns the period's accounts table (core.discounts_base) answers."""


def discount_rates(
    con: duckdb.DuckDBPyConnection,
    period: Period,
    by: RateBy = "account",
    base: DiscountBase | None = None,
) -> pd.DataFrame:
    """Discount rate, concession degree, revenue and coverage per `by` in the period.

    Columns: the key (named after `by`, absent for 'portfolio'; 'account' also gets `name`),
    then net_revenue, list_revenue, discount_amount, off_invoice, discount_rate,
    concession_degree, coverage and rows. Sorted by net revenue, largest first. The portfolio,
    segment and account figures come from `base` when it sums the same period; accounts are
    named from the account directory.
    """
    if by == "portfolio" or by in _BASE_KEYS:
        with base_for(con, base, period).accounts_view(con) as view:
            if by == "portfolio":
                return frame(con, f"SELECT {BASE_RATE_COLUMNS} FROM {view}")
            if by == "segment":
                sql = f"""SELECT segment, {BASE_RATE_COLUMNS} FROM {view}
                          GROUP BY 1 ORDER BY net_revenue DESC, segment NULLS LAST"""
                return frame(con, sql)
            return frame(
                con,
                f"""SELECT a.account, {NAME_SQL.format(key="a.account")} AS name,
                           a.* EXCLUDE (account)
                    FROM (SELECT account_key AS account, {BASE_RATE_COLUMNS}
                          FROM {view} GROUP BY 1) AS a
                    LEFT JOIN {DIRECTORY} AS d ON d.account_key = a.account
                    ORDER BY a.net_revenue DESC, a.account NULLS LAST""",
            )
    if by not in _KEYS:
        choices = ["portfolio", *_BASE_KEYS, *_KEYS]
        raise ValueError(f"cannot break discount rates down by '{by}'; use one of {choices}")
    return frame(
        con,
        f"""SELECT {_KEYS[by]} AS "{by}", {RATE_COLUMNS}
            FROM active_rows WHERE {PERIOD_FILTER}
            GROUP BY 1 ORDER BY net_revenue DESC, "{by}" NULLS LAST""",
        period.params(),
    )


StepKind = Literal["total", "step"]

C: Final = "FILTER (WHERE listed AND costed)"
"""SQL: an aggregate over the accounts table's rows with list and cost data."""


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


def price_waterfall(
    con: duckdb.DuckDBPyConnection,
    period: Period,
    account: str | None = None,
    segment: str | None = None,
    base: DiscountBase | None = None,
) -> Waterfall:
    """The price waterfall of the portfolio, one segment or one account over the period.

    It covers the rows with list data; when any of them carries cost, only those with cost too,
    so that every bar comes from the same rows. `base` saves a read when it covers the period.
    """
    scope = (
        "($account IS NULL OR account_key = $account) AND ($segment IS NULL OR segment = $segment)"
    )
    params = {"account": account, "segment": segment}
    with base_for(con, base, period).accounts_view(con) as view:
        sums = fetch_one(
            con,
            f"""SELECT coalesce(sum(rows) {C}, 0), sum(net),
                       coalesce(sum(list) {L}, 0), coalesce(sum(disc) {L}, 0),
                       coalesce(sum(off) {L}, 0), 0, coalesce(sum(net) {L}, 0),
                       coalesce(sum(rows) {L}, 0),
                       coalesce(sum(list) {C}, 0), coalesce(sum(disc) {C}, 0),
                       coalesce(sum(off) {C}, 0), coalesce(sum(cost) {C}, 0),
                       coalesce(sum(net) {C}, 0), coalesce(sum(rows) {C}, 0)
                FROM {view} WHERE {scope}""",
            params,
        )
    costed, total_net = sums[0], sums[1]
    with_cost = costed > 0
    # The listed rows' sums, or the listed-and-costed rows' when any row carries cost.
    list_sum, discount, off, cost, net, rows = sums[8:14] if with_cost else sums[2:8]
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
    base = discount_base(con, period)
    portfolio = discount_rates(con, period, "portfolio", base).iloc[0]
    end = creep_end_month(con, period, base)
    creep = discount_creep(con, end, base) if end else pd.DataFrame()
    rising = (
        creep[creep["points"] > thresholds.creep_points].sort_values(
            ["points", "account"], ascending=[False, True]
        )
        if not creep.empty
        else creep
    )
    outliers = corridor_outliers(con, period, thresholds, base)
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
    "discount_base",
    "corridor_outliers",
    "discount_creep",
    "discount_metrics",
    "discount_rates",
    "price_waterfall",
]
