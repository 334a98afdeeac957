"""Cached calls of the concentration core, keyed on the database, its data version and inputs."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from core import metrics
from core.concentration import concentration_trend
from core.concentration_charts import lorenz_figure, pareto_figure, whale_figure
from core.concentration_report import ConcentrationReport, concentration_report
from core.concentration_sql import By, Grain
from core.concentration_trend_chart import trend_figure
from core.stress import StressResult
from ui.state import _database, cache_key, settings

# The charts are built once per distinct input and then shared: a plotly figure takes as long
# to unpickle (st.cache_data) as to build, and st.plotly_chart only reads it.
_FIGURES = st.cache_resource(max_entries=32, show_spinner=False)
pareto_chart = _FIGURES(pareto_figure)
lorenz_chart = _FIGURES(lorenz_figure)
whale_chart = _FIGURES(whale_figure)
trend_chart = _FIGURES(trend_figure)


def _key() -> tuple[str, int]:
    return cache_key()


@st.cache_data(show_spinner=False, max_entries=32)
def _report(
    path: str, version: int, start: date | None, end: date | None, by: By
) -> ConcentrationReport:
    thresholds = settings().concentration
    with _database(path).connect() as con:
        return concentration_report(
            con, metrics.Period(start=start, end=end), by=by, thresholds=thresholds
        )


@st.cache_data(show_spinner=False, max_entries=64)
def _stress(
    path: str,
    version: int,
    start: date | None,
    end: date | None,
    by: By,
    accounts: tuple[str, ...],
    groups: tuple[str, ...],
    top_n: int,
) -> StressResult:
    report = _report(path, version, start, end, by)
    with _database(path).connect() as con:
        return report.stress_test(con, list(accounts), list(groups), top_n)


@st.cache_data(show_spinner=False, max_entries=8)
def _trend(path: str, version: int, by: By, grain: Grain) -> pd.DataFrame:
    with _database(path).connect() as con:
        return concentration_trend(con, grain, by)


@st.cache_data(show_spinner=False, max_entries=32)
def _currency(path: str, version: int, start: date | None, end: date | None) -> str | None:
    with _database(path).connect() as con:
        return metrics.period_currency(con, metrics.Period(start=start, end=end))


def report(chosen: metrics.Period, by: By) -> ConcentrationReport:
    """The Concentration page's figures for the period at level `by` (cached)."""
    return _report(*_key(), chosen.start, chosen.end, by)


def stress(
    chosen: metrics.Period, by: By, accounts: list[str], groups: list[str], top_n: int
) -> StressResult:
    """Before and after removing these accounts, groups and top-N units (cached)."""
    return _stress(
        *_key(),
        chosen.start,
        chosen.end,
        by,
        tuple(sorted(accounts)),
        tuple(sorted(groups)),
        int(top_n),
    )


def currency(chosen: metrics.Period) -> str | None:
    """The period's main currency code, e.g. 'CNY' (cached)."""
    return _currency(*_key(), chosen.start, chosen.end)


def trend(chosen: metrics.Period, by: By, grain: Grain) -> pd.DataFrame:
    """Every figure per month or quarter over all stored history (cached); the monthly one
    comes with the period's report."""
    if grain == "month":
        return report(chosen, by).trend
    return _trend(*_key(), by, grain)
