"""Account: one account's trend, products, scorecard, alerts, group, strategy and stored rows.

Open it from the picker, or with ?account=<id> in the URL; the URL follows the account shown,
so the link can be shared.
"""

from __future__ import annotations

import streamlit as st

from ui.account_cache import accounts, drilldown, products_chart, search, trend_chart
from ui.account_scores import render_card, render_tiers
from ui.account_view import (
    option_label,
    render_alerts,
    render_group,
    render_people,
    render_product_figures,
    render_profile,
    render_rows,
    render_strategy,
    render_tiles,
    txt,
)
from ui.format import escape_markdown, month_span
from ui.state import language, period, stop_without_data

CHART_CONFIG = {"displaylogo": False}
# Module strings would be drawn by Streamlit's magic, so these are explained in comments.
URL_KEY = "account"  # the URL parameter naming the account shown: its key, never its name
PICK_KEY = "account_pick"
SEEN_KEY = "account_url_seen"  # the URL value last applied to the picker, so a later pick wins

st.title(txt("title"))
chosen = period()
stop_without_data(txt("empty"))

listed = accounts(chosen)
labels = {
    str(key): option_label(str(key), name)
    for key, name in zip(listed["account"], listed["name"], strict=True)
}


requested = st.query_params.get(URL_KEY)
if requested in labels and st.session_state.get(SEEN_KEY) != requested:
    st.session_state[PICK_KEY] = requested
st.session_state[SEEN_KEY] = requested
if requested is not None and requested not in labels and st.session_state.get(PICK_KEY) is None:
    st.error(txt("unknown", account=escape_markdown(requested)), icon=":material/search_off:")

picked = st.selectbox(
    txt("pick"),
    list(labels),
    index=None if requested is not None and requested not in labels else 0,
    format_func=lambda key: labels.get(key, key),
    key=PICK_KEY,
    placeholder=txt("pick_placeholder"),
    accept_new_options=True,
    filter_mode="contains",
    help=txt("pick_help"),
)
if picked is None:
    st.stop()
account = picked
if picked not in labels:  # typed text: the best match by id or name, ignoring case and width
    found = search(chosen, picked)
    if found.empty:
        st.warning(txt("no_match", query=escape_markdown(picked)), icon=":material/search_off:")
        st.stop()
    account = str(found["account"].iloc[0])
    st.caption(
        escape_markdown(txt("search_note", query=picked, name=labels[account], count=len(found)))
    )
if st.query_params.get(URL_KEY) != account:
    st.query_params[URL_KEY] = account
    st.session_state[SEEN_KEY] = account

drill = drilldown(chosen, account)
if drill is None:
    st.error(txt("unknown", account=escape_markdown(account)), icon=":material/search_off:")
    st.stop()

lang = language()
profile = drill.profile
unit = f" ({profile.currency})" if profile.currency else ""
months = [f"{day:%Y-%m}" for day in drill.trend["month"]]
span = month_span(months)
render_profile(profile)
if profile.rows == 0:
    st.info(txt("no_rows", span=span), icon=":material/event_busy:")
render_tiles(drill.figures, drill.card, drill.trend, lang)

st.plotly_chart(
    trend_chart(
        drill.trend,
        txt("trend_title", span=span),
        {
            "x": txt("trend_x"),
            "revenue": txt("trend_revenue") + unit,
            "margin": txt("trend_margin"),
            "discount_rate": txt("trend_discount"),
            "concession": txt("trend_concession"),
        },
    ),
    config=CHART_CONFIG,
    key="account_trend",
)

st.divider()
st.subheader(txt("products_title"), anchor=False)
left, right = st.columns([3, 2])
with left:
    if drill.products.table.empty:
        st.info(txt("products_none"))
    else:
        st.plotly_chart(
            products_chart(
                drill.products.table,
                txt("products_chart", span=span),
                {"revenue": txt("trend_revenue") + unit, "unnamed": txt("unnamed_product")},
            ),
            config=CHART_CONFIG,
            key="account_products",
        )
with right:
    render_product_figures(drill.products)

st.divider()
st.subheader(txt("score_title"), anchor=False)
left, right = st.columns(2)
with left:
    render_card(drill.card)
with right:
    render_tiers(drill.tiers)

st.divider()
render_alerts(drill.alerts, drill.actions, lang)

st.divider()
left, right = st.columns(2)
with left:
    render_group(drill.group, account, lang)
with right:
    render_strategy(profile.segment, drill.segment, lang)

st.divider()
render_people(drill.people)

st.divider()
render_rows(drill.rows, account)
