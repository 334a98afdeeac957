"""Cached calls of the segment core, keyed on the database, its data version, period and weights."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
import streamlit as st

from core import metrics
from core.bridge import Bridge, bridge_accounts, prior_bridge
from core.concentration_sql import Grain
from core.scorecard import Scorecard, ScorecardWeights, scorecard
from core.scorecard_tiers import (
    RevenueVersusScorecard,
    revenue_versus_scorecard,
    tier_migration,
    tier_summary,
)
from core.scorecard_weights import INDICATORS
from core.segments import MixShift, segment_mix, segment_mix_shift, segment_mix_trend
from core.segments_base import SegmentsBase, period_base
from core.segments_charts import (
    bridge_figure,
    contribution_bars_figure,
    migration_sankey_figure,
    mix_area_figure,
    share_bars_figure,
)
from ui.state import _database, cache_key, period

# Figures are built once per distinct input and shared, as on the Concentration page.
_FIGURES = st.cache_resource(max_entries=32, show_spinner=False)
mix_area_chart = _FIGURES(mix_area_figure)
share_chart = _FIGURES(share_bars_figure)
bridge_chart = _FIGURES(bridge_figure)
sankey_chart = _FIGURES(migration_sankey_figure)
contribution_chart = _FIGURES(contribution_bars_figure)

Weights = tuple[float, ...]
"""The scorecard weights as a cache key: one number per indicator, in INDICATORS order."""


def _key() -> tuple[str, int]:
    # The sidebar's scope (filters, anonymised names, indexed money) is part of the key.
    return cache_key()


def _period(start: date | None, end: date | None) -> metrics.Period:
    return metrics.Period(start=start, end=end)


def weights_key(weights: ScorecardWeights) -> Weights:
    """The weights as a hashable tuple in indicator order."""
    return tuple(weights.as_dict().values())


@dataclass(frozen=True)
class Pyramid:
    """The period's scorecard and everything the page reads from it."""

    card: Scorecard
    tiers: pd.DataFrame
    """core.scorecard_tiers.tier_summary."""
    migration: pd.DataFrame
    """core.scorecard_tiers.tier_migration (empty without a compared period)."""
    versus: RevenueVersusScorecard


@st.cache_resource(show_spinner=False, max_entries=8)
def _base(path: str, version: int, start: date | None, end: date | None) -> SegmentsBase:
    """The period's per-account sums and accounts, read once and shared by every figure
    (immutable)."""
    with _database(path).connect() as con:
        return period_base(con, _period(start, end))


@st.cache_data(show_spinner=False, max_entries=32)
def _mix(path: str, version: int, start: date | None, end: date | None) -> pd.DataFrame:
    base = _base(path, version, start, end)
    with _database(path).connect() as con:
        return segment_mix(con, _period(start, end), base)


@st.cache_data(show_spinner=False, max_entries=32)
def _shift(path: str, version: int, start: date | None, end: date | None) -> MixShift:
    base = _base(path, version, start, end)
    with _database(path).connect() as con:
        return segment_mix_shift(con, _period(start, end), base)


@st.cache_data(show_spinner=False, max_entries=16)
def _trend(
    path: str, version: int, grain: Grain, start: date | None, end: date | None
) -> pd.DataFrame:
    # The trend spans the whole history; the period's base only lends it the accounts' segments.
    base = _base(path, version, start, end)
    with _database(path).connect() as con:
        return segment_mix_trend(con, grain, base=base)


@st.cache_data(show_spinner=False, max_entries=32)
def _bridge(path: str, version: int, start: date | None, end: date | None) -> Bridge | None:
    base = _base(path, version, start, end)
    with _database(path).connect() as con:
        return prior_bridge(con, _period(start, end), base)


@st.cache_data(show_spinner=False, max_entries=16)
def _movers(
    path: str,
    version: int,
    start: tuple[date | None, date | None],
    end: tuple[date | None, date | None],
) -> pd.DataFrame:
    with _database(path).connect() as con:
        return bridge_accounts(con, _period(*start), _period(*end))


@st.cache_data(show_spinner=False, max_entries=32)
def _pyramid(
    path: str, version: int, start: date | None, end: date | None, weights: Weights
) -> Pyramid:
    chosen = ScorecardWeights(**dict(zip(INDICATORS, weights, strict=True)))
    base = _base(path, version, start, end)
    with _database(path).connect() as con:
        card = scorecard(con, _period(start, end), chosen, base=base)
        return Pyramid(
            card=card,
            tiers=tier_summary(con, card),
            migration=tier_migration(con, card),
            versus=revenue_versus_scorecard(con, card),
        )


@st.cache_data(show_spinner=False, max_entries=32)
def _currency(path: str, version: int, start: date | None, end: date | None) -> str | None:
    with _database(path).connect() as con:
        return metrics.period_currency(con, _period(start, end))


def mix(chosen: metrics.Period) -> pd.DataFrame:
    """core.segments.segment_mix for the period (cached)."""
    return _mix(*_key(), chosen.start, chosen.end)


def shift(chosen: metrics.Period) -> MixShift:
    """The mix against the prior period and the same period last year (cached)."""
    return _shift(*_key(), chosen.start, chosen.end)


def trend(grain: Grain, chosen: metrics.Period | None = None) -> pd.DataFrame:
    """The mix per month or quarter over the stored history (cached). The base of `chosen`
    (default: the sidebar's period), shared with the period's figures, gives the segments."""
    chosen = chosen or period()
    return _trend(*_key(), grain, chosen.start, chosen.end)


def bridge(chosen: metrics.Period) -> Bridge | None:
    """The revenue bridge from the prior period to the period; None without one (cached)."""
    return _bridge(*_key(), chosen.start, chosen.end)


def movers(figure_bridge: Bridge) -> pd.DataFrame:
    """Per account: its part of the bridge, largest change first (cached)."""
    start, end = figure_bridge.start_period, figure_bridge.end_period
    return _movers(*_key(), (start.start, start.end), (end.start, end.end))


def pyramid(chosen: metrics.Period, weights: ScorecardWeights) -> Pyramid:
    """The scorecard with these weights, its tiers, migration and the revenue-only list (cached)."""
    return _pyramid(*_key(), chosen.start, chosen.end, weights_key(weights))


def currency(chosen: metrics.Period) -> str | None:
    """The period's main currency code (cached)."""
    return _currency(*_key(), chosen.start, chosen.end)
