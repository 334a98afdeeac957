"""Account drill-down charts: the monthly trend, products, scorecard contributions and the tier
history. Data in, plotly figure out.

Titles and labels come in translated; names (products, tiers) are shown as text, never HTML.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

import pandas as pd
import plotly.graph_objects as go

from core.charts import PALETTE
from core.concentration_charts import text
from core.segments_charts import INDICATOR_COLOURS, TIER_COLOURS

NAVY, ORANGE, GREEN, RED = PALETTE[0], PALETTE[1], PALETTE[2], PALETTE[4]
LIGHT_BLUE: Final = "#9fb7d0"
GRID: Final = "#e6e6e6"
_LAYOUT: Final[dict[str, object]] = {
    "margin": {"l": 10, "r": 10, "t": 60, "b": 10},
    "legend": {"orientation": "h", "y": -0.18, "yanchor": "top", "x": 0, "xanchor": "left"},
    "plot_bgcolor": "white",
}


def _title(title: str) -> dict[str, object]:
    return {"text": text(title), "x": 0, "xanchor": "left"}


def _floats(values: pd.Series) -> list[float | None]:
    return [None if pd.isna(value) else float(value) for value in values]


def trend_figure(trend: pd.DataFrame, title: str, labels: Mapping[str, str]) -> go.Figure:
    """Net revenue per month as bars; margin %, discount rate and concession degree as lines
    on the right-hand axis.

    `trend` is core.account.account_trend; `labels` has x, revenue, margin, discount_rate and
    concession. A month without a rate leaves a gap in its line.
    """
    months = pd.to_datetime(trend["month"])
    figure = go.Figure()
    figure.add_trace(
        go.Bar(
            x=months,
            y=_floats(trend["net_revenue"]),
            name=text(labels["revenue"]),
            marker={"color": LIGHT_BLUE},
            hovertemplate="%{x|%Y-%m}: %{y:,.0f}<extra></extra>",
        )
    )
    lines = (
        ("margin", GREEN, "solid"),
        ("discount_rate", RED, "solid"),
        ("concession_degree", ORANGE, "dot"),
    )
    for column, colour, dash in lines:
        label = labels["concession" if column == "concession_degree" else column]
        figure.add_trace(
            go.Scatter(
                x=months,
                y=_floats(trend[column]),
                name=text(label),
                mode="lines+markers",
                yaxis="y2",
                line={"color": colour, "width": 3 if dash == "solid" else 2, "dash": dash},
                hovertemplate="%{x|%Y-%m}: %{y:.1%}<extra>" + text(label) + "</extra>",
            )
        )
    figure.update_layout(
        _LAYOUT,
        title=_title(title),
        yaxis={"title": text(labels["revenue"]), "gridcolor": GRID, "tickformat": "~s"},
        yaxis2={
            "overlaying": "y",
            "side": "right",
            "tickformat": ".0%",
            "rangemode": "tozero",
            "showgrid": False,
        },
        hovermode="x unified",
    )
    figure.update_xaxes(title=text(labels["x"]), tickformat="%Y-%m", dtick="M1")
    return figure


def products_figure(
    products: pd.DataFrame, title: str, labels: Mapping[str, str], top: int = 15
) -> go.Figure:
    """Revenue per product as horizontal bars, largest on top, each with its share.

    `products` is core.account.ProductMix.table; `labels` has revenue and unnamed (the label
    of rows without a product). Only the `top` largest are drawn.
    """
    shown = products.head(top).iloc[::-1]  # plotly draws the first category at the bottom
    names = [
        text(labels["unnamed"]) if pd.isna(product) else text(product)
        for product in shown["product"]
    ]
    shares = ["" if pd.isna(share) else f"{share:.0%}" for share in shown["share"]]
    figure = go.Figure(
        go.Bar(
            y=names,
            x=_floats(shown["net_revenue"]),
            orientation="h",
            text=shares,
            textposition="auto",
            marker={"color": NAVY},
            hovertemplate="%{y}: %{x:,.0f} (%{text})<extra></extra>",
        )
    )
    figure.update_layout(
        _LAYOUT, title=_title(title), showlegend=False, height=max(260, 34 * len(shown) + 120)
    )
    figure.update_xaxes(title=text(labels["revenue"]), gridcolor=GRID, tickformat="~s")
    figure.update_yaxes(type="category")
    return figure


def contributions_figure(
    contributions: pd.DataFrame, title: str, names: Mapping[str, str]
) -> go.Figure:
    """Each indicator's points against its weight: a pale bar for the weight (the most it can
    add), a coloured bar for the points it adds; the points add up to the score.

    `contributions` is core.account_scorecard.AccountCard.contributions; `names` maps each
    indicator to its label and has weight and points.
    """
    shown = contributions.iloc[::-1]
    indicators = [text(names.get(code, code)) for code in shown["indicator"]]
    figure = go.Figure()
    figure.add_trace(
        go.Bar(
            y=indicators,
            x=_floats(shown["weight"]),
            orientation="h",
            name=text(names["weight"]),
            marker={"color": GRID},
            hovertemplate="%{y}: %{x:.1f}<extra>" + text(names["weight"]) + "</extra>",
        )
    )
    figure.add_trace(
        go.Bar(
            y=indicators,
            x=_floats(shown["points"]),
            orientation="h",
            name=text(names["points"]),
            marker={"color": [INDICATOR_COLOURS.get(code, NAVY) for code in shown["indicator"]]},
            customdata=_floats(shown["pct"]),
            text=[f"{points:.1f}" for points in shown["points"].fillna(0.0)],
            textposition="outside",
            hovertemplate="%{y}: %{x:.1f} (P%{customdata:.0f})<extra></extra>",
        )
    )
    figure.update_layout(_LAYOUT, title=_title(title), barmode="overlay", height=320, bargap=0.35)
    limit = float(shown["weight"].max()) if len(shown) else 0.0
    figure.update_xaxes(gridcolor=GRID, range=[0, max(limit, 1.0) * 1.15])
    return figure


def quarter_label(start: object, months: int, labels: Mapping[str, str]) -> str:
    """'2026 Q1', or '2026 Q4 (1 of 3 months)' for a quarter only partly stored."""
    day = pd.Timestamp(start)
    label = labels["quarter"].format(year=day.year, quarter=(day.month - 1) // 3 + 1)
    return label if months >= 3 else labels["partial"].format(label=label, months=months)


def tier_history_figure(
    history: pd.DataFrame, title: str, names: Mapping[str, str], labels: Mapping[str, str]
) -> go.Figure:
    """The account's score per quarter as a line, each point coloured and labelled by tier.

    `history` is core.account_scorecard.tier_history; `names` maps tiers to their labels;
    `labels` has score, quarter and partial (see quarter_label) and unscored. A quarter
    without a score leaves a gap.
    """
    quarters = [
        quarter_label(start, int(months), labels)
        for start, months in zip(history["quarter"], history["months"], strict=True)
    ]
    tiers = [None if pd.isna(tier) else str(tier) for tier in history["tier"]]
    tier_names = [
        text(names.get(tier, tier)) if tier else text(labels["unscored"]) for tier in tiers
    ]
    figure = go.Figure(
        go.Scatter(
            x=quarters,
            y=_floats(history["score"]),
            mode="lines+markers+text",
            text=tier_names,
            textposition="top center",
            line={"color": GRID, "width": 2},
            marker={
                "size": 14,
                "color": [TIER_COLOURS.get(tier or "", "#bab0ac") for tier in tiers],
                "line": {"color": "white", "width": 1},
            },
            customdata=[
                f"{int(rank)} / {int(n)}" if not pd.isna(rank) else "–"
                for rank, n in zip(history["rank"], history["n"], strict=True)
            ],
            hovertemplate="%{x}: %{y:.1f} · %{text} · #%{customdata}<extra></extra>",
        )
    )
    figure.update_layout(_LAYOUT, title=_title(title), showlegend=False, height=320)
    figure.update_yaxes(title=text(labels["score"]), range=[0, 105], gridcolor=GRID)
    figure.update_xaxes(type="category")
    return figure


__all__ = [
    "contributions_figure",
    "products_figure",
    "quarter_label",
    "tier_history_figure",
    "trend_figure",
]
