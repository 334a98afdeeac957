"""One strategy card per value segment, laid out for a screen-shared QBR: figures, then actions."""

from __future__ import annotations

from typing import Final

import streamlit as st

from core.i18n import Language
from core.strategy import SegmentFigures, StrategyCard, TriggeredAction
from ui.alerts import BOXES_AT_MOST, overflow_table
from ui.format import escape_markdown, rate, tile_money
from ui.state import tr

P = "strategy_page"
"""Prefix of this page's UI-text keys."""
SHOWN_ACTIONS: Final = 4
"""Triggered actions shown on the card; the rest wait in an expander."""


def txt(key: str, **params: object) -> str:
    """This page's UI text for key."""
    return tr(f"{P}.{key}", **params)


def _signed(value: float | None) -> str:
    return "–" if value is None else f"{value:+.1%}"


def render_figures(figures: SegmentFigures, lang: Language, currency: str | None) -> None:
    """The segment's live figures as five large tiles."""
    unit = f" ({currency})" if currency else ""
    revenue, margin, discount, growth, accounts = st.columns(5)
    revenue.metric(
        txt("revenue") + unit,
        tile_money(figures.net_revenue, lang),
        help=txt("revenue_help"),
    )
    revenue.caption(txt("revenue_share", share=rate(figures.revenue_share)))
    margin.metric(txt("margin"), rate(figures.margin), help=txt("margin_help"))
    discount.metric(txt("discount"), rate(figures.discount_rate), help=txt("discount_help"))
    discount.caption(txt("concession", degree=rate(figures.concession_degree)))
    growth.metric(txt("growth"), _signed(figures.growth), help=txt("growth_help"))
    if figures.growth is None:
        growth.caption(txt("growth_none"))
    accounts.metric(txt("accounts"), f"{figures.accounts:,}", help=txt("accounts_help"))


def render_top_accounts(figures: SegmentFigures, lang: Language) -> None:
    """The segment's largest accounts with their share of it, as plain text."""
    st.markdown(f"**{txt('top_accounts')}**")
    if not figures.top_accounts:
        st.caption(txt("top_none"))
        return
    lines = [
        f"{position}. {escape_markdown(top.name)} — {tile_money(top.net_revenue, lang)}"
        + (f" ({rate(top.share)})" if top.share is not None else "")
        for position, top in enumerate(figures.top_accounts, start=1)
    ]
    st.markdown("\n".join(lines))


def _render_action(action: TriggeredAction, lang: Language) -> None:
    box = st.error if action.severity == "act" else st.warning
    label = txt(f"severity.{action.severity}")
    box(
        f"**{label}** — {escape_markdown(action.text(lang))}",
        icon=":material/priority_high:" if action.severity == "act" else ":material/visibility:",
    )


def render_actions(actions: list[TriggeredAction], lang: Language) -> None:
    """The actions the segment's alerts call for, 'act' first; the rest in an expander."""
    st.markdown(f"**{txt('triggered', count=len(actions))}**")
    if not actions:
        st.success(txt("triggered_none"), icon=":material/check_circle:")
        return
    for action in actions[:SHOWN_ACTIONS]:
        _render_action(action, lang)
    rest = actions[SHOWN_ACTIONS:]
    if rest:
        with st.expander(txt("more_actions", count=len(rest))):
            for action in rest[:BOXES_AT_MOST]:
                _render_action(action, lang)
            if len(rest) > BOXES_AT_MOST:
                overflow_table(
                    [
                        (txt(f"severity.{action.severity}"), action.text(lang))
                        for action in rest[BOXES_AT_MOST:]
                    ],
                    f"strategy-actions-{rest[0].segment}",
                )


def render_card(card: StrategyCard, lang: Language, currency: str | None) -> None:
    """A bordered card: the segment's name and what it values, its figures, then the playbook
    and the triggered actions."""
    book = card.playbook(lang)
    with st.container(border=True, key=f"strategy_card_{card.segment}"):
        st.header(escape_markdown(book.name), anchor=f"strategy-{card.segment}")
        st.markdown(f"*{escape_markdown(book.value)}*")
        if card.figures is None:
            st.info(txt("no_accounts"), icon=":material/info:")
        else:
            render_figures(card.figures, lang, currency)
        left, middle, right = st.columns(3, gap="large")
        with left:
            if card.figures is not None:
                render_top_accounts(card.figures, lang)
            st.markdown(f"**{txt('watch')}**")
            st.markdown("\n".join(f"- {escape_markdown(item)}" for item in book.watch))
        with middle:
            st.markdown(f"**{txt('playbook')}**")
            st.markdown("\n".join(f"- {escape_markdown(item)}" for item in book.actions))
        with right:
            render_actions(card.actions, lang)
