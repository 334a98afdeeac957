"""Concentration charts: Pareto, Lorenz and whale curve. DataFrame in, figure out.

Every title and label is passed in already translated; names are shown as text, never HTML.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from core.charts import CURVE_POINTS, PALETTE, thinned

NAVY, ORANGE, GREEN, GREY, RED = PALETTE[0], PALETTE[1], PALETTE[2], "#8c8c8c", PALETTE[4]
PARETO_LINE: Final = 0.8
"""The share the Pareto point reaches."""

TOP_RANKS_SHOWN: Final = 300
"""With more accounts than a chart can draw as bars, these top ranks are all drawn."""

PARETO_LABELS: Final[dict[str, str]] = {
    "rank": "Rank",
    "revenue": "Net revenue",
    "cum_share": "Cumulative share",
    "share": "Share",
    "name": "Account",
    "line": "80%",
}
LORENZ_LABELS: Final[dict[str, str]] = {
    "x": "Share of accounts (smallest first)",
    "y": "Share of net revenue",
    "curve": "Lorenz curve",
    "equality": "Equal accounts",
}
WHALE_LABELS: Final[dict[str, str]] = {
    "x": "Share of accounts (most profitable first)",
    "y": "Cumulative share of gross profit",
    "curve": "Whale curve",
    "full": "100% of profit",
    "peak": "Peak",
    "name": "Account",
    "profit": "Gross profit",
}
_LAYOUT: Final[dict[str, object]] = {
    "margin": {"l": 10, "r": 10, "t": 60, "b": 10},
    "hovermode": "closest",
    "legend": {"orientation": "h", "y": -0.18, "yanchor": "top", "x": 0, "xanchor": "left"},
    "plot_bgcolor": "white",
}


def text(value: object) -> str:
    """A name made safe for plotly's HTML-ish hover and annotation text."""
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _texts(values: pd.Series) -> np.ndarray:
    """Names made safe as text, as an array plotly takes without checking each one."""
    return np.array([text(value) for value in values], dtype=object)


def _labels(defaults: Mapping[str, str], given: Mapping[str, str] | None) -> dict[str, str]:
    return {**defaults, **(given or {})}


def _title(title: str) -> dict[str, object]:
    return {"text": text(title), "x": 0, "xanchor": "left"}


