"""The Account page's scorecard section: the account's contributions and its tier history."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.account_charts import quarter_label
from core.account_scorecard import AccountCard
from core.scorecard_sql import TIERS
from ui.account_cache import contributions_chart, tiers_chart
from ui.account_view import tier_name, txt
from ui.state import tr

CHART_CONFIG = {"displaylogo": False}


def render_card(card: AccountCard | None) -> None:
    """Each indicator's points against its weight, and what moved the score."""
    if card is None:
        st.info(txt("score_none"))
        return
    names = {
        **{code: tr(f"segments.indicator.{code}") for code in card.contributions["indicator"]},
        "weight": txt("weight"),
        "points": txt("points"),
    }
    st.plotly_chart(
        contributions_chart(
            card.contributions,
            txt("score_chart", score=card.score, rank=card.rank, n=card.n),
            names,
        ),
        config=CHART_CONFIG,
        key="account_score",
    )
    if card.prior_score is not None and card.driver is not None:
        st.caption(
            txt(
                "score_change",
                change=card.score_change or 0.0,
                tier=tier_name(card.prior_tier),
                driver=tr(f"segments.indicator.{card.driver}"),
            )
        )


def render_tiers(tiers: pd.DataFrame) -> None:
    """The account's tier per quarter, and how each quarter was scored."""
    if tiers.empty:
        st.info(txt("tiers_none"))
        return
    words = {
        "score": txt("score"),
        "quarter": txt("quarter"),
        "partial": txt("quarter_partial"),
        "unscored": txt("unscored"),
    }
    st.plotly_chart(
        tiers_chart(tiers, txt("tiers_chart"), {code: tier_name(code) for code in TIERS}, words),
        config=CHART_CONFIG,
        key="account_tiers",
    )
    first, last = tiers.iloc[0], tiers.iloc[-1]
    st.caption(
        txt(
            "tiers_caption",
            first=quarter_label(first["quarter"], int(first["months"]), words),
            last=quarter_label(last["quarter"], int(last["months"]), words),
        )
    )
