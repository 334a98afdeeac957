"""Segment charts: mix over time, revenue against profit share, the revenue bridge, tier
migration and scorecard contributions. Data in, plotly figure out.

Titles come in translated; every other word comes from `names`, a mapping that
`chart_names(language)` builds from core/locales/segments.*.toml (segment, tier, indicator and
bridge names by their codes, and the chart words). Names are shown as text, never HTML.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, Literal

import pandas as pd
import plotly.graph_objects as go

from core.bridge import BRIDGE_PARTS, BridgeTotals
from core.charts import PALETTE
from core.concentration_charts import text
from core.i18n import Language, catalogue
from core.scorecard_sql import TIERS
from core.scorecard_tiers import LOST, NEW
from core.scorecard_weights import INDICATORS
from core.segments_sql import SEGMENT_ORDER

NAVY, ORANGE, GREEN, TEAL, RED = PALETTE[0], PALETTE[1], PALETTE[2], PALETTE[3], PALETTE[4]
SEGMENT_COLOURS: Final[dict[str, str]] = {
    "intrinsic": PALETTE[0],
    "extrinsic": PALETTE[1],
    "strategic": PALETTE[2],
    "other": PALETTE[3],
    "unassigned": "#bab0ac",
}
TIER_COLOURS: Final[dict[str, str]] = {
    NEW: "#59a14f",
    "platinum": "#7f8fa6",
    "gold": "#d4a017",
    "iron": "#5b6770",
    "lead": "#9c9c9c",
    LOST: "#e15759",
}
INDICATOR_COLOURS: Final[dict[str, str]] = dict(zip(INDICATORS, PALETTE, strict=False))
_LAYOUT: Final[dict[str, object]] = {
    "margin": {"l": 10, "r": 10, "t": 60, "b": 10},
    "legend": {"orientation": "h", "y": -0.15, "yanchor": "top", "x": 0, "xanchor": "left"},
    "plot_bgcolor": "white",
}
_GRID: Final = "#e6e6e6"


def chart_names(language: Language = "en") -> dict[str, str]:
    """Every word the segment charts show, by code: segments, tiers (with new and lost),
    indicators, bridge parts (prefixed 'bridge.') and chart words (revenue_share, …)."""
    words = catalogue(language)
    english = catalogue("en")

    def word(key: str) -> str:
        return words.get(key) or english[key]

    names = {code: word(f"segments.name.{code}") for code in SEGMENT_ORDER}
    names |= {code: word(f"segments.tier.{code}") for code in (NEW, *TIERS, LOST)}
    names |= {code: word(f"segments.indicator.{code}") for code in INDICATORS}
    names |= {f"bridge.{part}": word(f"segments.bridge.{part}") for part in BRIDGE_PARTS}
    names |= {
        code: word(f"segments.chart.{code}")
        for code in ("revenue_share", "profit_share", "share", "points", "score")
    }
    return names


def _name(names: Mapping[str, str], code: object) -> str:
    return text(names.get(str(code), str(code)))


def _faded(colour: str, alpha: float = 0.4) -> str:
    """A '#rrggbb' colour as a translucent rgba(), for Sankey links."""
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red},{green},{blue},{alpha})"


def _title(title: str) -> dict[str, object]:
    return {"text": text(title), "x": 0, "xanchor": "left"}


def mix_area_figure(
    trend: pd.DataFrame,
    title: str,
    names: Mapping[str, str],
    value: Literal["revenue_share", "net_revenue"] = "revenue_share",
) -> go.Figure:
    """Stacked areas of each segment's share (or net revenue) per month or quarter.

    `trend` is core.segments.segment_mix_trend: one row per bucket and segment.
    """
    figure = go.Figure()
    percent = value == "revenue_share"
    for segment in [s for s in SEGMENT_ORDER if s in set(trend["segment"])]:
        part = trend[trend["segment"] == segment].sort_values("bucket")
        figure.add_trace(
            go.Scatter(
                x=part["bucket"],
                y=part[value].astype(float),
                name=_name(names, segment),
                mode="lines",
                stackgroup="mix",
                line={"width": 0.5, "color": SEGMENT_COLOURS.get(segment, NAVY)},
                hovertemplate=f"{_name(names, segment)}<br>%{{x|%Y-%m}}: "
                + ("%{y:.1%}" if percent else "%{y:,.0f}")
                + "<extra></extra>",
            )
        )
    figure.update_layout(_LAYOUT, title=_title(title), hovermode="x unified")
    figure.update_xaxes(gridcolor=_GRID)
    figure.update_yaxes(gridcolor=_GRID, tickformat=".0%" if percent else ",.0f")
    return figure


def share_bars_figure(mix: pd.DataFrame, title: str, names: Mapping[str, str]) -> go.Figure:
    """Revenue share against profit share, side by side for each segment.

    `mix` is core.segments.segment_mix; a segment without cost data has no profit bar.
    """
    segments = [_name(names, segment) for segment in mix["segment"]]
    figure = go.Figure()
    for column, colour in (("revenue_share", NAVY), ("profit_share", ORANGE)):
        values = pd.to_numeric(mix[column], errors="coerce").astype(float)
        figure.add_trace(
            go.Bar(
                x=segments,
                y=values,
                name=_name(names, column),
                marker={"color": colour},
                text=[f"{v:.0%}" if v == v else "" for v in values],
                textposition="outside",
                hovertemplate="%{x}: %{y:.1%}<extra></extra>",
            )
        )
    figure.update_layout(_LAYOUT, title=_title(title), barmode="group")
    figure.update_yaxes(gridcolor=_GRID, tickformat=".0%")
    return figure


def bridge_figure(bridge: BridgeTotals, title: str, names: Mapping[str, str]) -> go.Figure:
    """The revenue bridge as a waterfall: start, + new, + expansion, − contraction, − lost,
    and end as a total that lands where the steps do."""
    steps = [
        ("start", "absolute", bridge.start),
        ("new", "relative", bridge.new),
        ("expansion", "relative", bridge.expansion),
        ("contraction", "relative", -bridge.contraction),
        ("lost", "relative", -bridge.lost),
        ("end", "total", bridge.end),
    ]
    figure = go.Figure(
        go.Waterfall(
            x=[_name(names, f"bridge.{part}") for part, _, _ in steps],
            y=[amount if measure != "total" else 0 for _, measure, amount in steps],
            measure=[measure for _, measure, _ in steps],
            text=[
                f"{amount:+,.0f}" if measure == "relative" else f"{amount:,.0f}"
                for _, measure, amount in steps
            ],
            textposition="outside",
            connector={"line": {"color": "#bbbbbb"}},
            increasing={"marker": {"color": GREEN}},
            decreasing={"marker": {"color": RED}},
            totals={"marker": {"color": NAVY}},
            hovertemplate="%{x}: %{text}<extra></extra>",
        )
    )
    figure.update_layout(_LAYOUT, title=_title(title), showlegend=False)
    figure.update_yaxes(gridcolor=_GRID, tickformat=",.0f", range=bridge_axis_range(bridge))
    return figure


BRIDGE_ZOOM: Final = 0.5
"""Zoom the bridge's axis when its steps move less than this share of its lowest level."""


