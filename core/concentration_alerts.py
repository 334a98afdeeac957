"""Dependency alerts: the concentration rules a sales leader should hear about, with evidence.

Thresholds are settings; each alert names its rule, severity, a translatable message (key and
parameters, texts in core/locales/concentration.*.toml), the numbers behind it and the
accounts involved.
"""

from __future__ import annotations

from typing import Final, Literal

import duckdb
from pydantic import BaseModel, ConfigDict, Field

from core.alerts import Alert, Number, Severity
from core.concentration import figures_by_bucket
from core.concentration_sql import (
    PARETO_SHARE,
    PARETO_TOLERANCE,
    RANKED_SQL,
    By,
    Comparisons,
    Scope,
    comparisons,
    materialised,
    units_sql,
)
from core.metrics import Period
from core.sql import fetch_all, fetch_one

Rule = Literal["group_share", "top5_share", "hhi", "hhi_yoy", "key_account_drop"]

SEVERITY: Final[dict[str, Severity]] = {
    "group_share": "act",
    "top5_share": "watch",
    "hhi": "act",
    "hhi_yoy": "watch",
    "key_account_drop": "act",
}
"""Each rule's severity: 'act' needs a decision before the next review, 'watch' a look."""


class ConcentrationThresholds(BaseModel):
    """When a dependency alert fires; defaults follow the issue and domain.md §3."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    group_share: float = Field(
        default=0.10,
        gt=0,
        le=1,
        description="A parent group at or above this share of net revenue (the 10% rule).",
    )
    top5_share: float = Field(
        default=0.50, gt=0, le=1, description="The top 5 accounts at or above this share."
    )
    hhi: float = Field(
        default=1800.0, ge=0, le=10_000, description="HHI above this (the 'high' band)."
    )
    hhi_yoy_rise: float = Field(
        default=100.0, ge=0, description="HHI up by more than this against a year earlier."
    )
    key_account_drop: float = Field(
        default=0.20,
        gt=0,
        le=1,
        description="A key account (inside the 80% Pareto set) down by more than this "
        "fraction against the prior period.",
    )


def _alert(
    rule: Rule,
    params: dict[str, str | int | float],
    evidence: dict[str, Number],
    accounts: list[str],
) -> Alert:
    return Alert(
        rule=rule,
        severity=SEVERITY[rule],
        message_key=f"concentration.alert.{rule}",
        params=params,
        evidence=evidence,
        accounts=accounts,
    )


def _month(period: Period, end: bool) -> str:
    day = period.end if end else period.start
    return day.strftime("%Y-%m") if day else ""


def _group_alerts(
    con: duckdb.DuckDBPyConnection, scope: Scope, current: Period, threshold: float
) -> list[Alert]:
    head, params = scope.head({"current": current})
    rows = fetch_all(
        con,
        f"""{head}, units AS ({units_sql("group")}), ranked AS ({RANKED_SQL})
            SELECT r.key, r.name, r.net_revenue, r.net_revenue / r.total AS share,
                   list(a.account_key ORDER BY a.net_revenue DESC, a.account_key)
            FROM ranked AS r JOIN accounts AS a
              ON a.bucket = r.bucket AND coalesce(a.parent_group, a.account_key) = r.key
            WHERE r.net_revenue / r.total >= $threshold
            GROUP BY r.key, r.name, r.net_revenue, r.total, r.rank ORDER BY r.rank""",
        {**params, "threshold": threshold},
    )
    return [
        _alert(
            "group_share",
            {"group": name, "share": share, "threshold": threshold},
            {"share": share, "net_revenue": net, "members": len(members), "threshold": threshold},
            members,
        )
        for _key, name, net, share, members in rows
    ]


def _leaders(
    con: duckdb.DuckDBPyConnection, scope: Scope, periods: dict[str, Period], by: By
) -> tuple[list[str], list[str]]:
    """The top-5 units now, and the 5 whose squared share rose most since last year."""
    head, params = scope.head(periods)
    top5, risers = fetch_one(
        con,
        f"""{head}, units AS ({units_sql(by)}), ranked AS ({RANKED_SQL}),
            shares AS (
                SELECT key,
                       coalesce(sum(net_revenue / total) FILTER (WHERE bucket = 'current'), 0)
                           AS now,
                       coalesce(sum(net_revenue / total) FILTER (WHERE bucket = 'last_year'), 0)
                           AS earlier
                FROM ranked GROUP BY key
            )
            SELECT (SELECT list(key ORDER BY rank) FROM ranked
                    WHERE bucket = 'current' AND rank <= 5),
                   (SELECT list(key ORDER BY rise DESC, key) FROM (
                        SELECT key, now * now - earlier * earlier AS rise FROM shares
                        ORDER BY rise DESC, key LIMIT 5))""",
        params,
    )
    return top5 or [], risers or []


def _key_account_drops(
    con: duckdb.DuckDBPyConnection, scope: Scope, current: Period, prior: Period, drop: float
) -> list[Alert]:
    head, params = scope.head({"current": current, "prior": prior})
    rows = fetch_all(
        con,
        f"""{head}, units AS ({units_sql("account")}), ranked AS ({RANKED_SQL}),
            key_accounts AS (
                SELECT DISTINCT key FROM ranked
                WHERE cum - net_revenue < {PARETO_SHARE} * total * (1 - {PARETO_TOLERANCE})
            ),
            compared AS (
                SELECT key, max(name) AS name,
                       coalesce(sum(net_revenue) FILTER (WHERE bucket = 'current'), 0) AS now,
                       sum(net_revenue) FILTER (WHERE bucket = 'prior') AS before
                FROM units WHERE key IN (SELECT key FROM key_accounts) GROUP BY key
            )
            SELECT key, name, before, now, now / before - 1 AS change FROM compared
            WHERE before > 0 AND now / before - 1 < -$drop ORDER BY change, key""",
        {**params, "drop": drop},
    )
    return [
        _alert(
            "key_account_drop",
            {
                "account": name,
                "key": key,
                "before": before,
                "now": now,
                "change": change,
                "threshold": drop,
                "prior_from": _month(prior, False),
                "prior_to": _month(prior, True),
            },
            {"before": before, "now": now, "change": change, "threshold": drop},
            [key],
        )
        for key, name, before, now, change in rows
    ]


def dependency_alerts_in(
    con: duckdb.DuckDBPyConnection,
    scope: Scope,
    compared: Comparisons,
    thresholds: ConcentrationThresholds,
    by: By,
    figures: dict[str, dict[str, object]] | None = None,
) -> list[Alert]:
    """dependency_alerts over a scope holding the current, prior and last year's months.

    `figures` may pass figures_by_bucket already computed for 'current' and 'last_year'.
    """
    current = compared.current
    if current is None:
        return []
    periods = {"current": current}
    if compared.last_year is not None:
        periods["last_year"] = compared.last_year
    if figures is None:
        figures = figures_by_bucket(con, scope, periods, by)
    now, then = figures.get("current"), figures.get("last_year")
    if now is None or not now["n"]:
        return []
    top5, risers = _leaders(con, scope, periods, by)
    alerts = _group_alerts(con, scope, current, thresholds.group_share)
    if now["top5_share"] >= thresholds.top5_share:
        alerts.append(
            _alert(
                "top5_share",
                {"share": now["top5_share"], "threshold": thresholds.top5_share},
                {"share": now["top5_share"], "threshold": thresholds.top5_share},
                top5,
            )
        )
    if now["hhi"] > thresholds.hhi:
        alerts.append(
            _alert(
                "hhi",
                {
                    "hhi": now["hhi"],
                    "effective": now["effective_accounts"],
                    "threshold": thresholds.hhi,
                },
                {
                    "hhi": now["hhi"],
                    "effective_accounts": now["effective_accounts"],
                    "threshold": thresholds.hhi,
                },
                top5,
            )
        )
    if then is not None and then["hhi"] is not None and compared.last_year is not None:
        rise = now["hhi"] - then["hhi"]
        if rise > thresholds.hhi_yoy_rise:
            alerts.append(
                _alert(
                    "hhi_yoy",
                    {
                        "hhi": now["hhi"],
                        "hhi_last_year": then["hhi"],
                        "rise": rise,
                        "threshold": thresholds.hhi_yoy_rise,
                        "last_year_from": _month(compared.last_year, False),
                        "last_year_to": _month(compared.last_year, True),
                    },
                    {
                        "hhi": now["hhi"],
                        "hhi_last_year": then["hhi"],
                        "rise": rise,
                        "threshold": thresholds.hhi_yoy_rise,
                    },
                    risers,
                )
            )
    if compared.prior is not None:
        alerts += _key_account_drops(
            con, scope, current, compared.prior, thresholds.key_account_drop
        )
    return alerts


def dependency_alerts(
    con: duckdb.DuckDBPyConnection,
    period: Period,
    thresholds: ConcentrationThresholds | None = None,
    by: By = "account",
) -> list[Alert]:
    """Every triggered dependency rule for the period, group rules first.

    HHI and top-5 share are computed at level `by`; groups and key accounts always at their
    own level. Comparisons (HHI against the same period a year earlier, key accounts against
    the prior period of the same length) are skipped when stored history does not cover them.
    """
    compared = comparisons(con, period)
    if compared.current is None:
        return []
    named = {"current": compared.current, "prior": compared.prior, "last_year": compared.last_year}
    periods = {name: value for name, value in named.items() if value is not None}
    history = Period(
        start=min(p.start for p in periods.values() if p.start), end=compared.current.end
    )
    with materialised(con, history, periods) as scope:
        return dependency_alerts_in(
            con, scope, compared, thresholds or ConcentrationThresholds(), by
        )
