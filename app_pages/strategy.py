"""Strategy: one card per value segment, ready to screen-share in a QBR."""

from __future__ import annotations

import streamlit as st

from ui.format import month_span
from ui.state import language, period, stop_without_data
from ui.strategy_cache import cards, currency
from ui.strategy_view import render_card, txt

st.title(txt("title"))
chosen = period()
stop_without_data(txt("empty"))

segment_cards = cards(chosen)
if all(card.figures is None for card in segment_cards):
    st.info(txt("empty_period"))
    st.stop()

lang, money_code = language(), currency(chosen)
span = month_span(
    {month.strftime("%Y-%m") for month in (chosen.start, chosen.end) if month is not None}
)
st.caption(txt("caption", span=span, currency=money_code or txt("no_currency")))
st.caption(txt("intro"))

# Labels are looked up now, in the page's language, not when format_func runs.
names = {"all": txt("show_all")}
names |= {card.segment: card.playbook(lang).name for card in segment_cards}
shown = st.segmented_control(
    txt("show"),
    list(names),
    format_func=names.__getitem__,
    default="all",
    required=True,
    key="strategy_show",
)
for card in segment_cards:
    if shown in ("all", card.segment):
        render_card(card, lang, money_code)
