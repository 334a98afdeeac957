"""The Overview (landing page) for a period: KPI tiles with their comparisons, the revenue
bridge, every analysis's alerts in one ranked list, and the five-mistakes check.

Alert ranking: 'act' before 'watch'; within a severity, by revenue at stake (the period's net
revenue of the alert's accounts, a group's members or the top-5 for portfolio rules), largest
first; then by analysis (concentration, discounts, people, mistakes) and rule. Mistake 5
(ever-better terms) is the discount alerts read as one verdict, so it adds no alert of its own.
"""

from __future__ import annotations

from typing import Final, Literal

import duckdb
from pydantic import BaseModel, ConfigDict

from core.alerts import Alert
from core.bridge import BridgeTotals, revenue_bridge
from core.concentration import figures_by_bucket
from core.concentration_alerts import dependency_alerts_in
from core.concentration_sql import comparisons, materialised, period_buckets
from core.discounts_alerts import discount_alerts
from core.discounts_sql import LISTED
from core.i18n import Language, has_text, t
from core.metrics import Period
from core.mistakes import FiveMistakes, MistakeCheck, five_mistakes
from core.people import has_contacts
from core.people_alerts import people_alerts
from core.segments_sql import account_segments_sql
from core.settings import Settings, get_settings
from core.sql import fetch_all

KpiCode = Literal[
    "net_revenue",
    "gross_profit",
    "margin",
    "active_accounts",
    "top20_share",
    "hhi",
    "discount_rate",
]
KpiUnit = Literal["money", "share", "count", "index"]
Basis = Literal["prior", "last_year"]
Source = Literal["concentration", "discounts", "people", "mistakes"]

KPIS: Final[tuple[tuple[KpiCode, KpiUnit, bool], ...]] = (
    ("net_revenue", "money", True),
    ("gross_profit", "money", True),
    ("margin", "share", True),
    ("active_accounts", "count", True),
    ("top20_share", "share", False),
    ("hhi", "index", False),
    ("discount_rate", "share", False),
)
"""Each tile: its code, unit, and whether a rise is good (concentration and discount: no)."""

SOURCES: Final[tuple[Source, ...]] = ("concentration", "discounts", "people", "mistakes")
SOURCE_PAGE: Final[dict[str, str]] = {
    "concentration": "concentration",
    "discounts": "discounts",
    "people": "people",
}
"""The page (url_path) each analysis's portfolio alerts link to."""
MISTAKE_PAGE: Final[dict[str, str]] = {
    "single_indicator": "segments",
    "big_over_small": "concentration",
    "profit_source": "concentration",
    "better_terms": "discounts",
}
"""The page a mistake's alert links to when it concerns several accounts."""
MISTAKE_ALERTS: Final = ("single_indicator", "big_over_small", "product_not_customer",
                         "profit_source")  # fmt: skip
"""Mistakes raised as alerts; 'better_terms' repeats the discount alerts."""


class Kpi(BaseModel):
    """One tile: its value in the period and in the two comparison windows."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: KpiCode
    unit: KpiUnit
    higher_is_better: bool
    """Whether a rise is good news (False for top-20% share, HHI and discount rate)."""
    value: float | None
    """In the period; None when it cannot be computed (e.g. no cost data for margin)."""
    prior: float | None
    """In the same-length period just before; None unless stored history covers all of it."""
    last_year: float | None
    """Twelve months earlier; None unless stored history covers all of it."""

    def delta(self, basis: Basis) -> float | None:
        """value − the compared value; None when either is missing."""
        other = self.prior if basis == "prior" else self.last_year
        return None if self.value is None or other is None else self.value - other

    def growth(self, basis: Basis) -> float | None:
        """value / compared − 1 for money and counts; None when the compared is not positive."""
        other = self.prior if basis == "prior" else self.last_year
        if self.value is None or other is None or other <= 0:
            return None
        return self.value / other - 1

    def good(self, basis: Basis) -> bool | None:
        """Whether the change is good news; None when there is no change to judge."""
        change = self.delta(basis)
        if change is None or change == 0:
            return None
        return (change > 0) == self.higher_is_better


class RankedAlert(BaseModel):
    """An alert on the Overview: what, why, who, what to do, and where to look."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: Source
    alert: Alert
    revenue_at_stake: float
    """The period's net revenue of the alert's accounts (positive parts only)."""
    action_key: str
    """core.i18n key of the suggested action (overview.action.<rule>)."""
    link_account: str | None
    """The account to open, for an alert on one account."""
    link_page: str | None
    """Else the url_path of the analysis page to open; None when there is none."""

    def action(self, names: dict[str, str], language: Language = "en") -> str:
        """The suggested action in a language, naming the account."""
        params: dict[str, object] = dict(self.alert.params)
        if self.alert.accounts:
            first = self.alert.accounts[0]
            params["account"] = names.get(first, params.get("account", first))
        params.setdefault("count", len(self.alert.accounts))
        try:
            return t(self.action_key, language, **params)
        except (KeyError, ValueError, IndexError):
            return t("overview.action.generic", language)


