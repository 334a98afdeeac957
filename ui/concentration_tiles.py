"""The Concentration page's metric tiles, each with its change against the prior period and
against the same period last year."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

from core.concentration import ConcentrationSummary
from core.i18n import Language
from ui.concentration_view import amount, txt
from ui.format import escape_markdown, money
from ui.scope import ordered
from ui.state import tr
from ui.tiles import coloured_change, unchanged

Change = Callable[[ConcentrationSummary], str | None]
"""The change from an earlier period's summary to now, as shown; None when it has no value."""


@dataclass(frozen=True)
class Tile:
    """One figure as a tile."""

    label: str
    """The figure's name, the metric's label."""
    value: str
    """Its value now, as shown."""
    change: Change
    """Its change against an earlier summary."""
    caption: str
    """One line of context under the changes."""
    worse_when_up: bool
    """Whether a rise means more concentration (or less revenue) and shows red."""
    help_text: str | None = None
    """The metric's tooltip."""


def _pp(now: float | None, then: float | None) -> str | None:
    return None if now is None or then is None else f"{(now - then) * 100:+.1f} pp"


def _plain(now: float | None, then: float | None, digits: int = 0) -> str | None:
    return None if now is None or then is None else f"{now - then:+,.{digits}f}"


def _growth(now: float, then: float) -> str | None:
    return f"{now / then - 1:+.1%}" if then > 0 else None


def usable(summary: ConcentrationSummary | None) -> ConcentrationSummary | None:
    """The comparison summary, or None when its period had no positive unit to compare with."""
    return summary if summary is not None and summary.n else None


def tiles(now: ConcentrationSummary, lang: Language, currency: str | None) -> list[Tile]:
    """The eight figures, in display order."""
    unit = txt(f"unit_{now.by}")
    band = tr(f"concentration.band.{now.hhi_band}") if now.hhi_band else "–"
    pct = "{:.1%}".format
    return [
        Tile(
            txt("top5"),
            pct(now.top5_share) if now.top5_share is not None else "–",
            lambda old: _pp(now.top5_share, old.top5_share),
            txt("top5_caption", n=now.n, unit=unit),
            worse_when_up=True,
        ),
        Tile(
            txt("top20"),
            pct(now.top20pct_share) if now.top20pct_share is not None else "–",
            lambda old: _pp(now.top20pct_share, old.top20pct_share),
            txt("top20_caption", count=now.top20pct_n, unit=unit),
            worse_when_up=True,
        ),
        Tile(
            txt("pareto"),
            f"{now.pareto_k} / {now.n}" if now.pareto_k is not None else "–",
            lambda old: _plain(now.pareto_k, old.pareto_k),
            txt("pareto_caption", k=now.pareto_k or 0, unit=unit, share=now.pareto_share or 0.0),
            worse_when_up=False,
            help_text=txt("pareto_help"),
        ),
        Tile(
            txt("hhi"),
            f"{now.hhi:,.0f}" if now.hhi is not None else "–",
            lambda old: _plain(now.hhi, old.hhi),
            txt("hhi_caption", band=band),
            worse_when_up=True,
            help_text=tr("concentration.band.analogy"),
        ),
        Tile(
            txt("effective"),
            f"{now.effective_accounts:,.1f}" if now.effective_accounts is not None else "–",
            lambda old: _plain(now.effective_accounts, old.effective_accounts, 1),
            txt("effective_caption", unit=txt(f"noun_{now.by}")),
            worse_when_up=False,
        ),
        Tile(
            txt("gini"),
            f"{now.gini:.3f}" if now.gini is not None else "–",
            lambda old: _plain(now.gini, old.gini, 3),
            txt("gini_caption"),
            worse_when_up=True,
        ),
        Tile(
            txt("nonpositive"),
            f"{now.accounts_nonpositive:,}",
            lambda old: _plain(now.accounts_nonpositive, old.accounts_nonpositive),
            txt("nonpositive_caption", amount=amount(now.nonpositive_revenue, lang, currency)),
            worse_when_up=True,
        ),
        Tile(
            txt("net_revenue"),
            amount(now.net_revenue, lang, currency),
            lambda old: _growth(now.net_revenue, old.net_revenue),
            txt("net_revenue_caption", profit=amount(now.gross_profit, lang, currency))
            if now.gross_profit is not None
            else txt("no_cost"),
            worse_when_up=False,
            help_text=txt("exact", value=money(now.net_revenue, currency)),
        ),
    ]


def change_line(tile: Tile, then: ConcentrationSummary | None, against: str) -> str:
    """'vs same period last year: ↑ +3.2 pp' in red, green or grey markdown, or 'no comparison'."""
    change = tile.change(then) if then is not None else None
    if change is None:
        return txt("change_none", against=against)
    return txt("change_line", against=against, change=coloured_change(change, tile.worse_when_up))


def render_tiles(
    now: ConcentrationSummary,
    prior: ConcentrationSummary | None,
    last_year: ConcentrationSummary | None,
    lang: Language,
    currency: str | None,
) -> None:
    """Two rows of four tiles: the metric's delta is against the sidebar's comparison basis
    (prior period or same period last year), the line below it against the other; a window
    stored history does not cover says so."""
    (first, first_basis), (second, second_basis) = ordered(usable(prior), usable(last_year))
    against, then_against = txt(f"vs_{first_basis}"), txt(f"vs_{second_basis}")
    columns = [*st.columns(4), *st.columns(4)]
    for column, tile in zip(columns, tiles(now, lang, currency), strict=True):
        delta = tile.change(first) if first is not None else None
        flat = delta is not None and unchanged(delta)
        with column.container(border=True, height="stretch"):
            st.metric(
                tile.label,
                tile.value,
                delta,
                delta_color="off" if flat else "inverse" if tile.worse_when_up else "normal",
                delta_arrow="off" if flat else "auto",
                help=tile.help_text,
                delta_description=against if delta is not None else None,
            )
            if delta is None:
                st.caption(txt("change_none", against=against))
            st.caption(change_line(tile, second, then_against))
            st.caption(escape_markdown(tile.caption))
