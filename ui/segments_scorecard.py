"""The Segments page's scorecard part: weight editing, tiers, migration, the scorecard table and
the revenue-only list against the scorecard."""

from __future__ import annotations

from typing import Final

import pandas as pd
import streamlit as st
from pydantic import ValidationError

from core.scorecard import Scorecard, ScorecardWeights
from core.scorecard_tiers import RevenueVersusScorecard
from core.scorecard_weights import INDICATORS
from core.segments_sql import SEGMENT_ORDER
from ui.access import is_editor
from ui.format import escape_markdown
from ui.segments_cache import Pyramid, contribution_chart, sankey_chart
from ui.segments_view import CHART_CONFIG, name_of, names, render_table, txt
from ui.state import settings, tr

WEIGHT_KEYS: Final = {name: f"seg_weight_{name}" for name in INDICATORS}
"""Session-state keys of the five weight inputs."""
APPLIED_KEY: Final = "seg_weights_applied"
"""Session-state key of the last valid weights: the page keeps them while the inputs are invalid."""
TOP_BARS: Final = 20


def _reset() -> None:
    defaults = settings().scorecard.as_dict()
    for name, key in WEIGHT_KEYS.items():
        st.session_state[key] = defaults[name]


def weights_problem(values: dict[str, float]) -> str | None:
    """The weights model's own message when these weights are invalid, else None."""
    try:
        ScorecardWeights(**values)
    except ValidationError as exc:
        return "; ".join(error["msg"].removeprefix("Value error, ") for error in exc.errors())
    return None


def render_weights() -> ScorecardWeights:
    """Five weight inputs in an expander; returns the weights to score with.

    Invalid inputs show the weights model's message and leave the last valid weights in force.
    """
    if not is_editor():  # weights are a setting: a viewer sees the configured ones, read only
        configured = settings().scorecard
        with st.expander(txt("weights_title"), icon=":material/tune:"):
            st.caption(tr("access.weights_read_only"))
            shown = (f"{name_of(n)} {w:.1f}" for n, w in configured.as_dict().items())
            st.caption(escape_markdown(" · ".join(shown)))
        return configured
    applied: ScorecardWeights = st.session_state.get(APPLIED_KEY) or settings().scorecard
    for name, key in WEIGHT_KEYS.items():
        st.session_state.setdefault(key, applied.as_dict()[name])
    with st.expander(txt("weights_title"), icon=":material/tune:"):
        st.caption(txt("weights_intro"))
        with st.form("seg_weights_form", border=False):
            for column, name in zip(st.columns(len(INDICATORS)), INDICATORS, strict=True):
                column.number_input(
                    name_of(name),
                    min_value=0.0,
                    max_value=100.0,
                    step=5.0,
                    format="%.1f",
                    key=WEIGHT_KEYS[name],
                )
            st.form_submit_button(txt("weights_apply"), icon=":material/check:")
        st.button(txt("weights_reset"), on_click=_reset, key="seg_weights_reset")
    values = {name: float(st.session_state[key]) for name, key in WEIGHT_KEYS.items()}
    problem = weights_problem(values)
    if problem is None:
        applied = ScorecardWeights(**values)
        st.session_state[APPLIED_KEY] = applied
    else:
        st.error(
            escape_markdown(txt("weights_invalid", total=sum(values.values()), message=problem)),
            icon=":material/error:",
        )
    return applied


def render_weights_note(card: Scorecard) -> None:
    """The weights in force, and where a missing indicator's weight went."""
    used = " · ".join(
        f"{name_of(name)} {card.effective_weights[name]:.1f}"
        for name in INDICATORS
        if card.effective_weights[name] > 0
    )
    st.caption(escape_markdown(txt("weights_used", weights=used)))
    if card.missing:
        missing = txt("separator").join(name_of(name) for name in card.missing)
        st.caption(escape_markdown(txt("weights_missing", indicators=missing)))


def tier_table(tiers: pd.DataFrame, currency: str | None) -> tuple[pd.DataFrame, dict[str, object]]:
    """Per tier: accounts, net revenue, its share, margin and the score range."""
    unit = f" ({currency})" if currency else ""
    fields = (
        "tier",
        "accounts",
        "net_revenue",
        "revenue_share",
        "margin",
        "min_score",
        "max_score",
    )
    titles = {field: txt(f"col.{field}") for field in fields}
    titles["net_revenue"] += unit
    shown = tiers.assign(tier=tiers["tier"].map(name_of))[list(fields)].rename(columns=titles)
    config: dict[str, object] = {
        titles["net_revenue"]: st.column_config.NumberColumn(format="localized"),
        titles["revenue_share"]: st.column_config.NumberColumn(format="percent"),
        titles["margin"]: st.column_config.NumberColumn(format="percent"),
        titles["min_score"]: st.column_config.NumberColumn(format="%.1f"),
        titles["max_score"]: st.column_config.NumberColumn(format="%.1f"),
    }
    return shown, config


def render_pyramid(pyramid: Pyramid, currency: str | None, compared: str) -> None:
    """The tier totals beside the migration Sankey from the compared period."""
    left, right = st.columns([2, 3])
    with left:
        st.markdown(f"**{txt('tiers_title')}**")
        shown, config = tier_table(pyramid.tiers, currency)
        render_table(shown, config, "tiers.csv", "seg_csv_tiers")
        st.caption(txt("tiers_note"))
    with right:
        if pyramid.migration.empty:
            st.info(txt("migration_none"))
            return
        measures = {"accounts": txt("migration_accounts"), "revenue_to": txt("migration_revenue")}
        measure = st.segmented_control(
            txt("migration_measure"),
            list(measures),
            format_func=measures.__getitem__,
            default="accounts",
            required=True,
            key="seg_migration_measure",
        )
        st.plotly_chart(
            sankey_chart(
                pyramid.migration,
                txt("migration_title", compared=compared),
                names(),
                measure or "accounts",
            ),
            config=CHART_CONFIG,
            key="seg_sankey",
        )
        stayed = pyramid.migration[pyramid.migration["tier_from"] == pyramid.migration["tier_to"]]
        moved = int(pyramid.migration["accounts"].sum() - stayed["accounts"].sum())
        st.caption(txt("migration_note", moved=moved))


