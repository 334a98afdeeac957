"""Discount alerts: creep, the discount that buys nothing and corridor outliers, with evidence.

Thresholds are settings (Settings.discounts); each alert names its rule, severity, a
translatable message (key and parameters, texts in core/locales/discounts.*.toml), the numbers
behind it and the accounts involved. Definitions follow domain.md §3.
"""

from __future__ import annotations

from typing import Final, Literal

import duckdb
import pandas as pd

from core.alerts import Alert, Number, Severity, finite
from core.discounts_base import DiscountBase, discount_base
from core.discounts_creep import (
    DiscountThresholds,
    buys_nothing,
    corridor_outliers,
    creep_end_month,
    discount_creep,
)
from core.metrics import Period
from core.settings import get_settings

DiscountRule = Literal["buys_nothing", "creep", "corridor"]

SEVERITY: Final[dict[str, Severity]] = {
    "buys_nothing": "act",
    "creep": "watch",
    "corridor": "watch",
}
"""Each rule's severity: 'act' needs a decision before the next review, 'watch' a look."""

CORRIDOR_TOP: Final = 10
"""Corridor outliers raised as alerts by default: the largest excesses over the peers."""


def _alert(
    rule: DiscountRule,
    params: dict[str, str | int | float],
    evidence: dict[str, Number],
    account: str,
    key: str | None = None,
) -> Alert:
    return Alert(
        rule=rule,
        severity=SEVERITY[rule],
        message_key=f"discounts.alert.{key or rule}",
        params=params,
        evidence=evidence,
        accounts=[account],
        terms={"segment": "segments.name"},
    )


def _creep_evidence(row: pd.Series, threshold: float) -> dict[str, Number]:
    return {
        "points": finite(row["points"]),
        "slope": finite(row["slope"]),
        "revenue_change": finite(row["revenue_change"]),
        "rate_prior": finite(row["rate_prior"]),
        "rate_last": finite(row["rate_last"]),
        "monthly_net_prior": finite(row["monthly_net_prior"]),
        "monthly_net_last": finite(row["monthly_net_last"]),
        "threshold": threshold,
    }


def creep_alerts(creep: pd.DataFrame, threshold: float) -> list[Alert]:
    """One 'creep' alert per account whose creep is above `threshold` points, most first."""
    rising = creep[creep["points"].gt(threshold).fillna(False).astype(bool)]
    rising = rising.sort_values(["points", "account"], ascending=[False, True])
    return [
        _alert(
            "creep",
            {
                "account": str(row["name"]),
                "key": str(row["account"]),
                "points": float(row["points"]),
                "rate_prior": float(row["rate_prior"]),
                "rate_last": float(row["rate_last"]),
                "threshold": threshold,
            },
            _creep_evidence(row, threshold),
            str(row["account"]),
        )
        for _, row in rising.iterrows()
    ]


def buys_nothing_alerts(creep: pd.DataFrame, threshold: float) -> list[Alert]:
    """One 'buys_nothing' alert per account with creep above `threshold` and flat revenue."""
    alerts = []
    for _, row in buys_nothing(creep, threshold).iterrows():
        change = finite(row["revenue_change"])
        params: dict[str, str | int | float] = {
            "account": str(row["name"]),
            "key": str(row["account"]),
            "points": float(row["points"]),
            "before": float(row["monthly_net_prior"]),
            "now": float(row["monthly_net_last"]),
            "threshold": threshold,
        }
        if change is not None:
            params["revenue_change"] = change
        alerts.append(
            _alert(
                "buys_nothing",
                params,
                _creep_evidence(row, threshold),
                str(row["account"]),
                # Without a positive prior level there is no relative change to quote.
                key="buys_nothing" if change is not None else "buys_nothing_levels",
            )
        )
    return alerts


def corridor_alerts(
    outliers: pd.DataFrame, thresholds: DiscountThresholds, top: int = CORRIDOR_TOP
) -> list[Alert]:
    """One 'corridor' alert for each of the `top` corridor outliers furthest above their peers."""
    ranked = outliers.sort_values(["excess_points", "account"], ascending=[False, True])
    return [
        _alert(
            "corridor",
            {
                "account": str(row["name"]),
                "key": str(row["account"]),
                "segment": "—" if pd.isna(row["segment"]) else str(row["segment"]),
                "rate": float(row["rate"]),
                "peer_p90": float(row["peer_p90"]),
                "percentile": 100 * thresholds.peer_quantile,
                "excess_points": float(row["excess_points"]),
            },
            {
                "rate": finite(row["rate"]),
                "peer_p90": finite(row["peer_p90"]),
                "excess_points": finite(row["excess_points"]),
                "peers": int(row["peers"]),
                "band": int(row["band"]),
                "net_revenue": finite(row["net_revenue"]),
                "quantile": thresholds.peer_quantile,
            },
            str(row["account"]),
        )
        for _, row in ranked.head(top).iterrows()
    ]


def discount_alerts(
    con: duckdb.DuckDBPyConnection,
    period: Period,
    thresholds: DiscountThresholds | None = None,
    corridor_top: int = CORRIDOR_TOP,
    base: DiscountBase | None = None,
) -> list[Alert]:
    """Every triggered discount rule for the period: buys-nothing, then creep, then corridor.

    Creep is judged over the 6 months ending at the period's last stored month; the corridor
    over the whole period, keeping the `corridor_top` largest excesses. Thresholds default to
    the settings (KEYSTONE_DISCOUNTS__*); `base` saves re-reading the stored rows.
    """
    thresholds = thresholds or get_settings().discounts
    base = base if base is not None else discount_base(con, period)
    end = creep_end_month(con, period, base)
    if end is None:
        return []
    creep = discount_creep(con, end, base)
    outliers = corridor_outliers(con, period, thresholds, base)
    return alerts_from_tables(creep, outliers, thresholds, corridor_top)


def alerts_from_tables(
    creep: pd.DataFrame,
    outliers: pd.DataFrame,
    thresholds: DiscountThresholds,
    corridor_top: int = CORRIDOR_TOP,
) -> list[Alert]:
    """The discount alerts of already computed creep and corridor tables, in alert order."""
    corridor = corridor_alerts(outliers, thresholds, corridor_top) if not outliers.empty else []
    if creep.empty:  # no stored month in the creep windows
        return corridor
    return [
        *buys_nothing_alerts(creep, thresholds.creep_points),
        *creep_alerts(creep, thresholds.creep_points),
        *corridor,
    ]


__all__ = [
    "SEVERITY",
    "Alert",
    "alerts_from_tables",
    "DiscountRule",
    "buys_nothing_alerts",
    "corridor_alerts",
    "creep_alerts",
    "discount_alerts",
]
