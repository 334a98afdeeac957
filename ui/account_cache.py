"""Cached calls of the account drill-down core, keyed on the database, its data version, the
period and the account.

The scorecard and the alerts are computed once per period and shared by every account opened
in it; each account's drill-down is cached on top of them.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from core import metrics
from core.account import account_list, search_accounts
from core.account_charts import (
    contributions_figure,
    products_figure,
    tier_history_figure,
    trend_figure,
)
from core.account_drilldown import AccountDrilldown, account_drilldown
from core.account_scorecard import portfolio_alerts
from core.alerts import Alert
from core.scorecard import Scorecard, scorecard
from ui.state import _database, cache_key

_FIGURES = st.cache_resource(max_entries=32, show_spinner=False)
trend_chart = _FIGURES(trend_figure)
products_chart = _FIGURES(products_figure)
contributions_chart = _FIGURES(contributions_figure)
tiers_chart = _FIGURES(tier_history_figure)


def _key() -> tuple[str, int]:
    # The sidebar's scope (filters, anonymised names, indexed money) is part of the key.
    return cache_key()


def _period(start: date | None, end: date | None) -> metrics.Period:
    return metrics.Period(start=start, end=end)


@st.cache_data(show_spinner=False, max_entries=16)
def _accounts(path: str, version: int, start: date | None, end: date | None) -> pd.DataFrame:
    with _database(path).connect() as con:
        return account_list(con, _period(start, end))


@st.cache_data(show_spinner=False, max_entries=64)
def _search(
    path: str, version: int, start: date | None, end: date | None, query: str
) -> pd.DataFrame:
    with _database(path).connect() as con:
        return search_accounts(con, _period(start, end), query, limit=50)


@st.cache_data(show_spinner=False, max_entries=8)
def _scorecard(path: str, version: int, start: date | None, end: date | None) -> Scorecard:
    with _database(path).connect() as con:
        return scorecard(con, _period(start, end))


@st.cache_data(show_spinner=False, max_entries=8)
def _alerts(path: str, version: int, start: date | None, end: date | None) -> list[Alert]:
    with _database(path).connect() as con:
        return portfolio_alerts(con, _period(start, end))


@st.cache_data(show_spinner=False, max_entries=64)
def _drilldown(
    path: str, version: int, start: date | None, end: date | None, account: str
) -> AccountDrilldown | None:
    card = _scorecard(path, version, start, end)
    alerts = _alerts(path, version, start, end)
    with _database(path).connect() as con:
        return account_drilldown(con, account, _period(start, end), card=card, alerts=alerts)


def accounts(chosen: metrics.Period) -> pd.DataFrame:
    """Every stored account by net revenue in the period: account, name, net_revenue, rank."""
    return _accounts(*_key(), chosen.start, chosen.end)


def search(chosen: metrics.Period, query: str) -> pd.DataFrame:
    """The 50 best matches of a search by id or name (NFKC, any case), largest first."""
    return _search(*_key(), chosen.start, chosen.end, query)


def drilldown(chosen: metrics.Period, account: str) -> AccountDrilldown | None:
    """Every section of the drill-down of one account; None for an unknown key (cached)."""
    return _drilldown(*_key(), chosen.start, chosen.end, account)
