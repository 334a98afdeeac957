"""Key-people charts: the coverage heatmap (accounts × buying roles) and one account's
relationship map. DataFrame in, figure out.

Every title and label is passed in already translated; names are shown as text, never HTML.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from core.concentration_charts import text
from core.people import STANCE_ORDER, role_order

STANCE_COLOURS: Final[dict[str, str]] = {
    "none": "#f0f0f0",
    "detractor": "#e15759",
    "unknown": "#bab0ac",
    "neutral": "#edc948",
    "supporter": "#8cd17d",
    "champion": "#2e7d32",
}
"""Cell and marker colour per stance; 'none' is an empty role, 'unknown' a stance not given."""
_CODES: Final = tuple(STANCE_COLOURS)
"""Stance -> heatmap code, by position: 0 none … 5 champion."""
_LAYOUT: Final[dict[str, object]] = {
    "margin": {"l": 10, "r": 10, "t": 60, "b": 10},
    "plot_bgcolor": "white",
    "legend": {"orientation": "h", "y": -0.12, "yanchor": "top", "x": 0, "xanchor": "left"},
}


def _colourscale() -> list[list[object]]:
    """A stepped scale: each code 0…5 gets its stance's colour over its own band."""
    steps: list[list[object]] = []
    count = len(_CODES)
    for code, stance in enumerate(_CODES):
        colour = STANCE_COLOURS[stance]
        steps += [[code / count, colour], [(code + 1) / count, colour]]
    return steps


def coverage_heatmap_figure(
    cells: pd.DataFrame,
    title: str,
    roles: Mapping[str, str],
    stances: Mapping[str, str],
    labels: Mapping[str, str],
    recency_days: int,
) -> go.Figure:
    """Accounts (rows, in the order given) × buying roles, coloured by stance; each cell shows
    the days since its people were last contacted, marked '!' beyond `recency_days`.

    `cells` has the columns of core.people.role_coverage. `roles` and `stances` translate the
    codes (stances also 'none' and 'unknown'); `labels` has days, never, people, stance.
    """
    order = list(role_order())
    accounts = list(dict.fromkeys(cells["account_id"]))
    names = cells.drop_duplicates("account_id").set_index("account_id")["name"]
    grid = cells.set_index(["account_id", "buying_role"])
    index = pd.MultiIndex.from_product([accounts, order])
    grid = grid.reindex(index)
    stance = np.where(
        grid["people"].fillna(0).to_numpy() == 0,
        "none",
        grid["stance"].fillna("unknown").to_numpy(),
    )
    code = np.array([_CODES.index(s) + 0.5 for s in stance], dtype=float)
    days = grid["days"].to_numpy(dtype=float, na_value=np.nan)
    stale = ~(days <= recency_days)
    shown = np.where(
        stance == "none",
        "",
        np.where(
            np.isnan(days),
            labels["never"],
            [f"{d:.0f}{labels['days']}" for d in np.nan_to_num(days)],
        ),
    )
    shown = np.where((stance != "none") & stale, np.char.add(shown.astype(str), " !"), shown)
    people = np.array([text(v) if isinstance(v, str) else "–" for v in grid["names"]], dtype=object)
    stance_names = np.array([text(stances[s]) for s in stance], dtype=object)
    shape = (len(accounts), len(order))
    y = [f"{text(names[a])}  " for a in accounts]
    figure = go.Figure(
        go.Heatmap(
            z=code.reshape(shape).tolist(),
            x=[text(roles[r]) for r in order],
            y=y,
            zmin=0,
            zmax=len(_CODES),
            colorscale=_colourscale(),
            showscale=False,
            text=shown.reshape(shape).tolist(),
            texttemplate="%{text}",
            customdata=np.dstack([people.reshape(shape), stance_names.reshape(shape)]).tolist(),
            hovertemplate=(
                f"%{{y}} · %{{x}}<br>{labels['people']}: %{{customdata[0]}}<br>"
                f"{labels['stance']}: %{{customdata[1]}}<br>%{{text}}<extra></extra>"
            ),
            xgap=2,
            ygap=2,
        )
    )
    for stance_code in ("champion", "supporter", "neutral", "detractor", "unknown", "none"):
        figure.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="markers",
                marker={"size": 12, "color": STANCE_COLOURS[stance_code], "symbol": "square"},
                name=text(stances[stance_code]),
            )
        )
    figure.update_layout(
        _LAYOUT,
        title={"text": text(title), "x": 0, "xanchor": "left"},
        height=140 + 28 * len(accounts),
        xaxis={"side": "top", "showgrid": False},
        yaxis={"autorange": "reversed", "showgrid": False, "automargin": True},
        legend={"orientation": "h", "y": 0, "yanchor": "top", "x": 0},
    )
    return figure


def relationship_map_figure(
    contacts: pd.DataFrame,
    title: str,
    roles: Mapping[str, str],
    stances: Mapping[str, str],
    labels: Mapping[str, str],
) -> go.Figure:
    """One account's people: a column per buying role, a marker per person sized by influence
    and coloured by stance, the most influential on top.

    `contacts` has the columns of core.people.account_contacts; `labels` has influence, days,
    never and title.
    """
    order = list(role_order())
    frame = contacts.copy()
    frame["stance_code"] = frame["stance"].where(frame["stance"].isin(STANCE_ORDER), "unknown")
    frame = frame.sort_values(["influence", "contact_name"], ascending=[False, True])
    frame["slot"] = frame.groupby("buying_role").cumcount()
    frame["x"] = frame["buying_role"].map({r: i for i, r in enumerate(order)})
    figure = go.Figure()
    for stance_code in ("champion", "supporter", "neutral", "detractor", "unknown"):
        part = frame[frame["stance_code"] == stance_code]
        if part.empty:
            continue
        influence = part["influence"].fillna(1).to_numpy(dtype=float)
        days = [
            f"{d:.0f}{labels['days']}" if pd.notna(d) else labels["never"] for d in part["days"]
        ]
        titles = [text(v) if isinstance(v, str) else "" for v in part["title"]]
        figure.add_trace(
            go.Scatter(
                x=part["x"],
                y=-part["slot"],
                mode="markers+text",
                name=text(stances[stance_code]),
                text=[text(v) for v in part["contact_name"]],
                textposition="bottom center",
                marker={
                    "size": (14 + 9 * influence).tolist(),
                    "color": STANCE_COLOURS[stance_code],
                    "line": {"width": 1, "color": "#555555"},
                },
                customdata=np.column_stack([titles, influence, days]),
                hovertemplate=(
                    f"%{{text}}<br>{labels['title']}: %{{customdata[0]}}<br>"
                    f"{labels['influence']}: %{{customdata[1]:.0f}}<br>"
                    "%{customdata[2]}<extra></extra>"
                ),
            )
        )
    deepest = int(frame["slot"].max()) if not frame.empty else 0
    figure.update_layout(
        _LAYOUT,
        title={"text": text(title), "x": 0, "xanchor": "left"},
        height=260 + 90 * deepest,
        xaxis={
            "tickvals": list(range(len(order))),
            "ticktext": [text(roles[r]) for r in order],
            "range": [-0.6, len(order) - 0.4],
            "side": "top",
            "showgrid": True,
            "gridcolor": "#eeeeee",
            "zeroline": False,
        },
        yaxis={"visible": False, "range": [-deepest - 0.8, 0.6]},
    )
    return figure
