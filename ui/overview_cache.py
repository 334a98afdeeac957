"""Cached calls of the Overview core, keyed on the database within the sidebar's filters, its
data version and the period."""

from __future__ import annotations

from datetime import date

import streamlit as st

from core import metrics
from core.overview import Overview, overview
from core.overview_charts import margin_bars_figure
from core.segments_charts import bridge_figure
from ui.state import _database, cache_key, settings

# Built once per distinct input and shared, as on the other pages.
_FIGURES = st.cache_resource(max_entries=16, show_spinner=False)
bridge_chart = _FIGURES(bridge_figure)
margin_chart = _FIGURES(margin_bars_figure)


def _key() -> tuple[str, int]:
    return cache_key()


@st.cache_data(show_spinner=False, max_entries=16)
def _overview(path: str, version: int, start: date | None, end: date | None) -> Overview:
    with _database(path).connect() as con:
        return overview(con, metrics.Period(start=start, end=end), settings())


@st.cache_data(show_spinner=False, max_entries=16)
def _currency(path: str, version: int, start: date | None, end: date | None) -> str | None:
    with _database(path).connect() as con:
        return metrics.period_currency(con, metrics.Period(start=start, end=end))


def landing(chosen: metrics.Period) -> Overview:
    """The Overview's figures for the period (cached)."""
    return _overview(*_key(), chosen.start, chosen.end)


def currency(chosen: metrics.Period) -> str | None:
    """The period's main currency code, e.g. 'CNY' (cached)."""
    return _currency(*_key(), chosen.start, chosen.end)
