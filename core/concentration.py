"""Revenue concentration for a period: Pareto, top-N shares, HHI, Gini, Lorenz and the trend.

Definitions follow domain.md §3. Units with zero or negative net revenue are reported apart
and left out of every share. Every figure is computed in DuckDB; see core.concentration_sql
for how the queries are layered.
"""

from __future__ import annotations

from typing import Final, Literal

import duckdb
import pandas as pd
from pydantic import BaseModel, ConfigDict

from core.concentration_sql import (
    FIGURE_COLUMNS,
    FIGURES_SQL,
    RANKED_SQL,
    By,
    Grain,
    Scope,
    materialised,
    nullable_ints,
    units_sql,
)
from core.metrics import Period
from core.sql import arrow, fetch_all
from core.whale import whale_summary_in

HhiBand = Literal["low", "moderate", "high"]

HHI_MODERATE: Final = 1000.0
"""HHI from here up to HHI_HIGH is 'moderate' (US 2023 merger guidelines; an analogy here)."""
HHI_HIGH: Final = 1800.0
"""HHI above this is 'high'."""
GROUP_SHARE: Final = 0.10
"""A customer (parent group) at or above this share must be disclosed (ASC 280, IFRS 8)."""


class GroupShare(BaseModel):
    """A parent group (or a stand-alone account) and its share of net revenue."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    group: str
    """The parent group, or the account key of an account without one."""
    name: str
    """The group, or the account's name."""
    members: int
    """Accounts in the group with rows in the period."""
    net_revenue: float
    share: float
    """Fraction of the positive groups' total net revenue."""


class ConcentrationSummary(BaseModel):
    """The portfolio's concentration figures for one period; None where no unit is positive."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    by: By
    """Whether units are accounts or parent groups."""
    n: int
    """Units with positive net revenue."""
    total: float
    """Net revenue of the positive units: the base of every share."""
    net_revenue: float
    """Net revenue of every unit, the ones at zero or below included."""
    gross_profit: float | None
    """None when no row in the period carries cost or gross profit."""
    top1_share: float | None
    top5_share: float | None
    top10_share: float | None
    top20pct_n: int
    """ceil(0.2 · n): how many units the top-20% share adds up."""
    top20pct_share: float | None
    pareto_k: int | None
    """The smallest k whose cumulative share reaches 80%."""
    pareto_share: float | None
    """pareto_k / n."""
    hhi: float | None
    """Σ (100 · share)², from 10,000 / n up to 10,000."""
    effective_accounts: float | None
    """10,000 / HHI: as many equal units would give the same HHI."""
    gini: float | None
    """0 when all units are equal, at most (n − 1) / n."""
    hhi_band: HhiBand | None
    """low below 1,000, moderate up to 1,800, high above: an antitrust analogy."""
    accounts_nonpositive: int
    """Units with zero or negative net revenue, left out of the shares."""
    nonpositive_revenue: float
    """Their net revenue (zero or below)."""
    groups_over_10pct: list[GroupShare]
    """Parent groups (always groups, whatever `by`) at or above the disclosure share."""


def hhi_band(hhi: float | None) -> HhiBand | None:
    """The HHI's band: low < 1,000 ≤ moderate ≤ 1,800 < high."""
    if hhi is None:
        return None
    if hhi < HHI_MODERATE:
        return "low"
    return "moderate" if hhi <= HHI_HIGH else "high"


def figures_by_bucket(
    con: duckdb.DuckDBPyConnection, scope: Scope, periods: dict[str, Period], by: By
) -> dict[str, dict[str, object]]:
    """Every figure for each named period, in one query; periods without rows are absent."""
    head, params = scope.head(periods)
    rows = fetch_all(
        con,
        f"""{head}, units AS ({units_sql(by)}), ranked AS ({RANKED_SQL}), {FIGURES_SQL}
            SELECT bucket, {", ".join(FIGURE_COLUMNS)} FROM figures""",
        params,
    )
    return {row[0]: dict(zip(FIGURE_COLUMNS, row[1:], strict=True)) for row in rows}


