"""One account's scorecard, tier history and alerts, for the account drill-down.

Tier history: the account's tier in each calendar quarter, every account scored over that
quarter alone (its stored months) with growth against the same number of months just before,
exactly as core.scorecard scores a period. Quarters rather than trailing-12-month windows:
each point then reflects that quarter only, so a change of tier shows when it happened
instead of being smeared over four points. The quarters shown are those overlapping the period,
and at least the four ending with the period's last quarter, within stored history.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Final

import duckdb
import pandas as pd

from core.alerts import Alert
from core.concentration_alerts import dependency_alerts
from core.concentration_sql import comparisons, shift_months
from core.discounts_alerts import discount_alerts
from core.metrics import Period
from core.people import has_contacts
from core.people_alerts import people_alerts
from core.scorecard import Scorecard
from core.scorecard_sql import scorecard_sql, weight_params
from core.scorecard_weights import INDICATORS, ScorecardWeights
from core.segments_base import segments_base
from core.settings import get_settings
from core.sql import frame

HISTORY_QUARTERS: Final = 4
"""The fewest quarters the tier history shows (when stored)."""


@dataclass(frozen=True)
class AccountCard:
    """The account's row of the period's scorecard, with each indicator's contribution."""

    score: float
    """0–100: the sum of the contributions."""
    rank: int
    """1 = best score; ties share."""
    n: int
    """Accounts scored in the period."""
    tier: str
    """platinum, gold, iron or lead."""
    prior_score: float | None
    """The score in the compared period; None when not scored then."""
    prior_tier: str | None
    score_change: float | None
    driver: str | None
    """The indicator whose contribution moved most since the compared period."""
    contributions: pd.DataFrame = field(repr=False)
    """One row per indicator, in display order: indicator, value (revenue, margin, growth,
    concession degree, products), pct (0–100), weight (effective), points (weight · pct /
    100), change (points since the compared period)."""


def _number(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def account_card(card: Scorecard, account: str) -> AccountCard | None:
    """The account's card from a period's scorecard; None when it was not scored."""
    found = card.table[card.table["account"] == account]
    if found.empty:
        return None
    row = found.iloc[0]
    contributions = pd.DataFrame(
        {
            "indicator": list(INDICATORS),
            "value": [_number(row[name]) for name in INDICATORS],
            "pct": [_number(row[f"{name}_pct"]) for name in INDICATORS],
            "weight": [_number(row[f"{name}_weight"]) for name in INDICATORS],
            "points": [_number(row[f"{name}_points"]) for name in INDICATORS],
            "change": [_number(row.get(f"{name}_change")) for name in INDICATORS],
        }
    )
    tier = row.get("prior_tier")
    driver = row.get("driver")
    return AccountCard(
        score=float(row["score"]),
        rank=int(row["rank"]),
        n=int(row["n"]),
        tier=str(row["tier"]),
        prior_score=_number(row.get("prior_score")),
        prior_tier=None if tier is None or pd.isna(tier) else str(tier),
        score_change=_number(row.get("score_change")),
        driver=None if driver is None or pd.isna(driver) else str(driver),
        contributions=contributions,
    )


def _quarter(day: date) -> date:
    return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


def history_quarters(con: duckdb.DuckDBPyConnection, period: Period) -> list[tuple[date, Period]]:
    """(quarter start, its stored months) for each quarter the tier history shows."""
    current = comparisons(con, period).current
    if current is None or current.start is None or current.end is None:
        return []
    last = _quarter(current.end)
    first = min(_quarter(current.start), shift_months(last, -3 * (HISTORY_QUARTERS - 1)))
    shown = []
    quarter = first
    while quarter <= last:
        stored = comparisons(con, Period(start=quarter, end=shift_months(quarter, 2))).current
        if stored is not None:
            shown.append((quarter, stored))
        quarter = shift_months(quarter, 3)
    return shown


def tier_history(
    con: duckdb.DuckDBPyConnection,
    account: str,
    period: Period,
    weights: ScorecardWeights | None = None,
) -> pd.DataFrame:
    """The account's score and tier per quarter (see the module docstring), in one query.

    Columns: quarter (its first day), months (stored months in it), score, rank, n, tier;
    score, rank and tier are NULL in a quarter where the account was not scored (no positive
    revenue), n is the accounts scored that quarter.
    """
    quarters = history_quarters(con, period)
    columns = ["quarter", "months", "score", "rank", "n", "tier"]
    if not quarters:
        return pd.DataFrame(columns=columns)
    periods: dict[str, Period] = {}
    bases: dict[str, str] = {}
    for index, (_start, stored) in enumerate(quarters):
        periods[f"q{index}"] = stored
        prior = comparisons(con, stored).prior
        if prior is not None:
            periods[f"b{index}"] = prior
            bases[f"q{index}"] = f"b{index}"
    scored = tuple(f"q{index}" for index in range(len(quarters)))
    base = segments_base(con, periods.values())
    sums, params = base.sums_sql(periods)
    labels = pd.DataFrame(
        {
            "bucket": list(scored),
            "quarter": [pd.Timestamp(start) for start, _ in quarters],
            "months": [
                (s.end.year - s.start.year) * 12 + s.end.month - s.start.month + 1
                for _, s in quarters
                if s.start is not None and s.end is not None
            ],
        }
    )
    picked = ", ".join(
        f"any_value({column}) FILTER (WHERE account = $account) AS {column}"
        for column in ("score", "rank", "tier")
    )
    with base.view(con):
        cards = frame(
            con,
            f"""WITH cards AS ({scorecard_sql(sums, scored, bases)})
                SELECT bucket, any_value(n) AS n, {picked}
                FROM cards GROUP BY bucket""",
            {**params, **weight_params(weights or get_settings().scorecard), "account": account},
        )
    history = labels.merge(cards, on="bucket", how="left").drop(columns="bucket")
    return history[columns]


def portfolio_alerts(con: duckdb.DuckDBPyConnection, period: Period) -> list[Alert]:
    """Every alert of the period: dependency, discount, then key people (with contacts)."""
    alerts = [*dependency_alerts(con, period), *discount_alerts(con, period)]
    if has_contacts(con):
        alerts += people_alerts(con, period, get_settings().people)
    return alerts


def alerts_for(alerts: Sequence[Alert], account: str) -> list[Alert]:
    """The alerts whose accounts include this one, 'act' before 'watch', order kept within."""
    mine = [alert for alert in alerts if account in alert.accounts]
    return sorted(mine, key=lambda alert: alert.severity != "act")


__all__ = [
    "HISTORY_QUARTERS",
    "AccountCard",
    "account_card",
    "alerts_for",
    "history_quarters",
    "portfolio_alerts",
    "tier_history",
]
