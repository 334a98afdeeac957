"""Cached strategy cards, keyed on the database, its data version and the period."""

from __future__ import annotations

from datetime import date

import streamlit as st

from core import metrics
from core.people import PeopleThresholds
from core.people_alerts import people_alerts
from core.strategy import StrategyCard, strategy_cards
from ui.state import _database, cache_key, settings


def _key() -> tuple[str, int]:
    # The sidebar's scope (filters, anonymised names, indexed money) is part of the key.
    return cache_key()


def _people_thresholds() -> PeopleThresholds:
    """The configured key-people thresholds (their defaults until settings carry them)."""
    configured = getattr(settings(), "people", None)
    return configured if isinstance(configured, PeopleThresholds) else PeopleThresholds()


@st.cache_data(show_spinner=False, max_entries=16)
def _cards(
    path: str, version: int, start: date | None, end: date | None, people: PeopleThresholds
) -> list[StrategyCard]:
    chosen = metrics.Period(start=start, end=end)
    with _database(path).connect() as con:
        extra = people_alerts(con, chosen, people)
        return strategy_cards(con, chosen, extra_alerts=extra)


@st.cache_data(show_spinner=False, max_entries=32)
def _currency(path: str, version: int, start: date | None, end: date | None) -> str | None:
    with _database(path).connect() as con:
        return metrics.period_currency(con, metrics.Period(start=start, end=end))


def cards(chosen: metrics.Period) -> list[StrategyCard]:
    """A card per value segment (plus 'unassigned' when accounts lack one): figures, playbook
    and the actions that the concentration, discount and key-people alerts trigger (cached)."""
    return _cards(*_key(), chosen.start, chosen.end, _people_thresholds())


def currency(chosen: metrics.Period) -> str | None:
    """The period's main currency code (cached)."""
    return _currency(*_key(), chosen.start, chosen.end)
