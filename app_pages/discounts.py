"""Discounts: how much price the portfolio gives away, where it creeps, and what it buys."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.discounts_creep import months_before
from ui.discounts_cache import (
    account_chart,
    account_months,
    alerts,
    band_chart,
    currency,
    kpis,
    scatter_chart,
    segment_chart,
    tables,
    waterfall,
    waterfall_chart,
)
from ui.discounts_view import (
    account_options,
    corridor_table,
    creep_table,
    render_alerts,
    render_table,
    render_tiles,
    segment_name,
    txt,
    window_text,
)
from ui.format import escape_markdown, month_span
from ui.scope import basis
from ui.state import language, period, settings, stop_without_data, tr

CHART_CONFIG = {"displaylogo": False}
STEPS = ("list", "on_invoice_discount", "invoice", "off_invoice", "pocket", "cost", "gross_profit")

st.title(txt("title"))
chosen = period()
stop_without_data(txt("empty"))

figures = kpis(chosen)
if figures.period is None or figures.current is None:
    st.info(txt("empty_period"))
    st.stop()
now = figures.current
if now.discount_rate is None:
    st.warning(txt("no_list_data"), icon=":material/price_change:")
    st.stop()

money_code = currency(chosen)
span = window_text(figures.period)
st.caption(txt("caption", span=span, currency=money_code or txt("no_currency")))
st.caption(
    txt(
        "compare_note" if basis() == "prior" else "compare_note_last_year",
        prior=window_text(figures.prior_period),
        last_year=window_text(figures.last_year_period),
    )
)
render_tiles(figures)
st.info(txt("coverage", coverage=now.coverage or 0.0), icon=":material/fact_check:")

data = tables(chosen)
creep: pd.DataFrame = data["creep"]  # type: ignore[assignment]
band: pd.DataFrame = data["band"]  # type: ignore[assignment]
accounts = account_options(band)

# What needs a look: each triggered rule with its evidence and accounts.
st.divider()
render_alerts(alerts(chosen), accounts, language(), money_code)

# The price waterfall for the portfolio, one segment or one account.
st.divider()
scopes = {name: txt(f"scope_{name}") for name in ("portfolio", "segment", "account")}
pick_scope, pick_unit = st.columns([1, 2])
scope = pick_scope.segmented_control(
    txt("scope"),
    list(scopes),
    format_func=scopes.__getitem__,
    default="portfolio",
    required=True,
    key="disc_scope",
)
segment = account = None
scope_label = txt("scope_all")
if scope == "segment":
    segments = sorted(band["segment"].dropna().unique())
    segment = pick_unit.selectbox(
        txt("pick_segment"), segments, format_func=segment_name, key="disc_segment"
    )
    scope_label = segment_name(segment)
elif scope == "account":
    account = pick_unit.selectbox(
        txt("pick_account"), list(accounts), format_func=accounts.get, key="disc_account"
    )
    scope_label = accounts.get(account or "", "")
bars = waterfall(chosen, account=account, segment=segment)
if bars.rows:
    st.plotly_chart(
        waterfall_chart(
            bars,
            txt("waterfall_title", scope=scope_label),
            {step: tr(f"discounts.waterfall.{step}") for step in STEPS},
        ),
        config=CHART_CONFIG,
        key="disc_waterfall",
    )
    st.caption(txt("waterfall_rows", rows=f"{bars.rows:,}"))
else:
    st.info(txt("waterfall_empty"))

# Creep: the table, then the scatter of discount change against revenue change.
st.divider()
st.subheader(txt("creep_title"))
end_month = data["end_month"]
if end_month is not None:
    last = month_span({months_before(end_month, 2).strftime("%Y-%m"), end_month.strftime("%Y-%m")})
else:
    last = "–"
threshold = settings().discounts.creep_points
st.caption(escape_markdown(txt("creep_intro", last=last, threshold=threshold)))
if creep.empty or creep["points"].isna().all():
    st.info(txt("creep_none"))
else:
    shown, config = creep_table(creep)
    render_table(shown, config, "discount-creep.csv", "disc_csv_creep")
    flagged = set(creep.loc[creep["buys_nothing"], "account"].astype(str))
    clicked = st.plotly_chart(
        scatter_chart(
            creep.drop(columns=["rates"], errors="ignore"),
            txt("scatter_title"),
            {
                "x": txt("scatter_x"),
                "y": txt("scatter_y"),
                **{key: txt(key) for key in ("q_up_up", "q_up_down", "q_down_up", "q_down_down")},
                "flagged": txt("scatter_flagged"),
                "other": txt("scatter_other"),
            },
            flagged,
        ),
        config=CHART_CONFIG,
        key="disc_scatter",
        on_select="rerun",
        selection_mode="points",
    )
    st.caption(txt("scatter_click"))
    points = clicked.selection.points if clicked else []
    chosen_point = (
        str(points[0]["customdata"][1]) if points and points[0].get("customdata") else None
    )
    if chosen_point and chosen_point != st.session_state.get("disc_scatter_opened"):
        # A newly clicked account opens in the drill-down below (its widget is not drawn yet);
        # a selection that stays put must not undo a later pick in the select box.
        st.session_state["disc_drill"] = st.session_state["disc_scatter_opened"] = chosen_point

# The rate by segment over time, and where the pocket price sits.
st.divider()
left, right = st.columns(2)
trend: pd.DataFrame = data["trend"]  # type: ignore[assignment]
left.plotly_chart(
    segment_chart(
        trend,
        txt("trend_title"),
        {"x": txt("trend_x"), "y": txt("trend_y"), "portfolio": txt("trend_portfolio")},
        {value: segment_name(value) for value in trend["segment"].dropna().unique()},
    ),
    config=CHART_CONFIG,
    key="disc_trend",
)
with right:
    unit = f" ({money_code})" if money_code else ""
    st.plotly_chart(
        band_chart(
            band,
            txt("band_title"),
            {"x": txt("band_x"), "y": txt("band_y") + unit},
        ),
        config=CHART_CONFIG,
        key="disc_band",
    )
    ordered = band.sort_values("pocket_ratio")
    weights = ordered["net_revenue"].clip(lower=0).cumsum()
    if len(ordered) and weights.iloc[-1] > 0:
        share = weights / weights.iloc[-1]

        def at(q: float) -> float:
            return float(ordered["pocket_ratio"].to_numpy()[(share >= q).to_numpy().argmax()])

        st.caption(txt("band_note", median=at(0.5), low=at(0.1), high=at(0.9)))

# Corridor outliers.
st.divider()
st.subheader(txt("corridor_title"))
st.caption(txt("corridor_intro"))
outliers: pd.DataFrame = data["outliers"]  # type: ignore[assignment]
if outliers.empty:
    st.info(txt("corridor_none"))
else:
    shown, config = corridor_table(outliers, money_code)
    render_table(shown, config, "discount-corridor.csv", "disc_csv_corridor")

# Drill-down: one account's months.
st.divider()
st.subheader(txt("drill_title"))
picked_before = st.session_state.get("disc_drill")
options = list(
    dict.fromkeys(
        [
            *creep["account"].head(1).astype(str),
            *accounts,
            *([picked_before] if picked_before else []),
        ]
    )
)
if options:
    picked = st.selectbox(
        txt("drill_pick"), options, format_func=lambda key: accounts.get(key, key), key="disc_drill"
    )
    if picked is not None:
        monthly = account_months(chosen, picked)
        st.plotly_chart(
            account_chart(
                monthly,
                txt("drill_chart", name=accounts.get(picked, picked)),
                {
                    "x": txt("drill_x"),
                    "revenue": txt("drill_revenue") + unit,
                    "rate": txt("drill_rate"),
                },
            ),
            config=CHART_CONFIG,
            key="disc_drill_chart",
        )
