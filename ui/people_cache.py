"""Cached calls of the key-people core, keyed on the database, its data version and inputs."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from core import metrics
from core.alerts import Alert
from core.people import (
    PeopleSummary,
    PeopleThresholds,
    account_contacts,
    account_coverage,
    people_summary,
    role_coverage,
)
from core.people_alerts import alerts_from_coverage
from core.people_charts import coverage_heatmap_figure, relationship_map_figure
from ui.state import _database, cache_key, settings

_FIGURES = st.cache_resource(max_entries=32, show_spinner=False)
heatmap_chart = _FIGURES(coverage_heatmap_figure)
relationship_chart = _FIGURES(relationship_map_figure)


def _key() -> tuple[str, int]:
    # The sidebar's scope (filters, anonymised names, indexed money) is part of the key.
    return cache_key()


def thresholds() -> PeopleThresholds:
    """The configured alert thresholds (Settings.people)."""
    return settings().people


def _period(start: date | None, end: date | None) -> metrics.Period:
    return metrics.Period(start=start, end=end)


@st.cache_data(show_spinner=False, max_entries=16)
def _summary(
    path: str, version: int, start: date | None, end: date | None, limits: PeopleThresholds
) -> PeopleSummary:
    with _database(path).connect() as con:
        return people_summary(con, _period(start, end), limits)


@st.cache_data(show_spinner=False, max_entries=16)
def _accounts(
    path: str, version: int, start: date | None, end: date | None, limits: PeopleThresholds
) -> pd.DataFrame:
    with _database(path).connect() as con:
        return account_coverage(con, _period(start, end), limits)


@st.cache_data(show_spinner=False, max_entries=16)
def _cells(
    path: str, version: int, start: date | None, end: date | None, limits: PeopleThresholds
) -> pd.DataFrame:
    with _database(path).connect() as con:
        return role_coverage(con, _period(start, end), limits)


@st.cache_data(show_spinner=False, max_entries=64)
def _contacts(path: str, version: int, account_id: str, as_of: date) -> pd.DataFrame:
    with _database(path).connect() as con:
        return account_contacts(con, account_id, as_of)


def summary(chosen: metrics.Period) -> PeopleSummary:
    """Portfolio coverage figures of the period."""
    return _summary(*_key(), chosen.start, chosen.end, thresholds())


def accounts(chosen: metrics.Period) -> pd.DataFrame:
    """Per account: people and coverage (core.people.account_coverage)."""
    return _accounts(*_key(), chosen.start, chosen.end, thresholds())


def cells(chosen: metrics.Period) -> pd.DataFrame:
    """Key accounts × buying roles (core.people.role_coverage)."""
    return _cells(*_key(), chosen.start, chosen.end, thresholds())


def contacts(account_id: str, as_of: date) -> pd.DataFrame:
    """The people of one account (core.people.account_contacts)."""
    return _contacts(*_key(), account_id, as_of)


def alerts(chosen: metrics.Period) -> list[Alert]:
    """The period's relationship alerts, from the cached account table."""
    return alerts_from_coverage(accounts(chosen), thresholds())


@st.cache_data(show_spinner=False, max_entries=16)
def _currency(path: str, version: int, start: date | None, end: date | None) -> str | None:
    with _database(path).connect() as con:
        return metrics.period_currency(con, _period(start, end))


def currency(chosen: metrics.Period) -> str | None:
    """The period's main currency code."""
    return _currency(*_key(), chosen.start, chosen.end)
