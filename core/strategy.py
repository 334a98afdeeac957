"""Strategy cards: per value segment, its playbook, its live figures and the actions its
accounts' alerts call for (domain.md §4).

The playbooks live in one data file, core/playbooks.toml. Actions come from any
core.alerts.Alert whose accounts sit in the segment (dependency and discount alerts by default,
plus whatever the caller adds, e.g. key-people alerts), phrased through the keys under
segments.action in core/locales/segments.*.toml.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Final

import duckdb
from pydantic import BaseModel, ConfigDict

from core.alerts import Alert, Severity
from core.concentration_alerts import dependency_alerts
from core.discounts_alerts import discount_alerts
from core.discounts_sql import RATE_COLUMNS
from core.i18n import Language, catalogue, t
from core.metrics import PERIOD_FILTER, Period
from core.segments import segment_mix, segment_mix_shift
from core.segments_sql import (
    SEGMENT_ORDER,
    SEGMENT_RANK_SQL,
    SEGMENTS,
    account_segments_sql,
)
from core.sql import fetch_all

PLAYBOOK_FILE: Final = Path(__file__).with_name("playbooks.toml")
TOP_ACCOUNTS: Final = 5
FLAT_BAND: Final = 0.02
"""A revenue change within ±2% reads as 'flat' in an action."""


class Playbook(BaseModel):
    """A segment's strategy in one language."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    segment: str
    name: str
    value: str
    """What the segment's customers value."""
    actions: list[str]
    """The standing strategy, as short actions."""
    watch: list[str]
    """The figures to keep an eye on."""


@cache
def _playbook_file() -> dict[str, dict[str, dict[str, object]]]:
    with PLAYBOOK_FILE.open("rb") as handle:
        return tomllib.load(handle)


def playbook(segment: str, language: Language = "en") -> Playbook:
    """The playbook of a segment (any of SEGMENT_ORDER) in a language."""
    entry = _playbook_file().get(segment)
    if entry is None:
        raise KeyError(f"no playbook for segment '{segment}'")
    return Playbook(
        segment=segment,
        **{part: entry[part][language] for part in ("name", "value", "actions", "watch")},
    )


class TopAccount(BaseModel):
    """One of a segment's largest accounts in the period."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    account: str
    name: str
    net_revenue: float
    share: float | None
    """Of the segment's net revenue; None when that is not positive."""


class SegmentFigures(BaseModel):
    """A segment's live figures for the period."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    segment: str
    accounts: int
    """Accounts with positive net revenue."""
    net_revenue: float
    revenue_share: float | None
    gross_profit: float | None
    margin: float | None
    """Gross profit / net revenue of the rows with cost."""
    discount_rate: float | None
    """Σ discount / Σ list over the rows with list data (core.discounts_sql)."""
    concession_degree: float | None
    net_revenue_prior: float | None
    """In the same-length period just before; None when stored history does not cover it."""
    growth: float | None
    """net_revenue / net_revenue_prior − 1; None without a positive prior."""
    top_accounts: list[TopAccount]


def _number(value: object) -> float | None:
    return None if value is None or value != value else float(value)  # NaN is not equal


_FIGURES_SQL = f"""
    WITH account_segments AS ({account_segments_sql()}),
    rows AS (
        SELECT r.*, s.segment AS resolved, s.name FROM active_rows AS r
        JOIN account_segments AS s USING (account_key) WHERE {PERIOD_FILTER}
    ),
    rates AS (SELECT resolved AS segment, {RATE_COLUMNS} FROM rows GROUP BY resolved),
    accounts AS (
        SELECT resolved AS segment, account_key, any_value(name) AS name,
               sum(net_revenue) AS net_revenue
        FROM rows GROUP BY resolved, account_key
    ),
    top AS (
        SELECT segment,
               list({{'account': account_key, 'name': name, 'net_revenue': net_revenue}}
                    ORDER BY round(net_revenue, 4) DESC, account_key)[1:$top] AS top_accounts
        FROM accounts WHERE net_revenue > 0 GROUP BY segment
    )
    SELECT r.segment, r.discount_rate, r.concession_degree, t.top_accounts
    FROM rates AS r LEFT JOIN top AS t USING (segment)
    ORDER BY {SEGMENT_RANK_SQL}"""


def segment_figures(
    con: duckdb.DuckDBPyConnection, period: Period, top: int = TOP_ACCOUNTS
) -> dict[str, SegmentFigures]:
    """Per segment with rows in the period: its live figures and `top` largest accounts."""
    shift = segment_mix_shift(con, period)
    if shift.current is None:
        return {}
    rates = {
        segment: (rate, degree, top_accounts or [])
        for segment, rate, degree, top_accounts in fetch_all(
            con, _FIGURES_SQL, {**shift.current.params(), "top": top}
        )
    }
    mix = {row["segment"]: row for _, row in segment_mix(con, shift.current).iterrows()}
    prior = {row["segment"]: row for _, row in shift.table.iterrows()}
    figures = {}
    for segment, row in mix.items():
        rate, degree, top_accounts = rates.get(segment, (None, None, []))
        net = float(row["net_revenue"])
        before = _number(prior[segment]["net_revenue_prior"]) if segment in prior else None
        figures[segment] = SegmentFigures(
            segment=segment,
            accounts=int(row["accounts"]),
            net_revenue=net,
            revenue_share=_number(row["revenue_share"]),
            gross_profit=_number(row["gross_profit"]),
            margin=_number(row["margin"]),
            discount_rate=_number(rate),
            concession_degree=_number(degree),
            net_revenue_prior=before,
            growth=net / before - 1 if before and before > 0 else None,
            top_accounts=[
                TopAccount(
                    account=item["account"],
                    name=item["name"],
                    net_revenue=item["net_revenue"],
                    share=item["net_revenue"] / net if net > 0 else None,
                )
                for item in top_accounts
            ],
        )
    return figures


class TriggeredAction(BaseModel):
    """An alert on a segment's accounts, phrased as what to do about it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    segment: str
    rule: str
    severity: Severity
    action_key: str
    """core.i18n key of the action, under segments.action (a segment's own phrasing first)."""
    params: dict[str, str | int | float]
    """The action's placeholders: the alert's, with account set to the account's name."""
    accounts: list[str]
    """The alert's accounts that sit in this segment, most important first."""
    alert: Alert
    """The alert behind the action."""

    def text(self, language: Language = "en") -> str:
        """The action in a language."""
        params: dict[str, object] = dict(self.params)
        if self.action_key.endswith(".generic"):
            params["message"] = self.alert.message(language)
        # A creep alert carries the revenue change in its evidence only.
        change = self.params.get("revenue_change", self.alert.evidence.get("revenue_change"))
        params["trend"] = _trend(change, language)
        return t(self.action_key, language, **params)


