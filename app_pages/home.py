"""Overview (landing page): KPI tiles, the revenue bridge, the ranked alerts and the five-mistakes
check for the period."""

from __future__ import annotations

import streamlit as st

from core.segments_charts import chart_names
from ui.format import month_span
from ui.overview_cache import bridge_chart, currency, landing
from ui.overview_view import (
    months_in,
    render_alerts,
    render_glance,
    render_kpis,
    render_mistakes,
    txt,
    window_text,
)
from ui.scope import basis
from ui.state import (
    language,
    period,
    sources_summary,
    stop_without_data,
    stored_months,
    tr,
)

CHART_CONFIG = {"displaylogo": False}

st.title(tr("home.title"))
chosen = period()
stop_without_data(tr("home.empty"))

view = landing(chosen)
if view.period is None:
    st.info(tr("home.empty_period"))
    st.page_link("app_pages/data.py", label=tr("home.go_to_data"), icon=":material/upload_file:")
    st.stop()

lang, money_code = language(), currency(chosen)
span = window_text(view.period)
compared = view.prior_period is not None or view.last_year_period is not None
st.caption(
    txt(
        "caption" if compared else "caption_alone",
        span=span,
        months=months_in(view.period),
        prior=window_text(view.prior_period),
        last_year=window_text(view.last_year_period),
    )
)
render_kpis(view, lang, money_code, basis())

left, right = st.columns([5, 4])
with left:
    if view.bridge is None:
        st.info(txt("bridge_none"), icon=":material/info:")
    else:
        title = txt("bridge_title", prior=window_text(view.prior_period), current=span)
        st.plotly_chart(
            bridge_chart(view.bridge, title, chart_names(lang)),
            config=CHART_CONFIG,
            key="overview_bridge",
        )
        st.caption(
            txt(
                "bridge_caption",
                new=view.bridge.new_accounts,
                expanded=view.bridge.expanded_accounts,
                contracted=view.bridge.contracted_accounts,
                lost=view.bridge.lost_accounts,
            )
        )
with right:
    render_glance(view)

render_alerts(view, lang, money_code)
render_mistakes(view, lang, money_code)

sources = sources_summary()
st.divider()
st.caption(
    txt(
        "data_caption",
        sources=", ".join(sources["source"].astype(str)) if not sources.empty else "–",
        months=month_span(stored_months()),
    )
)
st.page_link("app_pages/data.py", label=tr("home.go_to_data"), icon=":material/upload_file:")
