"""The concentration trend chart: HHI and top shares per month or quarter.

Every title and label is passed in already translated; names are shown as text, never HTML.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

import pandas as pd
import plotly.graph_objects as go

from core.concentration_charts import _LAYOUT, GREEN, NAVY, ORANGE, _labels, _title, text
from core.concentration_sql import Grain

TREND_LABELS: Final[dict[str, str]] = {
    "x": "Period",
    "hhi": "HHI",
    "shares": "Share of net revenue",
    "top5_share": "Top-5 share",
    "top20pct_share": "Top-20% share",
    "quarter": "{year} Q{quarter}",
    "quarter_tick": "{year} Q{quarter}",
    "partial": "{label} ({months} of 3 months)",
}


def period_labels(
    trend: pd.DataFrame,
    grain: Grain,
    quarter: str = "{year} Q{quarter}",
    partial: str = "{label} ({months} of 3 months)",
) -> list[str]:
    """'2025-03' per month, or '2025 Q1' per quarter with partial quarters marked as such."""
    when = pd.to_datetime(trend["period_start"])
    if grain == "month":
        return [day.strftime("%Y-%m") for day in when]
    months = trend["months"] if "months" in trend else pd.Series([3] * len(trend))
    labels = []
    for day, stored in zip(when, months, strict=True):
        label = quarter.format(year=day.year, quarter=(day.month - 1) // 3 + 1)
        labels.append(label if stored >= 3 else partial.format(label=label, months=stored))
    return labels


def trend_figure(
    trend: pd.DataFrame,
    title: str,
    labels: Mapping[str, str] | None = None,
    grain: Grain = "month",
) -> go.Figure:
    """HHI on the left axis; top-5 and top-20% share on the right, per month or quarter.

    `labels` may carry "quarter" ('{year} Q{quarter}', for hover), "quarter_tick" (the axis's
    shorter form) and "partial" ('{label} ({months} of 3 months)') formats; a quarter with
    fewer stored months says so, and its tick carries a '*'.
    """
    names = _labels(TREND_LABELS, labels)
    when = pd.to_datetime(trend["period_start"])
    shown = [
        text(label) for label in period_labels(trend, grain, names["quarter"], names["partial"])
    ]
    short = period_labels(trend, grain, names["quarter_tick"], "{label}*")
    figure = go.Figure()
    figure.add_trace(
        go.Scatter(
            x=when,
            y=trend["hhi"].astype(float),
            name=names["hhi"],
            mode="lines+markers",
            line={"color": NAVY, "width": 2.5},
            marker={"size": 5},
            customdata=shown,
            hovertemplate=(f"%{{customdata}}<br>{text(names['hhi'])}: %{{y:,.0f}}<extra></extra>"),
        )
    )
    for column, colour in (("top5_share", ORANGE), ("top20pct_share", GREEN)):
        figure.add_trace(
            go.Scatter(
                x=when,
                y=trend[column].astype(float),
                name=names[column],
                yaxis="y2",
                mode="lines",
                line={"color": colour, "width": 2, "dash": "dot"},
                customdata=shown,
                hovertemplate=(
                    f"%{{customdata}}<br>{text(names[column])}: %{{y:.1%}}<extra></extra>"
                ),
            )
        )
    figure.update_layout(
        **_LAYOUT,
        title=_title(title),
        yaxis={
            "title": {"text": text(names["hhi"])},
            "tickformat": ",.0f",
            "rangemode": "tozero",
            "gridcolor": "#eeeeee",
        },
        yaxis2={
            "title": {"text": text(names["shares"])},
            "overlaying": "y",
            "side": "right",
            "range": [0, 1],
            "tickformat": ".0%",
            "showgrid": False,
            "tickmode": "linear",
            "tick0": 0,
            "dtick": 0.2,
        },
    )
    figure.update_xaxes(type="date", title_text=text(names["x"]), showgrid=False)
    if grain == "month":
        figure.update_xaxes(tickformat="%Y-%m")
    else:  # plotly has no quarter date format: name each quarter, thinned to about 12 ticks
        step = max(1, -(-len(shown) // 12))
        figure.update_xaxes(
            tickmode="array",
            tickvals=list(when[::step]),
            ticktext=[text(label) for label in short[::step]],
        )
    return figure
