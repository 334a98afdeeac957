"""The five-mistakes check (domain.md §5): for a period, each mistake's status, evidence and
accounts.

Each check returns a MistakeCheck whose status is 'ok', 'watch' or 'act' by the rules written
in its function's docstring, with the thresholds (MistakeThresholds, Settings.mistakes,
KEYSTONE_MISTAKES__*) in its evidence beside the figures they were compared with. Key accounts
are the top 20% by net revenue (core.mistakes_sql). Every figure comes from DuckDB.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb

from core.alerts import Alert, Number, finite
from core.concentration import HHI_HIGH, HHI_MODERATE, figures_by_bucket
from core.concentration_sql import Comparisons, comparisons, materialised, shift_months
from core.discounts_alerts import discount_alerts
from core.metrics import Period
from core.mistakes_models import (
    MISTAKES,
    FiveMistakes,
    MistakeCheck,
    MistakeId,
    MistakeThresholds,
    Status,
    worst,
    worst_first,
)
from core.mistakes_sql import CHURN_SQL, DEPENDENCE_SQL, MARGIN_SQL
from core.scorecard import Scorecard, scorecard
from core.scorecard_tiers import revenue_versus_scorecard, tier_summary
from core.segments import segment_mix
from core.settings import get_settings
from core.sql import fetch_one, frame
from core.whale import whale_summary


def single_indicator(card: Scorecard, con: duckdb.DuckDBPyConnection, t: MistakeThresholds):
    """1. The revenue-only key-account list (top ⌈0.2 n⌉ by revenue) against the scorecard's
    platinum tier.

    overlap share = accounts on both / revenue-only list. act below overlap_act, watch below
    overlap_watch, else ok. Accounts: those on one list only, by revenue rank.
    """
    versus = revenue_versus_scorecard(con, card)
    share = versus.overlap_share
    evidence: dict[str, Number] = {
        "revenue_top": versus.revenue_top,
        "scorecard_top": versus.scorecard_top,
        "overlap": versus.overlap,
        "overlap_share": share,
        "overlap_watch": t.overlap_watch,
        "overlap_act": t.overlap_act,
    }
    if share is None:
        return MistakeCheck(
            mistake="single_indicator", status="ok", reasons=[], evidence=evidence, accounts=[]
        )
    status: Status = (
        "act" if share < t.overlap_act else "watch" if share < t.overlap_watch else "ok"
    )
    apart = versus.disagreements().sort_values(["side", "revenue_rank"])
    figures = {
        str(row["account"]): {
            "revenue_rank": int(row["revenue_rank"]),
            "score": finite(row["score"]),
            "score_rank": int(row["rank"]),
            "revenue_only": 1 if row["side"] == "revenue_only" else 0,
        }
        for row in apart.to_dict("records")
    }
    evidence["revenue_only"] = int((apart["side"] == "revenue_only").sum())
    evidence["scorecard_only"] = int((apart["side"] == "scorecard_only").sum())
    return MistakeCheck(
        mistake="single_indicator",
        status=status,
        reasons=[] if status == "ok" else ["overlap_low"],
        evidence=evidence,
        accounts=list(figures),
        account_figures=figures,
    )


def big_over_small(
    con: duckdb.DuckDBPyConnection,
    compared: Comparisons,
    figures: dict[str, dict[str, object]],
    t: MistakeThresholds,
) -> MistakeCheck:
    """2. Concentration and its trend, and small accounts leaving while key accounts grow.

    churn share = (small and mid accounts lost since the prior period + those lapsed in the
    period) / small and mid accounts active in either. act when HHI is in the high band
    (> 1,800), or when churn share ≥ small_churn while the prior period's key accounts grew.
    watch when HHI is moderate (≥ 1,000), the top 20% hold ≥ top20_share, HHI rose more than
    hhi_rise on last year, or churn share ≥ small_churn. Accounts: the churned, largest first.
    """
    current = compared.current
    assert current is not None and current.start is not None and current.end is not None
    now, last_year = figures.get("current") or {}, figures.get("last_year")
    prior = compared.prior
    span = (current.end.year - current.start.year) * 12 + current.end.month - current.start.month
    lapse_from = shift_months(current.end, -(t.lapse_months - 1))
    row = fetch_one(
        con,
        CHURN_SQL,
        {
            "start": current.start,
            "end": current.end,
            "p_start": prior.start if prior else None,
            "p_end": prior.end if prior else None,
            "lapse_from": lapse_from,
            "lapse_check": span + 1 > t.lapse_months,
        },
    )
    small, lost, lapsed, churned, churned_revenue, key_before, key_now = row
    churn = (lost + lapsed) / small if small else None
    growth = key_now / key_before - 1 if prior and key_before and key_before > 0 else None
    hhi = finite(now.get("hhi"))
    top20 = finite(now.get("top20pct_share"))
    hhi_then = finite(last_year.get("hhi")) if last_year else None
    rise = hhi - hhi_then if hhi is not None and hhi_then is not None else None
    reasons: list[tuple[Status, str]] = []
    if hhi is not None and hhi > HHI_HIGH:
        reasons.append(("act", "hhi_high"))
    elif hhi is not None and hhi >= HHI_MODERATE:
        reasons.append(("watch", "hhi_moderate"))
    if top20 is not None and top20 >= t.top20_share:
        reasons.append(("watch", "top20_share"))
    if rise is not None and rise > t.hhi_rise:
        reasons.append(("watch", "hhi_rising"))
    if churn is not None and churn >= t.small_churn:
        grew = growth is not None and growth > 0
        reasons.append(("act", "churn_while_key_grow") if grew else ("watch", "small_churn"))
    return MistakeCheck(
        mistake="big_over_small",
        status=worst([status for status, _ in reasons]),
        reasons=worst_first(reasons),
        evidence={
            "hhi": hhi,
            "hhi_last_year": hhi_then,
            "hhi_rise": rise,
            "hhi_rise_threshold": t.hhi_rise,
            "top5_share": finite(now.get("top5_share")),
            "top20_share": top20,
            "top20_threshold": t.top20_share,
            "small_accounts": small,
            "lost": lost,
            "lapsed": lapsed,
            "churn_share": churn,
            "churn_threshold": t.small_churn,
            "churned_revenue": finite(churned_revenue),
            "key_growth": growth,
        },
        accounts=list(churned or []),
        missing=None if prior else "no_prior",
    )


def product_not_customer(
    con: duckdb.DuckDBPyConnection, current: Period, t: MistakeThresholds
) -> MistakeCheck:
    """3. Key accounts whose revenue rests on one product or one month.

    A key account depends on one product when its top product holds ≥ product_share of its
    revenue, on one month when (with at least min_months in the period) its top month holds
    ≥ month_share or its monthly coefficient of variation is ≥ month_cv. act when the
    dependent key accounts hold ≥ dependent_share of key-account revenue, watch when any
    depends, else ok. Accounts: the dependent ones, largest first.
    """
    table = frame(
        con,
        DEPENDENCE_SQL,
        {
            "start": current.start,
            "end": current.end,
            "product_share": t.product_share,
            "month_share": t.month_share,
            "cv": t.month_cv,
            "min_months": t.min_months,
        },
    )
    flagged = table[table["one_product"] | table["one_month"].fillna(False).astype(bool)]
    key_revenue = float(table["net_revenue"].sum())
    share = float(flagged["net_revenue"].sum()) / key_revenue if key_revenue > 0 else None
    status: Status = (
        "ok"
        if flagged.empty
        else "act"
        if share is not None and share >= t.dependent_share
        else "watch"
    )
    reasons = []
    if flagged["one_product"].any():
        reasons.append("one_product")
    if flagged["one_month"].fillna(False).astype(bool).any():
        reasons.append("one_month")
    no_product = table.empty or table["top_product_share"].isna().all()
    return MistakeCheck(
        mistake="product_not_customer",
        status=status,
        reasons=reasons,
        evidence={
            "key_accounts": len(table),
            "one_product": int(flagged["one_product"].sum()),
            "one_month": int(flagged["one_month"].fillna(False).astype(bool).sum()),
            "dependent_share": share if not flagged.empty else 0.0,
            "product_threshold": t.product_share,
            "month_threshold": t.month_share,
            "cv_threshold": t.month_cv,
            "act_share": t.dependent_share,
        },
        accounts=[str(key) for key in flagged["account"]],
        account_figures={
            str(row["account"]): {
                "net_revenue": finite(row["net_revenue"]),
                "top_product_share": finite(row["top_product_share"]),
                "product_hhi": finite(row["product_hhi"]),
                "top_month_share": finite(row["top_month_share"]),
                "cv": finite(row["cv"]),
            }
            for row in flagged.to_dict("records")
        },
        missing="no_product" if no_product and not table.empty else None,
    )


def profit_source(
    con: duckdb.DuckDBPyConnection, current: Period, card: Scorecard, t: MistakeThresholds
) -> MistakeCheck:
    """4. Where profit comes from: gross margin % by tier and segment, and the whale curve.

    act when the key accounts' gross margin is more than margin_gap below the rest's, or a key
    account loses money (gross profit < 0). watch when any account loses money or the key
    accounts' margin is below the rest's at all. Without cost data, ok with missing='no_cost'.
    Accounts: every loss maker, most negative first.
    """
    params = {"start": current.start, "end": current.end}
    key_margin, rest_margin, margin, losers, key_losers, costed = fetch_one(con, MARGIN_SQL, params)
    if not costed:
        return MistakeCheck(
            mistake="profit_source",
            status="ok",
            reasons=[],
            evidence={},
            accounts=[],
            missing="no_cost",
        )
    losers, key_losers = list(losers or []), list(key_losers or [])
    gap = rest_margin - key_margin if key_margin is not None and rest_margin is not None else None
    reasons: list[tuple[Status, str]] = []
    if gap is not None and gap > t.margin_gap:
        reasons.append(("act", "key_margin_low"))
    elif gap is not None and gap > 0:
        reasons.append(("watch", "key_margin_below"))
    if key_losers:
        reasons.append(("act", "key_loss_makers"))
    elif losers:
        reasons.append(("watch", "loss_makers"))
    whale = whale_summary(con, current)
    tiers = tier_summary(con, card)
    mix = segment_mix(con, current)
    return MistakeCheck(
        mistake="profit_source",
        status=worst([status for status, _ in reasons]),
        reasons=worst_first(reasons),
        evidence={
            "margin": finite(margin),
            "key_margin": finite(key_margin),
            "rest_margin": finite(rest_margin),
            "margin_gap": finite(gap),
            "gap_threshold": t.margin_gap,
            "loss_makers": len(losers),
            "key_loss_makers": len(key_losers),
            "whale_peak": whale.peak if whale else None,
            "profit_destroyed": whale.profit_destroyed if whale else None,
        },
        accounts=losers,
        account_figures={key: {"key": 1 if key in key_losers else 0} for key in losers},
        breakdown={
            "tier": {str(r["tier"]): finite(r["margin"]) for r in tiers.to_dict("records")},
            "segment": {str(r["segment"]): finite(r["margin"]) for r in mix.to_dict("records")},
        },
    )


def better_terms(alerts: Sequence[Alert]) -> MistakeCheck:
    """5. Ever-better terms: the discount alerts (core.discounts_alerts) read as one verdict.

    act when any account's discount buys nothing (creep with no revenue growth), watch when any
    creeps or sits above its peer corridor, else ok. Accounts: buys-nothing, then creep, then
    corridor outliers, each once.
    """
    counts = {rule: 0 for rule in ("buys_nothing", "creep", "corridor")}
    accounts: list[str] = []
    for rule in counts:
        for alert in alerts:
            if alert.rule == rule:
                counts[rule] += 1
                accounts += [key for key in alert.accounts if key not in accounts]
    watch = counts["creep"] or counts["corridor"]
    status: Status = "act" if counts["buys_nothing"] else "watch" if watch else "ok"
    figures = {
        alert.accounts[0]: {
            name: alert.evidence.get(name)
            for name in ("points", "revenue_change", "rate", "peer_p90")
            if name in alert.evidence
        }
        for alert in reversed(alerts)
        if alert.accounts
    }
    return MistakeCheck(
        mistake="better_terms",
        status=status,
        reasons=[rule for rule, count in counts.items() if count],
        evidence={**counts, "creep_threshold": _creep_threshold(alerts)},
        accounts=accounts,
        account_figures={key: figures[key] for key in accounts if key in figures},
    )


def _creep_threshold(alerts: Sequence[Alert]) -> Number:
    return next((a.evidence.get("threshold") for a in alerts if a.rule == "creep"), None)


def five_mistakes(
    con: duckdb.DuckDBPyConnection,
    period: Period,
    thresholds: MistakeThresholds | None = None,
    *,
    figures: dict[str, dict[str, object]] | None = None,
    discounts: Sequence[Alert] | None = None,
    card: Scorecard | None = None,
) -> FiveMistakes:
    """Every check for the period. `figures` (concentration figures_by_bucket for 'current'
    and 'last_year'), `discounts` (the discount alerts) and `card` (the scorecard) may be
    passed when already computed; thresholds default to the settings."""
    thresholds = thresholds or get_settings().mistakes
    compared = comparisons(con, period)
    current = compared.current
    if current is None:
        return FiveMistakes(period=None, checks=[])
    if figures is None:
        named = {"current": current, "last_year": compared.last_year}
        periods = {name: value for name, value in named.items() if value is not None}
        with materialised(con, Period(), periods) as scope:
            figures = figures_by_bucket(con, scope, periods, "account")
    card = card if card is not None else scorecard(con, current)
    if discounts is None:
        discounts = discount_alerts(con, current)
    return FiveMistakes(
        period=current,
        checks=[
            single_indicator(card, con, thresholds),
            big_over_small(con, compared, figures, thresholds),
            product_not_customer(con, current, thresholds),
            profit_source(con, current, card, thresholds),
            better_terms(discounts),
        ],
    )


def mistakes_metrics(
    con: duckdb.DuckDBPyConnection, period: Period, thresholds: MistakeThresholds | None = None
) -> dict[str, object]:
    """The `mistakes` key of `keystone metrics`: per mistake its id, status, reasons and
    accounts, in domain.md §5 order (empty when no stored month falls in the period)."""
    found = five_mistakes(con, period, thresholds)
    return {
        "mistakes": [
            {
                "id": check.mistake,
                "status": check.status,
                "reasons": check.reasons,
                "accounts": check.accounts,
            }
            for check in found.checks
        ]
    }


__all__ = [
    "MISTAKES",
    "FiveMistakes",
    "MistakeCheck",
    "MistakeId",
    "MistakeThresholds",
    "Status",
    "better_terms",
    "big_over_small",
    "five_mistakes",
    "mistakes_metrics",
    "product_not_customer",
    "profit_source",
    "single_indicator",
    "worst",
]