class Overview(BaseModel):
    """Everything the landing page shows for one period."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    period: Period | None
    """The period clipped to stored months; None when no stored month falls in it."""
    prior_period: Period | None
    last_year_period: Period | None
    kpis: list[Kpi]
    bridge: BridgeTotals | None
    """From the prior period to the period; None without a covered prior period."""
    alerts: list[RankedAlert]
    mistakes: FiveMistakes
    names: dict[str, str]
    """Account key -> name, for every account an alert or a mistake names."""


_TOTALS_SQL = f"""
    SELECT b.bucket, sum(r.net_revenue) AS net, sum(r.gross_profit) AS profit,
           count(r.gross_profit) AS cost_rows,
           sum(r.net_revenue) FILTER (WHERE r.gross_profit IS NOT NULL) AS costed_net,
           sum(r.discount_amount) FILTER (WHERE {LISTED})
               / nullif(sum(r.list_revenue) FILTER (WHERE {LISTED}), 0) AS discount_rate
    FROM active_rows AS r JOIN ({{buckets}}) AS b
      ON r.month BETWEEN b.b_start AND b.b_end
    GROUP BY b.bucket"""
"""Per named period: net revenue, gross profit (with its cost rows and their revenue) and the
discount rate Σ discount / Σ list over rows with list data (domain.md §3)."""


def kpi_tiles(
    totals: dict[str, tuple], figures: dict[str, dict[str, object]], names: tuple[str, ...]
) -> list[Kpi]:
    """The seven tiles from per-bucket totals (_TOTALS_SQL rows) and concentration figures."""

    def value(code: KpiCode, bucket: str) -> float | None:
        if bucket not in names:
            return None
        net, profit, cost_rows, costed_net, rate = totals.get(bucket, (0.0, None, 0, None, None))
        figure = figures.get(bucket) or {}
        found: dict[str, object] = {
            "net_revenue": net or 0.0,
            "gross_profit": profit if cost_rows else None,
            "margin": profit / costed_net if cost_rows and costed_net else None,
            "active_accounts": figure.get("n", 0),
            "top20_share": figure.get("top20pct_share"),
            "hhi": figure.get("hhi"),
            "discount_rate": rate,
        }
        number = found[code]
        return None if number is None else float(number)  # type: ignore[arg-type]

    return [
        Kpi(
            code=code,
            unit=unit,
            higher_is_better=better,
            value=value(code, "current"),
            prior=value(code, "prior"),
            last_year=value(code, "last_year"),
        )
        for code, unit, better in KPIS
    ]


def _mistake_alert(check: MistakeCheck) -> Alert:
    """A mistake that is not ok as an alert: its first reason of its own status is the message."""
    reason = check.reasons[0] if check.reasons else check.mistake
    params = {name: value for name, value in check.evidence.items() if value is not None}
    return Alert(
        rule=check.mistake,
        severity="act" if check.status == "act" else "watch",
        message_key=f"mistakes.reason.{reason}",
        params={**params, "churned": len(check.accounts), "count": len(check.accounts)},
        evidence=check.evidence,
        accounts=check.accounts,
    )


def _link(source: Source, alert: Alert) -> tuple[str | None, str | None]:
    if len(alert.accounts) == 1 and alert.rule not in ("top5_share", "hhi", "hhi_yoy"):
        return alert.accounts[0], None
    if source == "mistakes":
        return None, MISTAKE_PAGE.get(alert.rule)
    return None, SOURCE_PAGE.get(source)


def _action_key(rule: str) -> str:
    key = f"overview.action.{rule}"
    return key if has_text(key) else "overview.action.generic"


def rank_alerts(found: list[tuple[Source, Alert]], revenue: dict[str, float]) -> list[RankedAlert]:
    """Alerts ranked: 'act' first, then by revenue at stake, analysis and rule."""
    ranked = []
    for source, alert in found:
        at_stake = sum(max(revenue.get(key, 0.0), 0.0) for key in set(alert.accounts))
        account, page = _link(source, alert)
        ranked.append(
            RankedAlert(
                source=source,
                alert=alert,
                revenue_at_stake=at_stake,
                action_key=_action_key(alert.rule),
                link_account=account,
                link_page=page,
            )
        )
    return sorted(
        ranked,
        key=lambda item: (
            item.alert.severity != "act",
            -item.revenue_at_stake,
            SOURCES.index(item.source),
            item.alert.rule,
        ),
    )


def overview(
    con: duckdb.DuckDBPyConnection, period: Period, settings: Settings | None = None
) -> Overview:
    """The landing page's figures for the period (thresholds from `settings`, default env)."""
    settings = settings or get_settings()
    compared = comparisons(con, period)
    current = compared.current
    if current is None:
        return Overview(
            period=None,
            prior_period=None,
            last_year_period=None,
            kpis=kpi_tiles({}, {}, ()),
            bridge=None,
            alerts=[],
            mistakes=FiveMistakes(period=None, checks=[]),
            names={},
        )
    named = {"current": current, "prior": compared.prior, "last_year": compared.last_year}
    periods = {name: value for name, value in named.items() if value is not None}
    buckets, params = period_buckets(periods)
    totals = {
        row[0]: row[1:] for row in fetch_all(con, _TOTALS_SQL.format(buckets=buckets), params)
    }
    with materialised(con, Period(), periods) as scope:
        figures = figures_by_bucket(con, scope, periods, "account")
        dependency = dependency_alerts_in(
            con, scope, compared, settings.concentration, "account", figures
        )
    discounts = discount_alerts(con, current, settings.discounts)
    people = people_alerts(con, current, settings.people) if has_contacts(con) else []
    mistakes = five_mistakes(con, current, settings.mistakes, figures=figures, discounts=discounts)
    found: list[tuple[Source, Alert]] = [
        *(("concentration", alert) for alert in dependency),
        *(("discounts", alert) for alert in discounts),
        *(("people", alert) for alert in people),
        *(
            ("mistakes", _mistake_alert(check))
            for check in mistakes.checks
            if check.status != "ok" and check.mistake in MISTAKE_ALERTS
        ),
    ]
    keys = sorted(
        {key for _, alert in found for key in alert.accounts}
        | {key for check in mistakes.checks for key in check.accounts}
    )
    rows = fetch_all(
        con,
        f"""WITH named AS ({account_segments_sql()}),
            revenue AS (
                SELECT account_key, sum(net_revenue) AS net FROM active_rows
                WHERE month BETWEEN $start AND $end GROUP BY account_key
            )
            SELECT n.account_key, n.name, coalesce(r.net, 0)
            FROM named AS n LEFT JOIN revenue AS r USING (account_key)
            WHERE n.account_key IN (SELECT unnest($keys))""",
        {"start": current.start, "end": current.end, "keys": keys},
    )
    bridge = revenue_bridge(con, compared.prior, current).total if compared.prior else None
    return Overview(
        period=current,
        prior_period=compared.prior,
        last_year_period=compared.last_year,
        kpis=kpi_tiles(totals, figures, tuple(periods)),
        bridge=bridge,
        alerts=rank_alerts(found, {key: float(net) for key, _, net in rows}),
        mistakes=mistakes,
        names={key: str(name) for key, name, _ in rows},
    )


__all__ = [
    "KPIS",
    "Basis",
    "Kpi",
    "KpiCode",
    "Overview",
    "RankedAlert",
    "kpi_tiles",
    "overview",
    "rank_alerts",
]