def scorecard_table(
    card: Scorecard, segment: str | None = None
) -> tuple[pd.DataFrame, dict[str, object]]:
    """Every scored account (of one segment): rank, tier, score, each indicator's points, and
    the change since the compared period."""
    table = card.table if segment is None else card.table[card.table["segment"] == segment]
    rows = pd.DataFrame(
        {
            "rank": table["rank"],
            "account": table["account"],
            "name": table["name"],
            "segment": table["segment"].map(name_of),
            "tier": table["tier"].map(name_of),
            "score": table["score"].astype(float),
            **{f"{name}_points": table[f"{name}_points"].astype(float) for name in INDICATORS},
            "prior_tier": table["prior_tier"].map(
                lambda tier: name_of(tier) if isinstance(tier, str) else None
            ),
            "score_change": pd.to_numeric(table["score_change"], errors="coerce"),
            "driver": table["driver"].map(
                lambda code: name_of(code) if isinstance(code, str) else None
            ),
        }
    )
    titles = {
        column: name_of(column.removesuffix("_points"))
        if column.endswith("_points")
        else txt(f"col.{column}")
        for column in rows.columns
    }
    shown = rows.rename(columns=titles)
    config: dict[str, object] = {
        titles["score"]: st.column_config.ProgressColumn(
            format="%.1f", min_value=0, max_value=100, width="small"
        ),
        titles["score_change"]: st.column_config.NumberColumn(format="%+.1f"),
        **{
            titles[f"{name}_points"]: st.column_config.ProgressColumn(
                format="%.1f",
                min_value=0,
                max_value=max(card.effective_weights[name], 1e-9),
                help=txt("points_help", weight=card.effective_weights[name]),
                width="small",
            )
            for name in INDICATORS
        },
    }
    return shown, config


def render_scorecard(pyramid: Pyramid) -> None:
    """The best accounts' contribution bars, then the whole scorecard as a table."""
    card = pyramid.card
    st.plotly_chart(
        contribution_chart(
            card.table, txt("contribution_title", top=min(TOP_BARS, len(card.table))), names()
        ),
        config=CHART_CONFIG,
        key="seg_contribution",
    )
    st.caption(txt("contribution_note"))
    # Labels are looked up now, in the page's language, not when format_func runs.
    labels = {"": txt("table_all")}
    labels |= {code: name_of(code) for code in SEGMENT_ORDER if code in set(card.table["segment"])}
    chosen = st.selectbox(
        txt("table_segment"), list(labels), format_func=labels.__getitem__, key="seg_card_segment"
    )
    shown, config = scorecard_table(card, chosen or None)
    render_table(shown, config, "scorecard.csv", "seg_csv_scorecard")


def _why(row: pd.Series) -> str:
    """Why one list names the account and the other does not, in words."""
    if row["side"] == "scorecard_only":
        up = list(row["pulled_up"])
        return txt(
            "why_scorecard_only", indicators=txt("separator").join(name_of(c) for c in up[:2])
        )
    down = list(row["pulled_down"])
    return txt("why_revenue_only", indicators=txt("separator").join(name_of(c) for c in down[:2]))


def versus_table(versus: RevenueVersusScorecard) -> tuple[pd.DataFrame, dict[str, object]]:
    """The accounts on one list only, with their ranks and the indicators behind the gap."""
    rows = versus.disagreements()
    shown = pd.DataFrame(
        {
            txt("col.account"): rows["account"],
            txt("col.name"): rows["name"],
            txt("col.segment"): rows["segment"].map(name_of),
            txt("col.side"): rows["side"].map(lambda side: txt(f"side.{side}")),
            txt("col.revenue_rank"): rows["revenue_rank"],
            txt("col.rank"): rows["rank"],
            txt("col.tier"): rows["tier"].map(name_of),
            txt("col.why"): rows.apply(_why, axis=1) if len(rows) else pd.Series(dtype=str),
        }
    )
    return shown, {txt("col.why"): st.column_config.TextColumn(width="large")}


def render_versus(versus: RevenueVersusScorecard) -> None:
    """Overlap of the revenue-only top 20% with the platinum tier, and where they disagree."""
    st.subheader(txt("versus_title"))
    st.caption(txt("versus_intro"))
    columns = st.columns(3)
    columns[0].metric(txt("versus_revenue_top"), f"{versus.revenue_top:,}")
    columns[1].metric(txt("versus_scorecard_top"), f"{versus.scorecard_top:,}")
    share = versus.overlap_share
    columns[2].metric(
        txt("versus_overlap"),
        f"{versus.overlap:,}",
        help=txt("versus_overlap_help"),
    )
    columns[2].caption(
        txt("versus_overlap_share", share=share) if share is not None else txt("no_comparison")
    )
    if versus.disagreements().empty:
        st.success(txt("versus_agree"), icon=":material/check_circle:")
        return
    shown, config = versus_table(versus)
    render_table(shown, config, "revenue-vs-scorecard.csv", "seg_csv_versus")