def group_shares(
    con: duckdb.DuckDBPyConnection,
    scope: Scope,
    periods: dict[str, Period],
    threshold: float = GROUP_SHARE,
) -> dict[str, list[GroupShare]]:
    """Per named period, the parent groups (or lone accounts) at or above `threshold`."""
    head, params = scope.head(periods)
    rows = fetch_all(
        con,
        f"""{head}, units AS ({units_sql("group")}), ranked AS ({RANKED_SQL})
            SELECT bucket, key, name, members, net_revenue, net_revenue / total AS share
            FROM ranked WHERE net_revenue / total >= $threshold ORDER BY bucket, rank""",
        {**params, "threshold": threshold},
    )
    found: dict[str, list[GroupShare]] = {name: [] for name in periods}
    for bucket, key, name, members, net, share in rows:
        found[bucket].append(
            GroupShare(group=key, name=name, members=members, net_revenue=net, share=share)
        )
    return found


EMPTY_FIGURES: Final[dict[str, object]] = {
    "n": 0,
    "total": 0.0,
    "net_revenue": 0.0,
    "nonpositive": 0,
    "nonpositive_revenue": 0.0,
    "top20pct_n": 0,
}
"""The figures of a period without stored rows."""


def summary_from_figures(
    figures: dict[str, object] | None, by: By, groups: list[GroupShare]
) -> ConcentrationSummary:
    """A ConcentrationSummary from one `figures` row (None: a period without rows)."""
    row = figures or dict(EMPTY_FIGURES)
    values = {name: row.get(name) for name in FIGURE_COLUMNS if name != "nonpositive"}
    return ConcentrationSummary.model_validate(
        {
            **values,
            "by": by,
            "hhi_band": hhi_band(row.get("hhi")),  # type: ignore[arg-type]
            "accounts_nonpositive": row["nonpositive"],
            "groups_over_10pct": groups,
        }
    )


def concentration_summary(
    con: duckdb.DuckDBPyConnection,
    period: Period,
    by: By = "account",
    group_share: float = GROUP_SHARE,
) -> ConcentrationSummary:
    """Top-N shares, Pareto point, HHI, Gini and the ≥ 10% groups for the period."""
    current = {"current": period}
    with materialised(con, period, current) as scope:
        figures = figures_by_bucket(con, scope, current, by)
        groups = group_shares(con, scope, current, group_share)["current"]
    return summary_from_figures(figures.get("current"), by, groups)


def account_revenue_in(
    con: duckdb.DuckDBPyConnection, scope: Scope, period: Period, by: By
) -> pd.DataFrame:
    """account_revenue over a given scope."""
    head, params = scope.head({"current": period})
    table = arrow(
        con,
        f"""{head}, units AS ({units_sql(by)}), ranked AS ({RANKED_SQL})
            SELECT rank, key, name, parent_group, members, net_revenue,
                   CASE WHEN cost_rows > 0 THEN gross_profit END AS gross_profit,
                   net_revenue / total AS share, cum / total AS cum_share, true AS positive
            FROM ranked
            UNION ALL
            SELECT NULL, key, name, parent_group, members, net_revenue,
                   CASE WHEN cost_rows > 0 THEN gross_profit END, NULL, NULL, false
            FROM units WHERE net_revenue <= 0
            ORDER BY positive DESC, rank, net_revenue DESC, key""",
        params,
    )
    frame = nullable_ints(table)
    frame.attrs["by"] = by
    return frame


def account_revenue(
    con: duckdb.DuckDBPyConnection, period: Period, by: By = "account"
) -> pd.DataFrame:
    """Per account (or parent group): net revenue, share, rank and cumulative share.

    Columns: rank, key, name, parent_group, members, net_revenue, gross_profit, share,
    cum_share, positive. Units at zero or below come last with positive = False and no rank
    or share. `key` is the account key, or for a group its name (an account without a group
    stands alone under its key); `name` falls back to the key; `members` counts a group's
    accounts. The frame's attrs["by"] records the level.
    """
    return account_revenue_in(con, Scope.scan(period), period, by)


def lorenz_curve_in(
    con: duckdb.DuckDBPyConnection, scope: Scope, period: Period, by: By
) -> pd.DataFrame:
    """lorenz_curve over a given scope."""
    head, params = scope.head({"current": period})
    return nullable_ints(
        arrow(
            con,
            f"""{head}, units AS ({units_sql(by)}),
            ascending AS (
                SELECT key, name, count(*) OVER () AS n, sum(net_revenue) OVER () AS total,
                       row_number() OVER w AS i, sum(net_revenue) OVER w AS cum
                FROM units WHERE net_revenue > 0
                WINDOW w AS (ORDER BY net_revenue, key DESC)
            )
            SELECT 0 AS i, 0.0 AS account_share, 0.0 AS revenue_share,
                   NULL::VARCHAR AS key, NULL::VARCHAR AS name
            WHERE EXISTS (SELECT 1 FROM ascending)
            UNION ALL
            SELECT i, i / n, CASE WHEN i = n THEN 1.0 ELSE cum / total END, key, name
            FROM ascending ORDER BY i""",
            params,
        )
    )