def bridge_axis_range(bridge: BridgeTotals) -> list[float] | None:
    """The waterfall's y range around its running levels when the steps are small against
    them (else None: from zero), so a 1% expansion on a large base is still visible."""
    levels = [bridge.start]
    for step in (bridge.new, bridge.expansion, -bridge.contraction, -bridge.lost):
        levels.append(levels[-1] + step)
    low, high = min(levels), max(levels)
    if low <= 0 or high - low >= BRIDGE_ZOOM * low:
        return None
    pad = max(high - low, 0.01 * high) * 0.35
    return [max(low - pad, 0.0), high + pad]


def migration_sankey_figure(
    migration: pd.DataFrame,
    title: str,
    names: Mapping[str, str],
    value: Literal["accounts", "revenue_to"] = "accounts",
) -> go.Figure:
    """Tier migration as a Sankey: compared-period tiers (and new) on the left, the period's
    tiers (and lost) on the right, links sized by accounts or by revenue now.

    `migration` is core.scorecard_tiers.tier_migration.
    """
    left = [NEW, *TIERS]
    right = [*TIERS, LOST]
    index_left = {tier: i for i, tier in enumerate(left)}
    index_right = {tier: len(left) + i for i, tier in enumerate(right)}
    figure = go.Figure(
        go.Sankey(
            arrangement="fixed",
            node={
                "label": [_name(names, tier) for tier in (*left, *right)],
                "color": [TIER_COLOURS[tier] for tier in (*left, *right)],
                "pad": 18,
                "thickness": 16,
            },
            link={
                "source": [index_left[tier] for tier in migration["tier_from"]],
                "target": [index_right[tier] for tier in migration["tier_to"]],
                "value": migration[value].astype(float).tolist(),
                "color": [_faded(TIER_COLOURS[tier]) for tier in migration["tier_to"]],
            },
        )
    )
    figure.update_layout(_LAYOUT, title=_title(title))
    return figure


def contribution_bars_figure(
    table: pd.DataFrame, title: str, names: Mapping[str, str], top: int = 20
) -> go.Figure:
    """Each account's score as stacked bars of its indicators' points, best `top` first.

    `table` is core.scorecard.Scorecard.table (rank order); bars add up to the score.
    """
    shown = table.head(top).iloc[::-1]  # plotly draws the first category at the bottom
    accounts = [
        text(f"{name} ({key})") for name, key in zip(shown["name"], shown["account"], strict=True)
    ]
    figure = go.Figure()
    for indicator in INDICATORS:
        figure.add_trace(
            go.Bar(
                y=accounts,
                x=shown[f"{indicator}_points"].astype(float),
                name=_name(names, indicator),
                orientation="h",
                marker={"color": INDICATOR_COLOURS[indicator]},
                customdata=shown[f"{indicator}_pct"].astype(float),
                hovertemplate="%{y}<br>"
                + _name(names, indicator)
                + ": %{x:.1f} (P%{customdata:.0f})<extra></extra>",
            )
        )
    figure.update_layout(
        _LAYOUT,
        title=_title(title),
        barmode="stack",
        height=max(320, 28 * len(shown) + 140),
        legend_traceorder="normal",  # the indicators in display order, as the bars stack
    )
    figure.update_xaxes(gridcolor=_GRID, range=[0, 100], title=_name(names, "points"))
    return figure


__all__ = [
    "SEGMENT_COLOURS",
    "TIER_COLOURS",
    "bridge_axis_range",
    "bridge_figure",
    "chart_names",
    "contribution_bars_figure",
    "migration_sankey_figure",
    "mix_area_figure",
    "share_bars_figure",
]