def pareto_figure(
    units: pd.DataFrame,
    pareto_k: int | None,
    title: str,
    marker_label: str,
    labels: Mapping[str, str] | None = None,
) -> go.Figure:
    """Revenue bars by rank, the cumulative share on a second axis, the 80% line and k.

    `units` is account_revenue (positive rows are used: rank, name, net_revenue, share,
    cum_share). The rank axis is numeric, so thousands of accounts stay readable; beyond
    CURVE_POINTS accounts the bars become an area through the top ranks and spaced ones.
    """
    names = _labels(PARETO_LABELS, labels)
    ranked = units[units["positive"].astype(bool)].sort_values("rank")
    rank = ranked["rank"].astype(int).to_numpy()
    # Numbers go in a numeric array and names in hovertext: plotly checks a list of mixed
    # tuples value by value, which is slow with thousands of accounts.
    custom = ranked[["net_revenue", "share", "cum_share"]].astype(float).to_numpy()
    hovertext = _texts(ranked["name"])
    hover = (
        f"{text(names['rank'])} %{{x}}<br><b>%{{hovertext}}</b><br>"
        f"{text(names['revenue'])}: %{{customdata[0]:,.0f}}<br>"
        f"{text(names['share'])}: %{{customdata[1]:.1%}}<br>"
        f"{text(names['cum_share'])}: %{{customdata[2]:.1%}}<extra></extra>"
    )
    figure = go.Figure()
    keep = np.flatnonzero(rank == pareto_k) if pareto_k is not None else ()
    bars = len(rank) <= CURVE_POINTS
    # Thousands of one-pixel bars are thousands of SVG shapes, seconds to draw; an area
    # through every top account and spaced ranks beyond looks the same and draws at once.
    shown = np.arange(len(rank)) if bars else thinned(len(rank), [*range(TOP_RANKS_SHOWN), *keep])
    revenue = {
        "x": rank[shown],
        "y": custom[shown, 0],
        "name": names["revenue"],
        "customdata": custom[shown],
        "hovertext": hovertext[shown],
        "hovertemplate": hover,
    }
    figure.add_trace(
        go.Bar(**revenue, marker={"color": NAVY, "line": {"width": 0}})
        if bars
        else go.Scatter(
            **revenue,
            mode="lines",
            fill="tozeroy",
            line={"color": NAVY, "width": 1},
            fillcolor=NAVY,
        )
    )
    # The cumulative line is drawn through at most CURVE_POINTS ranks, k among them.
    drawn = thinned(len(rank), keep)
    figure.add_trace(
        go.Scatter(
            x=rank[drawn],
            y=custom[drawn, 2],
            name=names["cum_share"],
            yaxis="y2",
            mode="lines",
            line={"color": ORANGE, "width": 2.5},
            hovertemplate=(
                f"{text(names['rank'])} %{{x}}<br>"
                f"{text(names['cum_share'])}: %{{y:.1%}}<extra></extra>"
            ),
        )
    )
    n = len(rank)
    figure.add_trace(
        go.Scatter(
            x=[0.5, max(n, 1) + 0.5],
            y=[PARETO_LINE, PARETO_LINE],
            yaxis="y2",
            mode="lines",
            name=names["line"],
            hoverinfo="skip",
            line={"color": GREY, "width": 1.5, "dash": "dash"},
        )
    )
    if pareto_k is not None and n:
        at = ranked[ranked["rank"] == pareto_k]
        y = float(at["cum_share"].iloc[0]) if not at.empty else PARETO_LINE
        figure.add_trace(
            go.Scatter(
                x=[pareto_k],
                y=[y],
                yaxis="y2",
                mode="markers+text",
                name=marker_label,
                text=[text(marker_label)],
                textposition="bottom right",
                textfont={"color": RED, "size": 13},
                marker={"color": RED, "size": 11, "line": {"color": "white", "width": 2}},
                hovertemplate=f"{text(marker_label)}<extra></extra>",
            )
        )
    figure.update_layout(
        **_LAYOUT,
        title=_title(title),
        bargap=0.1 if n < 60 else 0,
        yaxis={
            "title": {"text": text(names["revenue"])},
            "tickformat": "~s",
            "rangemode": "tozero",
            "gridcolor": "#eeeeee",
        },
        yaxis2={
            "title": {"text": text(names["cum_share"])},
            "overlaying": "y",
            "side": "right",
            "range": [0, 1.05],
            "tickformat": ".0%",
            "showgrid": False,
            "tickmode": "linear",
            "tick0": 0,
            "dtick": 0.2,
        },
    )
    figure.update_xaxes(
        type="linear",
        title_text=text(names["rank"]),
        rangemode="tozero",
        range=[0.5, max(n, 1) + 0.5],
        showgrid=False,
    )
    return figure


