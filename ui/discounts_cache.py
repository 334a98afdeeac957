"""Cached calls of the discount core, keyed on the database, its data version and inputs."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from core import metrics
from core.alerts import Alert
from core.discounts import Waterfall, buys_nothing, corridor_outliers, discount_creep
from core.discounts import price_waterfall as _price_waterfall
from core.discounts_alerts import alerts_from_tables
from core.discounts_base import DiscountBase, discount_base
from core.discounts_charts import (
    account_months_figure,
    creep_scatter_figure,
    pocket_band_figure,
    segment_trend_figure,
    waterfall_figure,
)
from core.discounts_creep import creep_end_month
from core.discounts_views import (
    KpiComparison,
    account_monthly,
    creep_sparklines,
    kpi_comparison,
    pocket_price_band,
    rate_by_segment_month,
)
from ui.state import _database, cache_key, settings

# Figures are built once per distinct input and shared, as on the Concentration page.
_FIGURES = st.cache_resource(max_entries=32, show_spinner=False)
waterfall_chart = _FIGURES(waterfall_figure)
scatter_chart = _FIGURES(creep_scatter_figure)
segment_chart = _FIGURES(segment_trend_figure)
band_chart = _FIGURES(pocket_band_figure)
account_chart = _FIGURES(account_months_figure)


def _key() -> tuple[str, int]:
    return cache_key()


def _period(start: date | None, end: date | None) -> metrics.Period:
    return metrics.Period(start=start, end=end)


@st.cache_resource(show_spinner=False, max_entries=8)
def _base(path: str, version: int, start: date | None, end: date | None) -> DiscountBase:
    """The period's discount tables, read once and shared by every figure (immutable)."""
    with _database(path).connect() as con:
        return discount_base(con, _period(start, end))


@st.cache_data(show_spinner=False, max_entries=32)
def _kpis(path: str, version: int, start: date | None, end: date | None) -> KpiComparison:
    with _database(path).connect() as con:
        return kpi_comparison(con, _period(start, end))


@st.cache_data(show_spinner=False, max_entries=64)
def _waterfall(
    path: str,
    version: int,
    start: date | None,
    end: date | None,
    account: str | None,
    segment: str | None,
) -> Waterfall:
    base = _base(path, version, start, end)
    with _database(path).connect() as con:
        return _price_waterfall(
            con, _period(start, end), account=account, segment=segment, base=base
        )


@st.cache_data(show_spinner=False, max_entries=16)
def _tables(
    path: str, version: int, start: date | None, end: date | None
) -> dict[str, pd.DataFrame | date | None]:
    chosen = _period(start, end)
    thresholds = settings().discounts
    base = _base(path, version, start, end)
    with _database(path).connect() as con:
        end_month = creep_end_month(con, chosen, base)
        creep = discount_creep(con, end_month, base) if end_month else pd.DataFrame()
        if not creep.empty:
            flagged = set(buys_nothing(creep, thresholds.creep_points)["account"])
            creep = creep.assign(buys_nothing=creep["account"].isin(flagged)).merge(
                creep_sparklines(con, end_month, base), on="account", how="left"
            )
        return {
            "end_month": end_month,
            "creep": creep,
            "trend": rate_by_segment_month(con, chosen),
            "band": pocket_price_band(con, chosen, base),
            "outliers": corridor_outliers(con, chosen, thresholds, base),
        }


@st.cache_data(show_spinner=False, max_entries=16)
def _alerts(path: str, version: int, start: date | None, end: date | None) -> list[Alert]:
    # The alerts judge the very creep and corridor tables the page shows.
    shown = _tables(path, version, start, end)
    return alerts_from_tables(shown["creep"], shown["outliers"], settings().discounts)


@st.cache_data(show_spinner=False, max_entries=64)
def _account(
    path: str, version: int, start: date | None, end: date | None, account: str
) -> pd.DataFrame:
    with _database(path).connect() as con:
        return account_monthly(con, account, _period(start, end))


@st.cache_data(show_spinner=False, max_entries=32)
def _currency(path: str, version: int, start: date | None, end: date | None) -> str | None:
    with _database(path).connect() as con:
        return metrics.period_currency(con, _period(start, end))


def kpis(chosen: metrics.Period) -> KpiComparison:
    """The period's discount KPIs with the prior period and the same period last year."""
    return _kpis(*_key(), chosen.start, chosen.end)


def waterfall(
    chosen: metrics.Period, account: str | None = None, segment: str | None = None
) -> Waterfall:
    """The price waterfall of the portfolio, a segment or an account (cached)."""
    return _waterfall(*_key(), chosen.start, chosen.end, account, segment)


def tables(chosen: metrics.Period) -> dict[str, pd.DataFrame | date | None]:
    """end_month, creep (with buys_nothing and rates sparklines), trend, band, outliers."""
    return _tables(*_key(), chosen.start, chosen.end)


def alerts(chosen: metrics.Period) -> list[Alert]:
    """The period's discount alerts (buys-nothing, creep, corridor), settings' thresholds."""
    return _alerts(*_key(), chosen.start, chosen.end)


def account_months(chosen: metrics.Period, account: str) -> pd.DataFrame:
    """One account's monthly net revenue and discount rate (cached)."""
    return _account(*_key(), chosen.start, chosen.end, account)


def currency(chosen: metrics.Period) -> str | None:
    """The period's main currency code (cached)."""
    return _currency(*_key(), chosen.start, chosen.end)
