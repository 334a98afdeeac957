"""Concentration: how dependent the portfolio is on a few accounts, and whether it is worsening."""

from __future__ import annotations

import streamlit as st

from ui.concentration_cache import (
    currency,
    lorenz_chart,
    pareto_chart,
    report,
    trend,
    trend_chart,
    whale_chart,
)
from ui.concentration_tiles import render_tiles
from ui.concentration_view import (
    render_alerts,
    render_group_members,
    render_stress,
    render_table,
    txt,
    whale_note,
    window_text,
)
from ui.scope import basis
from ui.state import language, period, stop_without_data

CHART_CONFIG = {"displaylogo": False}

st.title(txt("title"))
chosen = period()
stop_without_data(txt("empty"))

lang = language()
controls = st.columns([1, 2])
# Option labels are looked up here, in the page's language, not when format_func runs.
levels = {level: txt(f"by_{level}") for level in ("account", "group")}
by = controls[0].segmented_control(
    txt("by"),
    list(levels),
    format_func=levels.__getitem__,
    default="account",
    required=True,
    key="conc_by",
    help=txt("by_help"),
)
figures = report(chosen, by)
if figures.period is None or not figures.summary.n:
    st.info(txt("empty_period"))
    st.stop()

money_code = currency(chosen)
unit, noun = txt(f"unit_{by}"), txt(f"noun_{by}")
span = window_text(figures.period)
st.caption(
    txt(
        "caption",
        span=span,
        n=figures.summary.n,
        unit=unit,
        currency=money_code or txt("no_currency"),
    )
)
controls[1].caption(
    txt(
        "compare_note" if basis() == "prior" else "compare_note_last_year",
        prior=window_text(figures.prior_period),
        last_year=window_text(figures.last_year_period),
    )
)
render_tiles(figures.summary, figures.prior, figures.last_year, lang, money_code)

names = {
    **dict(zip(figures.accounts["key"].astype(str), figures.accounts["name"], strict=True)),
    **dict(zip(figures.groups["key"].astype(str), figures.groups["name"], strict=True)),
}
render_alerts(figures.alerts, names, lang, money_code)

units = figures.groups if by == "group" else figures.accounts
k = figures.summary.pareto_k
pareto_labels = {
    "rank": txt("rank"),
    "revenue": txt("revenue") + (f" ({money_code})" if money_code else ""),
    "cum_share": txt("cum_share"),
    "share": txt("share"),
    "line": txt("line_80"),
}
left, right = st.columns(2)
left.plotly_chart(
    pareto_chart(
        units,
        k,
        txt("pareto_title", unit=noun),
        txt("pareto_marker", k=k, unit=unit),
        pareto_labels,
    ),
    config=CHART_CONFIG,
    key="conc_pareto",
)
if k:
    left.caption(
        txt(
            "pareto_note",
            k=k,
            unit=unit,
            n=figures.summary.n,
            share=figures.summary.pareto_share or 0.0,
        )
    )
with right:
    whale = figures.whale
    if whale is None or whale.peak is None:
        st.info(txt("whale_none") if whale is None else txt("whale_no_profit"))
    else:
        st.plotly_chart(
            whale_chart(
                figures.whale_curve,
                txt("whale_title"),
                txt("whale_peak", peak=whale.peak),
                {
                    "x": txt("whale_x", unit=noun),
                    "y": txt("whale_y"),
                    "curve": txt("whale_curve"),
                    "full": txt("whale_full"),
                    "peak": txt("whale_peak_name"),
                    "profit": txt("col.gross_profit"),
                },
            ),
            config=CHART_CONFIG,
            key="conc_whale",
        )
        st.caption(whale_note(whale, unit, lang, money_code))

left, right = st.columns(2)
left.plotly_chart(
    lorenz_chart(
        figures.lorenz,
        txt("lorenz_title", gini=figures.summary.gini or 0.0),
        {
            "x": txt("lorenz_x", unit=noun),
            "y": txt("lorenz_y"),
            "curve": txt("lorenz_curve"),
            "equality": txt("lorenz_equality"),
        },
    ),
    config=CHART_CONFIG,
    key="conc_lorenz",
)
with right:
    grains = {name: txt(f"grain_{name}") for name in ("month", "quarter")}
    grain = st.segmented_control(
        txt("grain"),
        list(grains),
        format_func=grains.__getitem__,
        default="month",
        required=True,
        key="conc_grain",
    )
    st.plotly_chart(
        trend_chart(
            trend(chosen, by, grain),
            txt(f"trend_title_{grain}"),
            {
                "x": txt(f"trend_x_{grain}"),
                "hhi": txt("hhi"),
                "shares": txt("trend_shares"),
                "top5_share": txt("top5"),
                "top20pct_share": txt("top20"),
                "quarter": txt("trend_quarter"),
                "partial": txt("trend_partial"),
            },
            grain,
        ),
        config=CHART_CONFIG,
        key="conc_trend",
    )

st.divider()
render_stress(figures, lang, money_code)

st.divider()
st.subheader(txt("tables_title"))
flagged = {group.group for group in figures.summary.groups_over_10pct}
tab_groups, tab_accounts = st.tabs([txt("tab_groups"), txt("tab_accounts")])
with tab_groups:
    st.caption(txt("groups_note"))
    render_table(
        figures.groups, money_code, "concentration-groups.csv", "conc_csv_groups", flagged=flagged
    )
    st.markdown(f"**{txt('members_title')}**")
    render_group_members(figures, money_code)
with tab_accounts:
    render_table(figures.accounts, money_code, "concentration-accounts.csv", "conc_csv_accounts")
