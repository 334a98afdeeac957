"""Segments: the value-segment mix, the revenue bridge, the scorecard and its pyramid tiers."""

from __future__ import annotations

import streamlit as st

from ui.segments_cache import bridge, currency, mix, mix_area_chart, pyramid, share_chart, shift
from ui.segments_cache import trend as mix_trend
from ui.segments_scorecard import (
    render_pyramid,
    render_scorecard,
    render_versus,
    render_weights,
    render_weights_note,
)
from ui.segments_view import (
    CHART_CONFIG,
    names,
    render_bridge,
    render_table,
    render_tiles,
    summary_table,
    txt,
    window_text,
)
from ui.state import language, period, stop_without_data

st.title(txt("title"))
chosen = period()
stop_without_data(txt("empty"))

moved = shift(chosen)
if moved.current is None:
    st.info(txt("empty_period"))
    st.stop()

lang, money_code = language(), currency(chosen)
segments = mix(chosen)
st.caption(
    txt(
        "caption",
        span=window_text(moved.current),
        currency=money_code or txt("no_currency"),
    )
)
st.caption(
    txt("compare_note", prior=window_text(moved.prior), last_year=window_text(moved.last_year))
)
render_tiles(segments, moved, lang, money_code)
if "unassigned" in set(segments["segment"]):
    st.info(txt("unassigned_note"), icon=":material/label_off:")
shown, config = summary_table(segments, moved, money_code)
with st.expander(txt("summary_table"), icon=":material/table:"):
    render_table(shown, config, "segment-mix.csv", "seg_csv_mix")

# The mix over time, and revenue against profit share in the period.
st.divider()
st.subheader(txt("mix_title"))
left, right = st.columns(2)
with left:
    pick_grain, pick_value = st.columns(2)
    grains = {grain: txt(f"grain_{grain}") for grain in ("month", "quarter")}
    grain = pick_grain.segmented_control(
        txt("grain"),
        list(grains),
        format_func=grains.__getitem__,
        default="month",
        required=True,
        key="seg_grain",
    )
    values = {"revenue_share": txt("value_share"), "net_revenue": txt("value_revenue")}
    value = pick_value.segmented_control(
        txt("value"),
        list(values),
        format_func=values.__getitem__,
        default="revenue_share",
        required=True,
        key="seg_value",
    )
    st.plotly_chart(
        mix_area_chart(
            mix_trend(grain or "month"),
            txt(f"mix_area_title_{value}_{grain}"),
            names(),
            value or "revenue_share",
        ),
        config=CHART_CONFIG,
        key="seg_mix_area",
    )
    st.caption(txt("mix_area_note"))
with right:
    st.plotly_chart(
        share_chart(segments, txt("share_title"), names()),
        config=CHART_CONFIG,
        key="seg_share_bars",
    )
    st.caption(txt("share_note"))

# Where the change in revenue came from.
st.divider()
st.subheader(txt("bridge_heading"))
revenue_bridge = bridge(chosen)
if revenue_bridge is None:
    st.info(txt("bridge_none"))
else:
    render_bridge(revenue_bridge, money_code)

# The value scorecard: weights, tiers and their migration, every account's score.
st.divider()
st.subheader(txt("scorecard_title"))
st.caption(txt("scorecard_intro"))
weights = render_weights()
scored = pyramid(chosen, weights)
if scored.card.table.empty:
    st.info(txt("scorecard_none"))
    st.stop()
render_weights_note(scored.card)
render_pyramid(scored, money_code, window_text(scored.card.compared_to))
render_scorecard(scored)

st.divider()
render_versus(scored.versus)