def lorenz_curve(
    con: duckdb.DuckDBPyConnection, period: Period, by: By = "account"
) -> pd.DataFrame:
    """Cumulative share of revenue against cumulative share of units, smallest first.

    Columns: i (0 … n), account_share = i/n, revenue_share, key, name; the first row is
    (0, 0) and the last (1, 1). Empty when no unit has positive revenue.
    """
    return lorenz_curve_in(con, Scope.scan(period), period, by)


def concentration_trend_in(
    con: duckdb.DuckDBPyConnection, scope: Scope, grain: Grain, by: By
) -> pd.DataFrame:
    """concentration_trend over a given scope."""
    head, params = scope.head_by_grain(grain)
    spans = (  # a month bucket is one month; a quarter's stored months are counted
        "SELECT DISTINCT month AS bucket, 1 AS months FROM monthly"
        if grain == "month"
        else """SELECT date_trunc('quarter', month)::DATE AS bucket,
                  count(DISTINCT month)::INTEGER AS months FROM monthly GROUP BY ALL"""
    )
    columns = ", ".join(f"f.{column}" for column in FIGURE_COLUMNS)
    table = arrow(
        con,
        f"""{head}, units AS ({units_sql(by)}), ranked AS ({RANKED_SQL}), {FIGURES_SQL},
            spans AS ({spans})
            SELECT f.bucket AS period_start, s.months::INTEGER AS months, {columns}
            FROM figures AS f JOIN spans AS s USING (bucket) ORDER BY period_start""",
        params,
    )
    return nullable_ints(table).rename(columns={"nonpositive": "accounts_nonpositive"})


def concentration_trend(
    con: duckdb.DuckDBPyConnection,
    grain: Grain = "month",
    by: By = "account",
    period: Period | None = None,
) -> pd.DataFrame:
    """Every concentration figure per month or quarter over stored history, in one query.

    Columns: period_start (the month's or quarter's first day), months (stored months in it,
    so a partial quarter shows), then n, total, net_revenue, accounts_nonpositive,
    nonpositive_revenue, gross_profit, top1/5/10 and top20pct shares, top20pct_n, pareto_k,
    pareto_share, hhi, effective_accounts, gini. `period` narrows the history.
    """
    return concentration_trend_in(con, Scope.scan(period or Period()), grain, by)


def _rounded(value: float | None, digits: int) -> float | None:
    return None if value is None else round(float(value), digits)


def concentration_metrics(con: duckdb.DuckDBPyConnection, period: Period) -> dict[str, object]:
    """The concentration keys `keystone metrics` adds, per account over the period's totals."""
    current = {"current": period}
    with materialised(con, period, current) as scope:
        figures = figures_by_bucket(con, scope, current, "account")
        groups = group_shares(con, scope, current)["current"]
        whale = whale_summary_in(con, scope, period, "account")
    summary = summary_from_figures(figures.get("current"), "account", groups)
    return {
        "top1_share": _rounded(summary.top1_share, 6),
        "top5_share": _rounded(summary.top5_share, 6),
        "top10_share": _rounded(summary.top10_share, 6),
        "top20pct_share": _rounded(summary.top20pct_share, 6),
        "pareto_k": summary.pareto_k,
        "hhi": _rounded(summary.hhi, 2),
        "effective_accounts": _rounded(summary.effective_accounts, 2),
        "gini": _rounded(summary.gini, 6),
        "accounts_nonpositive": summary.accounts_nonpositive,
        "groups_over_10pct": [
            {"group": group.group, "share": round(group.share, 6)} for group in groups
        ],
        "whale": None
        if whale is None
        else {
            "peak": _rounded(whale.peak, 6),
            "negative_accounts": whale.negative_accounts,
            "profit_destroyed": round(whale.profit_destroyed, 2),
        },
    }