def lorenz_figure(
    lorenz: pd.DataFrame, title: str, labels: Mapping[str, str] | None = None
) -> go.Figure:
    """The Lorenz curve (lorenz_curve's account_share, revenue_share) with the equality line;
    long curves are drawn through CURVE_POINTS of their points."""
    names = _labels(LORENZ_LABELS, labels)
    figure = go.Figure()
    figure.add_trace(
        go.Scatter(
            x=[0, 1],
            y=[0, 1],
            mode="lines",
            name=names["equality"],
            hoverinfo="skip",
            line={"color": GREY, "width": 1.5, "dash": "dash"},
        )
    )
    drawn = thinned(len(lorenz))
    figure.add_trace(
        go.Scatter(
            x=lorenz["account_share"].astype(float).to_numpy()[drawn],
            y=lorenz["revenue_share"].astype(float).to_numpy()[drawn],
            mode="lines",
            name=names["curve"],
            fill="tonexty",
            fillcolor="rgba(31, 78, 121, 0.12)",
            line={"color": NAVY, "width": 2.5},
            hovertemplate=(
                f"{text(names['x'])}: %{{x:.1%}}<br>{text(names['y'])}: %{{y:.1%}}<extra></extra>"
            ),
        )
    )
    figure.update_layout(**_LAYOUT, title=_title(title))
    figure.update_xaxes(
        title_text=text(names["x"]), range=[0, 1], tickformat=".0%", gridcolor="#eeeeee"
    )
    figure.update_yaxes(
        title_text=text(names["y"]), range=[0, 1], tickformat=".0%", gridcolor="#eeeeee"
    )
    return figure


def whale_figure(
    curve: pd.DataFrame,
    title: str,
    peak_label: str,
    labels: Mapping[str, str] | None = None,
) -> go.Figure:
    """Cumulative share of gross profit against the share of accounts, most profitable first.

    `curve` is whale_curve (rank_share, cum_profit_share, name, gross_profit); the peak is
    marked and labelled `peak_label`, and the 100% line drawn.
    """
    names = _labels(WHALE_LABELS, labels)
    points = curve.dropna(subset=["cum_profit_share"])
    shares = points["cum_profit_share"].astype(float).to_numpy()
    peak_at = int(shares.argmax()) if len(shares) else 0
    # At most CURVE_POINTS accounts are drawn, the peak always among them.
    points = points.iloc[thinned(len(points), [peak_at])]
    x = points["rank_share"].astype(float)
    y = points["cum_profit_share"].astype(float)
    custom = points["gross_profit"].fillna(0.0).astype(float).to_numpy()
    figure = go.Figure()
    figure.add_trace(
        go.Scatter(
            x=[0, 1],
            y=[1, 1],
            mode="lines",
            name=names["full"],
            hoverinfo="skip",
            line={"color": GREY, "width": 1.5, "dash": "dash"},
        )
    )
    figure.add_trace(
        go.Scatter(
            x=x,
            y=y,
            mode="lines",
            name=names["curve"],
            line={"color": GREEN, "width": 2.5},
            customdata=custom,
            hovertext=_texts(points["name"].fillna("")),
            hovertemplate=(
                f"<b>%{{hovertext}}</b><br>{text(names['x'])}: %{{x:.1%}}<br>"
                f"{text(names['y'])}: %{{y:.1%}}<br>"
                f"{text(names['profit'])}: %{{customdata:,.0f}}<extra></extra>"
            ),
        )
    )
    if not points.empty:
        top = int(y.to_numpy().argmax())
        figure.add_trace(
            go.Scatter(
                x=[x.iloc[top]],
                y=[y.iloc[top]],
                mode="markers+text",
                name=names["peak"],
                text=[text(peak_label)],
                textposition="top left" if x.iloc[top] > 0.7 else "top right",
                textfont={"color": RED, "size": 13},
                marker={"color": RED, "size": 11, "line": {"color": "white", "width": 2}},
                hovertemplate=f"{text(peak_label)}<extra></extra>",
            )
        )
    upper = max(1.1, float(y.max()) * 1.08) if not points.empty else 1.1
    figure.update_layout(**_LAYOUT, title=_title(title))
    figure.update_xaxes(
        title_text=text(names["x"]), range=[0, 1], tickformat=".0%", gridcolor="#eeeeee"
    )
    figure.update_yaxes(
        title_text=text(names["y"]),
        range=[min(0.0, float(y.min()) if not points.empty else 0.0), upper],
        tickformat=".0%",
        gridcolor="#eeeeee",
    )
    return figure
