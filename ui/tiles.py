"""Metric tiles with their changes against earlier periods, coloured by whether the change is
good news (green) or bad (red), whichever way the figure moved."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st


def unchanged(change: str) -> bool:
    """Whether a shown change rounds to zero, e.g. '+0.0 pp' or '-0'."""
    return change.lstrip("+-").strip("0.,% p") == ""


def coloured_change(change: str, worse_when_up: bool) -> str:
    """A shown change as markdown: ':green[↑ +3.2 pp]' when good, red when bad, grey when 0."""
    if unchanged(change):
        return f":gray[{change}]"
    up = not change.startswith("-")
    colour = "red" if up == worse_when_up else "green"
    return f":{colour}[{'↑' if up else '↓'} {change}]"


@dataclass(frozen=True)
class TileView:
    """One tile as shown: every text already in the UI language."""

    label: str
    value: str
    delta: str | None
    """The change against the first comparison (the metric's delta); None: no comparison."""
    delta_description: str
    """What the delta compares with, e.g. 'vs prior period'."""
    worse_when_up: bool
    """Whether a rise is bad news (concentration, discount) and shows red."""
    lines: tuple[str, ...] = ()
    """Markdown captions under the metric, e.g. the change against last year."""
    help_text: str | None = None


def render_tile(tile: TileView, no_delta: str) -> None:
    """One bordered tile: the metric with its coloured delta, then its caption lines.

    `no_delta` is the caption (markdown) shown instead of the delta when there is no
    comparison.
    """
    flat = tile.delta is not None and unchanged(tile.delta)
    with st.container(border=True, height="stretch"):
        st.metric(
            tile.label,
            tile.value,
            tile.delta,
            delta_color="off" if flat else "inverse" if tile.worse_when_up else "normal",
            delta_arrow="off" if flat else "auto",
            help=tile.help_text,
            delta_description=tile.delta_description if tile.delta is not None else None,
        )
        if tile.delta is None:
            st.caption(no_delta)
        for line in tile.lines:
            st.caption(line)


def render_tile_rows(tiles: list[TileView], no_delta: str, per_row: int = 4) -> None:
    """Tiles in rows of `per_row`, in order."""
    for start in range(0, len(tiles), per_row):
        columns = st.columns(per_row)
        for column, tile in zip(columns, tiles[start : start + per_row], strict=False):
            with column:
                render_tile(tile, no_delta)
