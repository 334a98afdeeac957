"""Everything the Concentration page shows for one period, from a single pass over the rows.

The stored rows are read once into a month × account table; every figure, the comparisons
with the prior period and the same period last year, the alerts and the trend are then
computed from that small table.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from core.concentration import (
    ConcentrationSummary,
    account_revenue_in,
    concentration_trend_in,
    figures_by_bucket,
    group_shares,
    lorenz_curve_in,
    summary_from_figures,
)
from core.concentration_alerts import Alert, ConcentrationThresholds, dependency_alerts_in
from core.concentration_sql import By, Grain, comparisons, materialised
from core.metrics import Period
from core.stress import StressResult, stress_test
from core.whale import WhaleSummary, whale_curve_in, whale_summary_in


@dataclass(frozen=True)
class ConcentrationReport:
    """The Concentration page's figures for one period."""

    by: By
    """The level of the summaries, Lorenz curve, whale curve, alerts and trend."""
    period: Period | None
    """The period clipped to stored history; None when no stored month falls in it."""
    prior_period: Period | None
    """Same length, immediately before; None unless stored history covers it."""
    last_year_period: Period | None
    """Twelve months earlier; None unless stored history covers it."""
    summary: ConcentrationSummary
    prior: ConcentrationSummary | None
    """The prior period's figures, for deltas; None with prior_period."""
    last_year: ConcentrationSummary | None
    """The same period last year's figures, for deltas; None with last_year_period."""
    accounts: pd.DataFrame
    """account_revenue per account (a group's members for the group view)."""
    groups: pd.DataFrame
    """account_revenue per parent group."""
    lorenz: pd.DataFrame
    whale_curve: pd.DataFrame
    """Empty without cost data."""
    whale: WhaleSummary | None
    """None without cost data."""
    alerts: list[Alert]
    trend: pd.DataFrame
    """concentration_trend at the report's grain over all stored history."""

    def group_members(self, group: str) -> pd.DataFrame:
        """The accounts of one parent group (a lone account is its own group), as `accounts`
        rows plus group_share: each one's part of the group's net revenue (NaN unless that is
        positive)."""
        owner = self.accounts["parent_group"].fillna(self.accounts["key"]).astype(str)
        members = self.accounts[owner == group].reset_index(drop=True)
        total = float(members["net_revenue"].sum())
        share = members["net_revenue"].astype(float) / total if total > 0 else float("nan")
        return members.assign(group_share=share)

    def stress_test(
        self,
        con: duckdb.DuckDBPyConnection,
        remove_accounts: list[str] | None = None,
        remove_groups: list[str] | None = None,
        remove_top_n: int = 0,
    ) -> StressResult:
        """core.stress.stress_test for this period and level, from the report's accounts."""
        return stress_test(
            con,
            self.period or Period(),
            remove_accounts,
            remove_groups,
            remove_top_n,
            self.by,
            accounts=self.accounts,
        )


def concentration_report(
    con: duckdb.DuckDBPyConnection,
    period: Period,
    by: By = "account",
    thresholds: ConcentrationThresholds | None = None,
    grain: Grain = "month",
) -> ConcentrationReport:
    """Every figure of the Concentration page, reading the stored rows once."""
    compared = comparisons(con, period)
    current = compared.current or period
    named = {"current": current, "prior": compared.prior, "last_year": compared.last_year}
    periods = {name: value for name, value in named.items() if value is not None}
    with materialised(con, Period(), periods) as scope:
        figures = figures_by_bucket(con, scope, periods, by)
        groups = group_shares(con, scope, periods)
        summaries = {
            name: summary_from_figures(figures.get(name), by, groups[name]) for name in periods
        }
        return ConcentrationReport(
            by=by,
            period=compared.current,
            prior_period=compared.prior,
            last_year_period=compared.last_year,
            summary=summaries["current"],
            prior=summaries.get("prior"),
            last_year=summaries.get("last_year"),
            accounts=account_revenue_in(con, scope, current, "account"),
            groups=account_revenue_in(con, scope, current, "group"),
            lorenz=lorenz_curve_in(con, scope, current, by),
            whale_curve=whale_curve_in(con, scope, current, by),
            whale=whale_summary_in(con, scope, current, by),
            alerts=dependency_alerts_in(
                con, scope, compared, thresholds or ConcentrationThresholds(), by, figures
            ),
            trend=concentration_trend_in(con, scope, grain, by),
        )
