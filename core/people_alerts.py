"""Relationship-risk alerts per account: thin, stale or hostile coverage of the buying centre.

Thresholds are settings (Settings.people, a core.people.PeopleThresholds). Each alert names its
rule, severity, a translatable message (texts in core/locales/people.*.toml), the figures
behind it and the account. Rules on who is named (single-threaded, no economic buyer, no
coach, technical buyer, detractor, recency) apply to accounts with at least one person named;
a key account with nobody named raises only `key_low_coverage`, at coverage 0.
"""

from __future__ import annotations

import math
from typing import Final, Literal

import duckdb
import pandas as pd

from core.alerts import Alert, Number, Severity
from core.metrics import Period
from core.people import PeopleThresholds, account_coverage, people_summary

PeopleRule = Literal[
    "single_threaded",
    "no_economic_buyer",
    "no_coach",
    "technical_buyer",
    "strong_detractor",
    "key_low_coverage",
    "no_recent_contact",
]
RULES: Final[tuple[PeopleRule, ...]] = (
    "key_low_coverage",
    "strong_detractor",
    "single_threaded",
    "no_economic_buyer",
    "technical_buyer",
    "no_recent_contact",
    "no_coach",
)
"""Every rule, in the order alerts are listed within a severity."""
KEY_SEVERITY: Final[dict[str, Severity]] = {
    "single_threaded": "act",
    "no_economic_buyer": "act",
    "no_coach": "watch",
    "technical_buyer": "act",
    "strong_detractor": "act",
    "key_low_coverage": "act",
    "no_recent_contact": "act",
}
"""Severity on a key account; on any other account every rule is 'watch'."""


def _number(value: object) -> Number:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    return float(value) if isinstance(value, float) else int(value)  # type: ignore[arg-type]


def _triggered(row: pd.Series, thresholds: PeopleThresholds) -> list[tuple[PeopleRule, dict]]:
    """(rule, extra params) for every rule the account breaks."""
    found: list[tuple[PeopleRule, dict]] = []
    contacts = int(row["contacts"])
    recent = thresholds.recency_days
    if row["is_key"] and row["coverage"] < thresholds.key_min_coverage:
        found.append(("key_low_coverage", {}))
    if contacts == 0:
        return found
    if row["strong_detractors"] > 0:
        names = ", ".join(row["detractor_names"] or [])
        found.append(("strong_detractor", {"names": names}))
    if contacts == 1:
        found.append(("single_threaded", {}))
    if not row["has_economic_buyer"]:
        found.append(("no_economic_buyer", {}))
    technical_days = _number(row["technical_days"])
    if not row["has_technical_buyer"] or technical_days is None or technical_days > recent:
        found.append(("technical_buyer", {}))
    days = _number(row["days_since_contact"])
    if days is None or days > recent:
        found.append(("no_recent_contact", {}))
    if not row["has_coach"]:
        found.append(("no_coach", {}))
    return found


def alerts_from_coverage(coverage: pd.DataFrame, thresholds: PeopleThresholds) -> list[Alert]:
    """Every alert the accounts of `account_coverage` raise: act before watch, then by rule
    and revenue."""
    alerts: list[tuple[int, int, float, Alert]] = []
    for row in coverage.to_dict("records"):  # accounts with contacts or key: hundreds at most
        series = pd.Series(row)
        for rule, extra in _triggered(series, thresholds):
            severity: Severity = KEY_SEVERITY[rule] if row["is_key"] else "watch"
            technical = _number(row["technical_days"])
            evidence: dict[str, Number] = {
                "net_revenue": float(row["net_revenue"]),
                "key_rank": _number(row["key_rank"]),
                "contacts": int(row["contacts"]),
                "coverage": float(row["coverage"]),
                "days_since_contact": _number(row["days_since_contact"]),
                "technical_days": technical,
                "strong_detractors": int(row["strong_detractors"]),
            }
            threshold = {
                "key_low_coverage": thresholds.key_min_coverage,
                "strong_detractor": thresholds.detractor_influence,
                "technical_buyer": thresholds.recency_days,
                "no_recent_contact": thresholds.recency_days,
            }.get(rule)
            if threshold is not None:
                evidence["threshold"] = threshold
            params: dict[str, str | int | float] = {
                "account": str(row["name"]),
                "coverage": float(row["coverage"]),
                "threshold": threshold if threshold is not None else 0,
                "contacts": int(row["contacts"]),
                "days": evidence["days_since_contact"]
                if evidence["days_since_contact"] is not None
                else -1,
                "technical_days": technical if technical is not None else -1,
                **extra,
            }
            if rule == "technical_buyer":
                rule_key = (
                    "technical_buyer_missing"
                    if not row["has_technical_buyer"]
                    else ("technical_buyer_never" if technical is None else "technical_buyer_stale")
                )
            elif rule == "no_recent_contact" and evidence["days_since_contact"] is None:
                rule_key = "no_recent_contact_never"
            else:
                rule_key = rule
            alert = Alert(
                rule=rule,
                severity=severity,
                message_key=f"people.alert.{rule_key}",
                params=params,
                evidence=evidence,
                accounts=[str(row["account_id"])],
            )
            alerts.append((severity != "act", RULES.index(rule), -float(row["net_revenue"]), alert))
    alerts.sort(key=lambda item: item[:3])
    return [alert for *_, alert in alerts]


def people_alerts(
    con: duckdb.DuckDBPyConnection, period: Period, thresholds: PeopleThresholds
) -> list[Alert]:
    """The period's relationship alerts; none without a contacts file."""
    return alerts_from_coverage(account_coverage(con, period, thresholds), thresholds)


def coverage_metrics(
    con: duckdb.DuckDBPyConnection, period: Period, thresholds: PeopleThresholds
) -> dict[str, object]:
    """The `coverage` key of `keystone metrics`."""
    summary = people_summary(con, period, thresholds)
    share = summary.key_revenue_at_risk_share
    return {
        "coverage": {
            "single_threaded_accounts": summary.single_threaded_accounts,
            "key_revenue_at_risk_share": round(share, 6) if share is not None else None,
            "alerts": [a.model_dump() for a in people_alerts(con, period, thresholds)],
        }
    }
