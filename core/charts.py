"""Chart builders: a DataFrame in, a plotly figure out. No Streamlit here."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final

import numpy as np
import pandas as pd
import plotly.graph_objects as go

PALETTE: Final[tuple[str, ...]] = (
    "#1f4e79",
    "#f28e2b",
    "#59a14f",
    "#76b7b2",
    "#e15759",
    "#b07aa1",
    "#9c755f",
    "#edc948",
)
"""Series colours, in order: calm navy first, then distinct hues for further sources."""

REVENUE_LABELS: Final[dict[str, str]] = {
    "month": "Month",
    "net_revenue": "Net revenue",
    "source": "Source",
}
"""Default axis and legend titles; callers pass translated ones."""


def revenue_by_month_figure(
    frame: pd.DataFrame, title: str, labels: Mapping[str, str] | None = None
) -> go.Figure:
    """Net revenue per month as bars stacked by source.

    `frame` has one row per month and source with columns month, source and net_revenue (as
    `core.metrics.revenue_by_month` returns it); `labels` names the month, net_revenue and
    source axes.
    """
    names = {**REVENUE_LABELS, **(labels or {})}
    figure = go.Figure()
    sources = sorted(frame["source"].dropna().unique()) if not frame.empty else []
    for position, source in enumerate(sources):
        part = frame[frame["source"] == source].sort_values("month")
        figure.add_trace(
            go.Bar(
                x=pd.to_datetime(part["month"]),
                y=part["net_revenue"],
                name=str(source),
                marker_color=PALETTE[position % len(PALETTE)],
                hovertemplate=(
                    f"{names['source']}: {_escape(source)}<br>"
                    f"{names['month']}: %{{x|%Y-%m}}<br>"
                    f"{names['net_revenue']}: %{{y:,.0f}}<extra></extra>"
                ),
            )
        )
    figure.update_layout(
        title={"text": title, "x": 0, "xanchor": "left"},
        barmode="relative",
        bargap=0.15,
        showlegend=len(sources) > 1,
        legend={
            "title": {"text": names["source"]},
            "orientation": "h",
            "y": 1.02,
            "yanchor": "bottom",
            "x": 1,
            "xanchor": "right",
        },
        margin={"l": 10, "r": 10, "t": 60, "b": 10},
        hovermode="closest",
    )
    months = frame["month"].nunique() if "month" in frame else 0
    figure.update_xaxes(
        title_text=names["month"],
        tickformat="%Y-%m",
        dtick="M1" if months <= 12 else "M3",
        showgrid=False,
    )
    figure.update_yaxes(title_text=names["net_revenue"], tickformat="~s", zeroline=True)
    return figure


def _escape(text: object) -> str:
    """Plotly hover text is HTML; a source name must show as text."""
    return (
        str(text)
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("%", "&#37;")
        .replace("{", "&#123;")
        .replace("}", "&#125;")
    )


CURVE_POINTS: Final = 1500
"""Most points a curve over accounts sends to the browser: more than a chart's pixels across.
With 20,000 accounts the full curves made the Concentration page 4.9 MB of chart data."""


def thinned(count: int, keep: Sequence[int] = (), most: int = CURVE_POINTS) -> np.ndarray:
    """Positions 0..count-1 to draw of a curve: all when few, else `most` evenly spaced ones
    plus the first, the last and every position in `keep` (a peak, a marked point)."""
    if count <= most:
        return np.arange(count)
    spaced = np.linspace(0, count - 1, most).round().astype(np.int64)
    extra = np.asarray([k for k in keep if 0 <= k < count], dtype=np.int64)
    return np.unique(np.concatenate([spaced, extra]))


def nice_step(span: float, bins: int) -> float:
    """A round bin width (1, 2, 2.5 or 5 times a power of ten) giving at most about `bins`."""
    if not np.isfinite(span) or span <= 0:
        return 0.01
    raw = span / bins
    power = 10.0 ** np.floor(np.log10(raw))
    return float(next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw))
