"""Overview charts: gross margin % by tier and by segment against the portfolio's, for the
'where the profit comes from' panel. Data in, plotly figure out; no Streamlit here."""

from __future__ import annotations

from collections.abc import Mapping

import plotly.graph_objects as go

from core.charts import PALETTE
from core.concentration_charts import text

TIER_COLOUR, SEGMENT_COLOUR, LINE_COLOUR = PALETTE[0], PALETTE[1], "#666666"


def margin_bars_figure(
    breakdown: Mapping[str, Mapping[str, float | None]],
    overall: float | None,
    title: str,
    names: Mapping[str, str],
) -> go.Figure:
    """Horizontal bars of gross margin %: the tiers, then the segments, and a line at the
    portfolio's.

    `breakdown` is core.mistakes MistakeCheck.breakdown ({'tier': {code: margin}, 'segment':
    {...}}); a code without a margin (no cost data) is left out. The portfolio's margin is a
    dashed line across the bars, named in the legend. `names` gives each code's
    label, and 'tier', 'segment' and 'portfolio' the legend's words.
    """
    figure = go.Figure()
    for part, colour in (("tier", TIER_COLOUR), ("segment", SEGMENT_COLOUR)):
        values = {code: v for code, v in breakdown.get(part, {}).items() if v is not None}
        figure.add_trace(
            go.Bar(
                name=text(names.get(part, part)),
                y=[text(names.get(code, code)) for code in values],
                x=list(values.values()),
                orientation="h",
                marker_color=colour,
                text=[f"{v:.1%}" for v in values.values()],
                textposition="inside",
                insidetextanchor="end",
                textfont={"color": "white"},
                hovertemplate="%{y}: %{x:.1%}<extra></extra>",
            )
        )
    shown = [y for trace in figure.data for y in trace.y]
    if overall is not None and shown:
        figure.add_trace(
            go.Scatter(
                name=text(f"{names.get('portfolio', 'portfolio')} {overall:.1%}"),
                x=[overall, overall],
                y=[shown[0], shown[-1]],
                mode="lines",
                line={"color": LINE_COLOUR, "dash": "dash", "width": 1.5},
                hoverinfo="skip",
            )
        )
    figure.update_layout(
        title={"text": text(title), "x": 0, "xanchor": "left"},
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        height=340,
        plot_bgcolor="white",
        legend={"orientation": "h", "y": -0.2, "yanchor": "top", "x": 0},
        bargap=0.3,
    )
    figure.update_xaxes(tickformat=".0%", gridcolor="#e6e6e6", rangemode="tozero")
    figure.update_yaxes(autorange="reversed")  # the tiers on top, in their order
    return figure
