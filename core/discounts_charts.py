"""Discount charts: price waterfall, creep scatter, rate by segment, pocket price band and one
account's months. DataFrame (or Waterfall) in, figure out.

Every title and label is passed in already translated; names are shown as text, never HTML.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from core.charts import PALETTE, nice_step
from core.concentration_charts import text
from core.discounts import Waterfall

NAVY, ORANGE, GREEN, RED = PALETTE[0], PALETTE[1], PALETTE[2], PALETTE[4]
_LAYOUT: Final[dict[str, object]] = {
    "margin": {"l": 10, "r": 10, "t": 60, "b": 10},
    "hovermode": "closest",
    "legend": {"orientation": "h", "y": -0.18, "yanchor": "top", "x": 0, "xanchor": "left"},
    "plot_bgcolor": "white",
}
_GRID: Final = "#e6e6e6"
BAND_BINS: Final = 30
"""About how many bars the pocket price band has."""


def _title(title: str) -> dict[str, object]:
    return {"text": text(title), "x": 0, "xanchor": "left"}


def waterfall_figure(waterfall: Waterfall, title: str, names: Mapping[str, str]) -> go.Figure:
    """List revenue down to gross profit: totals stand on the axis, steps hang between them.

    `names` maps each step name (list, on_invoice_discount, …) to its translated label.
    """
    steps = waterfall.steps
    labels = [text(names.get(step.name, step.name)) for step in steps]
    shares = [
        f"{step.share_of_list:.1%}" if step.share_of_list is not None else "" for step in steps
    ]
    figure = go.Figure(
        go.Waterfall(
            x=labels,
            y=[step.amount for step in steps],
            measure=["absolute" if step.kind == "total" else "relative" for step in steps],
            text=shares,
            textposition="outside",
            connector={"line": {"color": "#bbbbbb"}},
            decreasing={"marker": {"color": RED}},
            increasing={"marker": {"color": GREEN}},
            totals={"marker": {"color": NAVY}},
            hovertemplate="%{x}<br>%{y:,.0f}<br>%{text}<extra></extra>",
        )
    )
    figure.update_layout(_LAYOUT, title=_title(title), showlegend=False)
    figure.update_yaxes(gridcolor=_GRID, tickformat="~s")
    return figure


def creep_scatter_figure(
    creep: pd.DataFrame, title: str, labels: Mapping[str, str], flagged: set[str]
) -> go.Figure:
    """Discount change (points) against revenue change, one marker per account, quadrants named.

    `creep` has the columns of core.discounts_creep.discount_creep; rows without both changes
    are left out. `labels` has x, y, and the quadrants q_up_up, q_up_down, q_down_up,
    q_down_down (discount up / revenue up, …) and the legend names flagged and other.
    """
    rows = creep.dropna(subset=["points", "revenue_change"])
    is_flagged = rows["account"].astype(str).isin(flagged)
    figure = go.Figure()
    for chosen, name, colour, size in (
        (~is_flagged, labels["other"], NAVY, 6),
        (is_flagged, labels["flagged"], RED, 11),
    ):
        part = rows[chosen]
        figure.add_trace(
            go.Scatter(
                x=part["points"],
                y=part["revenue_change"],
                mode="markers",
                name=text(name),
                marker={"color": colour, "size": size, "opacity": 0.75},
                # The account key travels with each point so that a click can open it.
                customdata=[
                    [text(f"{n} ({a})"), str(a)]
                    for n, a in zip(part["name"], part["account"], strict=True)
                ],
                hovertemplate="%{customdata[0]}<br>%{x:+.1f} pp · %{y:+.1%}<extra></extra>",
            )
        )
    figure.add_hline(y=0, line_color="#999999", line_width=1)
    figure.add_vline(x=0, line_color="#999999", line_width=1)
    corners = (
        ("q_up_up", 1, 1, "right", "top"),
        ("q_up_down", 1, 0, "right", "bottom"),
        ("q_down_up", 0, 1, "left", "top"),
        ("q_down_down", 0, 0, "left", "bottom"),
    )
    for key, x, y, xanchor, yanchor in corners:
        figure.add_annotation(
            text=text(labels[key]),
            xref="paper",
            yref="paper",
            x=x,
            y=y,
            xanchor=xanchor,
            yanchor=yanchor,
            showarrow=False,
            font={"color": RED if key == "q_up_down" else "#666666", "size": 12},
            bgcolor="rgba(255,255,255,0.8)",
        )
    figure.update_layout(_LAYOUT, title=_title(title), clickmode="event+select")
    figure.update_xaxes(title=text(labels["x"]), gridcolor=_GRID, zeroline=False)
    figure.update_yaxes(
        title=text(labels["y"]),
        gridcolor=_GRID,
        tickformat=".0%",
        zeroline=False,
        range=_clipped(rows["revenue_change"], rows.loc[is_flagged, "revenue_change"]),
    )
    return figure


CLIP_QUANTILES: Final = (0.01, 0.99)
"""The revenue axis spans these quantiles of its values (and zero), so that a handful of
accounts with tiny prior revenue (+900%) do not squash everyone else into a line; zooming out
shows them. Discount points need no clipping: they are bounded."""


def _clipped(values: pd.Series, always: pd.Series) -> list[float] | None:
    """An axis range over the bulk of the values and every `always` value (the flagged
    accounts), padded by a tenth, always showing zero."""
    if values.empty:
        return None
    low, high = (float(values.quantile(q)) for q in CLIP_QUANTILES)
    low, high = min(low, 0.0, *always), max(high, 0.0, *always)
    pad = (high - low) * 0.1 or 1.0
    return [low - pad, high + pad]


def segment_trend_figure(
    trend: pd.DataFrame, title: str, labels: Mapping[str, str], segment_names: Mapping[str, str]
) -> go.Figure:
    """The monthly discount rate per segment, with the portfolio as a dashed line.

    `trend` has month, segment (NULL for the portfolio) and discount_rate; `labels` has x, y
    and portfolio; `segment_names` translates segment values (others are shown as they are).
    """
    figure = go.Figure()
    portfolio = trend[trend["segment"].isna()]
    segments = sorted(trend["segment"].dropna().unique())
    for position, segment in enumerate(segments):
        part = trend[trend["segment"] == segment]
        figure.add_trace(
            go.Scatter(
                x=part["month"],
                y=part["discount_rate"],
                mode="lines+markers",
                name=text(segment_names.get(segment, segment)),
                line={"color": PALETTE[(position + 1) % len(PALETTE)]},
                hovertemplate="%{x|%Y-%m}: %{y:.1%}<extra>%{fullData.name}</extra>",
            )
        )
    figure.add_trace(
        go.Scatter(
            x=portfolio["month"],
            y=portfolio["discount_rate"],
            mode="lines",
            name=text(labels["portfolio"]),
            line={"color": NAVY, "dash": "dash", "width": 3},
            hovertemplate="%{x|%Y-%m}: %{y:.1%}<extra>%{fullData.name}</extra>",
        )
    )
    figure.update_layout(_LAYOUT, title=_title(title), hovermode="x unified")
    figure.update_xaxes(title=text(labels["x"]), gridcolor=_GRID, tickformat="%Y-%m")
    figure.update_yaxes(title=text(labels["y"]), gridcolor=_GRID, tickformat=".1%")
    return figure


def pocket_band_figure(band: pd.DataFrame, title: str, labels: Mapping[str, str]) -> go.Figure:
    """Net revenue by pocket price as a share of list: where the portfolio's revenue sits.

    `band` has pocket_ratio and net_revenue per account; bars sum revenue over round-width
    bins (about BAND_BINS), so a big account weighs more than a small one. `labels` has x
    and y.
    """
    # Binned here, so the browser gets about 30 bars, not every account's ratio.
    ratio = band["pocket_ratio"].astype(float).to_numpy()
    revenue = band["net_revenue"].astype(float).fillna(0.0).to_numpy()
    finite = np.isfinite(ratio)
    ratio, revenue = ratio[finite], revenue[finite]
    low, high = (float(ratio.min()), float(ratio.max())) if len(ratio) else (0.0, 1.0)
    step = nice_step(high - low, BAND_BINS)
    start = np.floor(low / step) * step
    count = max(1, int(np.ceil((high - start) / step - 1e-9)))
    count += int(start + count * step < high)  # the last bin is closed, so it holds `high`
    sums, edges = np.histogram(ratio, bins=start + step * np.arange(count + 1), weights=revenue)
    figure = go.Figure(
        go.Bar(
            x=(edges[:-1] + edges[1:]) / 2,
            y=sums,
            width=step,
            customdata=np.column_stack([edges[:-1], edges[1:]]),
            marker={"color": NAVY, "line": {"color": "white", "width": 1}},
            hovertemplate="%{customdata[0]:.1%} – %{customdata[1]:.1%}<br>%{y:,.0f}<extra></extra>",
        )
    )
    figure.update_layout(_LAYOUT, title=_title(title), showlegend=False, bargap=0.02)
    figure.update_xaxes(title=text(labels["x"]), gridcolor=_GRID, tickformat=".0%")
    figure.update_yaxes(title=text(labels["y"]), gridcolor=_GRID, tickformat="~s")
    return figure


def account_months_figure(
    monthly: pd.DataFrame, title: str, labels: Mapping[str, str]
) -> go.Figure:
    """One account per month: net revenue as bars, its discount rate as a line on the right.

    `monthly` has month, net_revenue and discount_rate; `labels` has x, revenue and rate.
    """
    figure = go.Figure()
    figure.add_trace(
        go.Bar(
            x=monthly["month"],
            y=monthly["net_revenue"],
            name=text(labels["revenue"]),
            marker={"color": "#9fb7d0"},
            hovertemplate="%{x|%Y-%m}: %{y:,.0f}<extra></extra>",
        )
    )
    figure.add_trace(
        go.Scatter(
            x=monthly["month"],
            y=monthly["discount_rate"],
            name=text(labels["rate"]),
            mode="lines+markers",
            yaxis="y2",
            line={"color": RED, "width": 3},
            hovertemplate="%{x|%Y-%m}: %{y:.1%}<extra></extra>",
        )
    )
    figure.update_layout(
        _LAYOUT,
        title=_title(title),
        yaxis={"title": text(labels["revenue"]), "gridcolor": _GRID, "tickformat": "~s"},
        yaxis2={
            "title": text(labels["rate"]),
            "overlaying": "y",
            "side": "right",
            "tickformat": ".1%",
            "rangemode": "tozero",
            "showgrid": False,
        },
        hovermode="x unified",
    )
    figure.update_xaxes(title=text(labels["x"]), tickformat="%Y-%m")
    return figure
