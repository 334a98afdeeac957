"""The "lose this account" stress test: the portfolio's figures before and after removing some.

Before and after are two scenarios of one query, so both come from identical SQL.
"""

from __future__ import annotations

import uuid

import duckdb
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from core.concentration_sql import (
    FIGURES_SQL,
    RANKED_SQL,
    UNIT_OF_ACCOUNT,
    By,
    Scope,
    materialised,
    units_sql,
)
from core.metrics import Period
from core.sql import fetch_all, fetch_one


class StressFigures(BaseModel):
    """The figures a stress test recomputes, for one scenario."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    revenue: float
    """Net revenue of every remaining account, those at zero or below included."""
    gross_profit: float | None
    """None when no remaining row carries cost data."""
    n: int
    """Units (accounts or groups) with positive net revenue."""
    hhi: float | None
    top5_share: float | None
    pareto_k: int | None
    pareto_share: float | None


class StressDelta(BaseModel):
    """After minus before; None where either side is None."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    revenue: float
    revenue_pct: float | None
    """Relative change in revenue (−0.12 = 12% lost); None when revenue before is zero."""
    gross_profit: float | None
    gross_profit_pct: float | None
    n: int
    hhi: float | None
    top5_share: float | None
    pareto_k: int | None
    pareto_share: float | None


class RemovedAccount(BaseModel):
    """An account the stress test removed."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    account_key: str
    name: str
    parent_group: str | None
    net_revenue: float
    gross_profit: float | None


class StressResult(BaseModel):
    """Before, after and the change, with the accounts removed."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    by: By
    """The level HHI, top-5 share and the Pareto point are computed at."""
    before: StressFigures
    after: StressFigures
    delta: StressDelta
    removed: list[RemovedAccount] = Field(default_factory=list)
    """Every account removed, largest revenue first."""
    not_found: list[str] = Field(default_factory=list)
    """Requested accounts or groups with no rows in the period."""


_FIELDS = ("revenue", "gross_profit", "n", "hhi", "top5_share", "pareto_k", "pareto_share")


def _minus(after: float | None, before: float | None) -> float | None:
    return None if after is None or before is None else after - before


def _pct(after: float | None, before: float | None) -> float | None:
    return None if after is None or not before else after / before - 1


def stress_test_in(
    con: duckdb.DuckDBPyConnection,
    scope: Scope,
    period: Period,
    remove_accounts: list[str],
    remove_groups: list[str],
    remove_top_n: int,
    by: By,
) -> StressResult:
    """stress_test over a given scope."""
    if remove_top_n < 0:
        raise ValueError("remove_top_n must be 0 or more")
    head, params = scope.head({"current": period})
    params = {**params, "accounts": list(remove_accounts), "groups": list(remove_groups)}
    dropped = f"""{head},
        level AS ({units_sql(by)}),
        top AS (SELECT key FROM level WHERE net_revenue > 0
                ORDER BY round(net_revenue, 4) DESC, key LIMIT $top_n),
        dropped AS (
            SELECT * FROM accounts
            WHERE list_contains($accounts::VARCHAR[], account_key)
               OR list_contains($groups::VARCHAR[], coalesce(parent_group, account_key))
               OR {UNIT_OF_ACCOUNT[by]} IN (SELECT key FROM top)
        )"""
    rows = fetch_all(
        con,
        f"""{dropped},
            scenarios AS (
                SELECT * REPLACE ('before' AS bucket) FROM accounts
                UNION ALL
                SELECT * REPLACE ('after' AS bucket) FROM accounts
                WHERE account_key NOT IN (SELECT account_key FROM dropped)
            ),
            units AS ({units_sql(by, "scenarios")}), ranked AS ({RANKED_SQL}), {FIGURES_SQL}
            SELECT bucket, net_revenue, gross_profit, n, hhi, top5_share, pareto_k, pareto_share
            FROM figures""",
        {**params, "top_n": remove_top_n},
    )
    empty = dict.fromkeys(_FIELDS, None) | {"revenue": 0.0, "n": 0}
    found = {row[0]: dict(zip(_FIELDS, row[1:], strict=True)) for row in rows}
    before = StressFigures(**found.get("before", empty))
    after = StressFigures(**found.get("after", empty))
    removed = fetch_all(
        con,
        f"""{dropped}
            SELECT account_key, account_name, parent_group, net_revenue,
                   CASE WHEN cost_rows > 0 THEN gross_profit END
            FROM dropped ORDER BY net_revenue DESC, account_key""",
        {**params, "top_n": remove_top_n},
    )
    (missing,) = fetch_one(
        con,
        f"""{head}
            SELECT list(name ORDER BY name) FROM (
                SELECT unnest($accounts::VARCHAR[]) AS name
                EXCEPT SELECT account_key FROM accounts
                UNION ALL (
                    SELECT unnest($groups::VARCHAR[])
                    EXCEPT SELECT coalesce(parent_group, account_key) FROM accounts))""",
        params,
    )
    delta = StressDelta(
        revenue=after.revenue - before.revenue,
        revenue_pct=_pct(after.revenue, before.revenue),
        gross_profit=_minus(after.gross_profit, before.gross_profit),
        gross_profit_pct=_pct(after.gross_profit, before.gross_profit),
        n=after.n - before.n,
        hhi=_minus(after.hhi, before.hhi),
        top5_share=_minus(after.top5_share, before.top5_share),
        pareto_k=None
        if after.pareto_k is None or before.pareto_k is None
        else after.pareto_k - before.pareto_k,
        pareto_share=_minus(after.pareto_share, before.pareto_share),
    )
    return StressResult(
        by=by,
        before=before,
        after=after,
        delta=delta,
        removed=[
            RemovedAccount(
                account_key=key, name=name, parent_group=group, net_revenue=net, gross_profit=profit
            )
            for key, name, group, net, profit in removed
        ],
        not_found=missing or [],
    )


def stress_test(
    con: duckdb.DuckDBPyConnection,
    period: Period,
    remove_accounts: list[str] | None = None,
    remove_groups: list[str] | None = None,
    remove_top_n: int = 0,
    by: By = "account",
    accounts: pd.DataFrame | None = None,
) -> StressResult:
    """Revenue, gross profit, HHI, top-5 share and the Pareto point before and after removal.

    Removes the named accounts, every account of the named groups (a lone account counts as
    its own group), and the `remove_top_n` largest units at level `by`. Removing nothing
    leaves after equal to before. `accounts` may pass the period's per-account table as
    `account_revenue(con, period)` returns it (a ConcentrationReport holds one), so the
    stored rows are not read again.
    """
    removals = (remove_accounts or [], remove_groups or [], remove_top_n, by)
    if accounts is None:
        with materialised(con, period, {"current": period}) as scope:
            return stress_test_in(con, scope, period, *removals)
    if accounts.attrs.get("by") != "account":
        raise ValueError("accounts must be the per-account table of account_revenue")
    view = f"keystone_stress_{uuid.uuid4().hex}"
    con.register(view, accounts)
    try:
        table = f"""(SELECT 'current' AS bucket, key AS account_key, name AS account_name,
                            parent_group, net_revenue, gross_profit,
                            (gross_profit IS NOT NULL)::BIGINT AS cost_rows FROM {view})"""
        scope = Scope("SELECT NULL", accounts_table=table, account_periods={"current": period})
        return stress_test_in(con, scope, period, *removals)
    finally:
        con.unregister(view)