def _trend(change: object, language: Language) -> str:
    """'flat', 'up 12%' or 'down 12%' for a relative revenue change; 'not growing' without one."""
    if not isinstance(change, int | float):
        return t("segments.trend.not_growing", language)
    if abs(change) < FLAT_BAND:
        return t("segments.trend.flat", language)
    key = "segments.trend.up" if change > 0 else "segments.trend.down"
    return t(key, language, change=abs(change))


def _action_key(segment: str, rule: str) -> str:
    """The most specific action text there is: the segment's own, the rule's, or generic."""
    known = catalogue("en")
    for key in (f"segments.action.{segment}.{rule}", f"segments.action.{rule}"):
        if key in known:
            return key
    return "segments.action.generic"


def portfolio_alerts(con: duckdb.DuckDBPyConnection, period: Period) -> list[Alert]:
    """The alerts the strategy cards draw on by default: dependency, then discount alerts."""
    return [*dependency_alerts(con, period), *discount_alerts(con, period)]


def triggered_actions(
    con: duckdb.DuckDBPyConnection, alerts: Sequence[Alert], extra_alerts: Sequence[Alert] = ()
) -> list[TriggeredAction]:
    """One action per alert and segment holding any of its accounts, 'act' before 'watch'.

    `extra_alerts` (e.g. key-people alerts) are handled like the others. A creep alert is left
    out for an account that also has a 'buys_nothing' alert, which says more.
    """
    every = [*alerts, *extra_alerts]
    keys = sorted({key for alert in every for key in alert.accounts})
    found = fetch_all(
        con,
        f"""SELECT account_key, segment, name FROM ({account_segments_sql()})
            WHERE account_key IN (SELECT unnest($keys))""",
        {"keys": keys},
    )
    where = {key: (segment, name) for key, segment, name in found}
    nothing = {a.accounts[0] for a in every if a.rule == "buys_nothing" and a.accounts}
    actions = []
    for alert in every:
        if alert.rule == "creep" and alert.accounts and alert.accounts[0] in nothing:
            continue
        by_segment: dict[str, list[str]] = {}
        for key in alert.accounts:
            if key in where:
                by_segment.setdefault(where[key][0], []).append(key)
        for segment, members in by_segment.items():
            params = dict(alert.params)
            params["account"] = where[members[0]][1]
            actions.append(
                TriggeredAction(
                    segment=segment,
                    rule=alert.rule,
                    severity=alert.severity,
                    action_key=_action_key(segment, alert.rule),
                    params=params,
                    accounts=members,
                    alert=alert,
                )
            )
    return sorted(actions, key=lambda action: action.severity != "act")


class StrategyCard(BaseModel):
    """One segment's card: figures first, then the actions its alerts trigger."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    segment: str
    figures: SegmentFigures | None
    """None for a segment without rows in the period."""
    actions: list[TriggeredAction]

    def playbook(self, language: Language = "en") -> Playbook:
        """The segment's standing strategy in a language."""
        return playbook(self.segment, language)


def strategy_cards(
    con: duckdb.DuckDBPyConnection,
    period: Period,
    alerts: Sequence[Alert] | None = None,
    extra_alerts: Sequence[Alert] = (),
    top: int = TOP_ACCOUNTS,
) -> list[StrategyCard]:
    """A card per value segment (intrinsic, extrinsic, strategic, other, always), plus one for
    'unassigned' when accounts lack a segment. `alerts` default to portfolio_alerts."""
    figures = segment_figures(con, period, top)
    if alerts is None:
        alerts = portfolio_alerts(con, period)
    actions = triggered_actions(con, alerts, extra_alerts)
    shown = [segment for segment in SEGMENT_ORDER if segment in SEGMENTS or segment in figures]
    return [
        StrategyCard(
            segment=segment,
            figures=figures.get(segment),
            actions=[action for action in actions if action.segment == segment],
        )
        for segment in shown
    ]


__all__ = [
    "PLAYBOOK_FILE",
    "Playbook",
    "SegmentFigures",
    "StrategyCard",
    "TopAccount",
    "TriggeredAction",
    "playbook",
    "portfolio_alerts",
    "segment_figures",
    "strategy_cards",
    "triggered_actions",
]
