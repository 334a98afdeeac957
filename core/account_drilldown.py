"""Everything the account drill-down shows about one account, in one call.

The pieces come from core.account (profile, figures, trend, products, rows, group),
core.account_scorecard (card, tier history, alerts), core.strategy (the segment's figures and
the alerts phrased as actions) and core.people (contacts and coverage, when a contacts file is
stored). The period-wide scorecard and alerts may be passed in, so a caller that caches them
per period does not recompute them per account.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from core.account import (
    AccountProfile,
    FiguresComparison,
    GroupMembers,
    ProductMix,
    account_profile,
    account_rows,
    account_trend,
    figures_comparison,
    group_members,
    product_mix,
)
from core.account_scorecard import (
    AccountCard,
    account_card,
    alerts_for,
    portfolio_alerts,
    tier_history,
)
from core.alerts import Alert
from core.metrics import Period
from core.people import account_contacts, account_coverage, as_of_date, has_contacts
from core.scorecard import Scorecard, scorecard
from core.settings import get_settings
from core.strategy import SegmentFigures, TriggeredAction, segment_figures, triggered_actions


@dataclass(frozen=True)
class AccountPeople:
    """The people named at the account, from the stored contacts files."""

    contacts: pd.DataFrame = field(repr=False)
    """core.people.account_contacts: contact_name, title, buying_role, style, influence,
    stance, last_contact, days, owner, source."""
    coverage: float | None
    """Coverage score 0–100 (core.people); None when the account has nobody named."""
    roles_filled: int
    """Buying roles (of 5) with someone named."""
    single_threaded: bool


@dataclass(frozen=True)
class AccountDrilldown:
    """One account over a period, every section of the drill-down."""

    profile: AccountProfile
    figures: FiguresComparison
    trend: pd.DataFrame = field(repr=False)
    """core.account.account_trend."""
    products: ProductMix
    rows: pd.DataFrame = field(repr=False)
    """core.account.account_rows: the stored rows with upload id, file and line."""
    group: GroupMembers | None
    """None when the account has no parent group."""
    card: AccountCard | None
    """None when the account was not scored (no positive revenue in the period)."""
    tiers: pd.DataFrame = field(repr=False)
    """core.account_scorecard.tier_history."""
    alerts: list[Alert]
    """Every alert of the period that names the account, 'act' first."""
    actions: list[TriggeredAction]
    """Those alerts phrased as actions for the account's segment (core.strategy)."""
    segment: SegmentFigures | None
    """The live figures of the account's segment; None when it has no rows in the period."""
    people: AccountPeople | None
    """None when no contacts file is stored."""


def _people(con: duckdb.DuckDBPyConnection, account: str, period: Period) -> AccountPeople | None:
    if not has_contacts(con):
        return None
    contacts = account_contacts(con, account, as_of_date(con, period))
    coverage = account_coverage(con, period, get_settings().people)
    mine = coverage[coverage["account_id"] == account]
    row = mine.iloc[0] if len(mine) else None
    return AccountPeople(
        contacts=contacts,
        coverage=float(row["coverage"]) if row is not None and row["contacts"] else None,
        roles_filled=int(row["roles_filled"]) if row is not None else 0,
        single_threaded=bool(row["single_threaded"]) if row is not None else False,
    )


def account_drilldown(
    con: duckdb.DuckDBPyConnection,
    account: str,
    period: Period,
    card: Scorecard | None = None,
    alerts: Sequence[Alert] | None = None,
) -> AccountDrilldown | None:
    """The drill-down of one account; None when no stored row has this key.

    `card` and `alerts` default to the period's scorecard and every analysis' alerts.
    """
    profile = account_profile(con, account, period)
    if profile is None:
        return None
    if card is None:
        card = scorecard(con, period)
    mine = alerts_for(portfolio_alerts(con, period) if alerts is None else alerts, account)
    actions = [
        action
        for action in triggered_actions(con, mine)
        if action.segment == profile.segment and account in action.accounts
    ]
    return AccountDrilldown(
        profile=profile,
        figures=figures_comparison(con, account, period),
        trend=account_trend(con, account, period),
        products=product_mix(con, account, period),
        rows=account_rows(con, account, period),
        group=group_members(con, profile.parent_group, period) if profile.parent_group else None,
        card=account_card(card, account),
        tiers=tier_history(con, account, period),
        alerts=mine,
        actions=actions,
        segment=segment_figures(con, period).get(profile.segment),
        people=_people(con, account, period),
    )


__all__ = ["AccountDrilldown", "AccountPeople", "account_drilldown"]
