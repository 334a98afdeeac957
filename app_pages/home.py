"""Landing page: the stored portfolio for the period, and where its data came from."""

from __future__ import annotations

import streamlit as st

from core.charts import revenue_by_month_figure
from ui.format import money, month_span, rate, tile_money
from ui.state import (
    has_data,
    language,
    period,
    portfolio_metrics,
    revenue_by_month,
    sources_summary,
    tr,
)

st.title(tr("home.title"))
chosen = period()
figures = portfolio_metrics(chosen) if has_data() else None

if figures is None or not figures.rows:
    st.info(tr("home.empty") if figures is None else tr("home.empty_period"))
    st.page_link("app_pages/data.py", label=tr("home.go_to_data"), icon=":material/upload_file:")
    st.stop()

st.caption(tr("home.period_caption", span=month_span(figures.months), months=len(figures.months)))
lang = language()
tiles = st.columns(5)
tiles[0].metric(tr("home.months"), f"{len(figures.months)}", border=True)
tiles[1].metric(
    tr("home.accounts"),
    f"{figures.accounts:,}",
    border=True,
    help=tr("home.accounts_help", negative=figures.negative_accounts),
)
tiles[2].metric(
    tr("home.net_revenue"),
    tile_money(figures.net_revenue, lang),
    border=True,
    help=tr("home.exact", value=money(figures.net_revenue)),
)
tiles[3].metric(
    tr("home.gross_profit"),
    tile_money(figures.gross_profit, lang),
    border=True,
    help=tr("home.exact", value=money(figures.gross_profit))
    if figures.gross_profit is not None
    else tr("home.no_cost_help"),
)
tiles[4].metric(
    tr("home.discount_rate"),
    rate(figures.discount_rate),
    border=True,
    help=tr("home.discount_rate_help"),
)
if figures.negative_accounts:
    st.caption(tr("home.negative_accounts", count=figures.negative_accounts))

st.plotly_chart(
    revenue_by_month_figure(
        revenue_by_month(chosen),
        tr("home.chart_title"),
        {
            "month": tr("home.month"),
            "net_revenue": tr("home.net_revenue"),
            "source": tr("home.source"),
        },
    ),
    config={"displaylogo": False},
)

st.subheader(tr("home.sources_title"))
sources = sources_summary()
st.dataframe(
    sources,
    hide_index=True,
    column_config={
        "source": st.column_config.TextColumn(tr("home.source")),
        "files": st.column_config.NumberColumn(tr("home.files"), format="%d"),
        "months": st.column_config.NumberColumn(tr("home.source_months"), format="%d"),
        "first_month": st.column_config.DateColumn(tr("home.first_month"), format="YYYY-MM"),
        "last_month": st.column_config.DateColumn(tr("home.last_month"), format="YYYY-MM"),
        "rows": st.column_config.NumberColumn(tr("home.rows"), format="%,d"),
        "net_revenue": st.column_config.NumberColumn(tr("home.net_revenue"), format="%,.0f"),
    },
)
st.caption(tr("home.sources_note"))
st.page_link("app_pages/data.py", label=tr("home.go_to_data"), icon=":material/upload_file:")
