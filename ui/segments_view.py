"""Pieces of the Segments page: the segment tiles, the mix and bridge tables, CSV downloads."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.bridge import Bridge, BridgeTotals
from core.i18n import Language
from core.metrics import Period
from core.segments import MixShift
from core.segments_charts import bridge_axis_range, chart_names
from ui.format import download_table, rate, tile_money, window_span
from ui.scope import ordered
from ui.segments_cache import bridge_chart, movers
from ui.state import language, tr

P = "segments_page"
"""Prefix of this page's UI-text keys."""
CHART_CONFIG = {"displaylogo": False}


def txt(key: str, **params: object) -> str:
    """This page's UI text for key."""
    return tr(f"{P}.{key}", **params)


def names() -> dict[str, str]:
    """Segment, tier, indicator and bridge names by code, in the UI language."""
    return chart_names(language())


def name_of(code: object) -> str:
    """A segment, tier or indicator code in the UI language; unknown codes as they are."""
    if code is None or (isinstance(code, float) and pd.isna(code)):
        return "–"
    return names().get(str(code), str(code))


def window_text(window: Period | None) -> str:
    """'2024-04 – 2025-03', or a note that stored history does not cover it."""
    return window_span(window, txt("compare_missing"))


def points(value: object) -> str | None:
    """A share shift in percentage points, '+0.5 pp'; None when there is no comparison."""
    if value is None or pd.isna(value):  # type: ignore[arg-type]
        return None
    return f"{float(value):+.1f} pp"  # type: ignore[arg-type]


def render_table(shown: pd.DataFrame, config: dict[str, object], file_name: str, key: str) -> None:
    """A sortable table and its CSV-injection-safe download."""
    st.dataframe(shown, hide_index=True, column_config=config)
    download_table(shown, file_name, key, txt("download"))


def _shift_rows(shift: MixShift) -> dict[str, pd.Series]:
    return {str(row["segment"]): row for _, row in shift.table.iterrows()}


def render_tiles(mix: pd.DataFrame, shift: MixShift, lang: Language, currency: str | None) -> None:
    """One tile per segment of the period: net revenue, its share and how the share moved,
    against the sidebar's comparison basis first, then the other window."""
    before = _shift_rows(shift)
    unit = f" ({currency})" if currency else ""
    for column, (_, row) in zip(st.columns(max(len(mix), 1)), mix.iterrows(), strict=False):
        moved = before.get(str(row["segment"]))
        shifts = [
            points(moved[f"revenue_share_pts_{window}"]) if moved is not None else None
            for window in ("prior", "last_year")
        ]
        (first, first_basis), (second, second_basis) = ordered(*shifts)
        with column.container(border=True, height="stretch"):
            st.metric(
                name_of(row["segment"]) + unit,
                tile_money(float(row["net_revenue"]), lang),
                first,
                delta_color="off" if first in (None, "+0.0 pp", "-0.0 pp") else "normal",
                delta_description=txt(f"share_vs_{first_basis}") if first else None,
                help=txt("tile_help"),
            )
            st.caption(
                txt(
                    "tile_line",
                    share=rate(_float(row["revenue_share"])),
                    margin=rate(_float(row["margin"])),
                    accounts=int(row["accounts"]),
                )
            )
            st.caption(
                txt("tile_profit", profit=tile_money(_float(row["gross_profit"]), lang))
                + " · "
                + txt(
                    "tile_other",
                    against=txt(f"share_vs_{second_basis}"),
                    change=second or txt("no_comparison"),
                )
            )
            if first is None:
                st.caption(
                    txt(
                        "tile_other",
                        against=txt(f"share_vs_{first_basis}"),
                        change=txt("no_comparison"),
                    )
                )


def _float(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)  # type: ignore[arg-type]


def summary_table(
    mix: pd.DataFrame, shift: MixShift, currency: str | None
) -> tuple[pd.DataFrame, dict[str, object]]:
    """Per segment of the period or a compared one: money, shares and share shifts."""
    moved = shift.table[
        [
            "segment",
            "revenue_share_pts_prior",
            "revenue_share_pts_last_year",
            "profit_share_pts_prior",
            "profit_share_pts_last_year",
        ]
    ]
    rows = moved.merge(mix, on="segment", how="left") if len(moved) else mix
    rows = rows.assign(segment=rows["segment"].map(name_of))
    fields = [
        "segment",
        "accounts",
        "net_revenue",
        "revenue_share",
        "gross_profit",
        "margin",
        "profit_share",
        "revenue_share_pts_prior",
        "revenue_share_pts_last_year",
        "profit_share_pts_prior",
        "profit_share_pts_last_year",
    ]
    rows = rows.reindex(columns=fields)
    unit = f" ({currency})" if currency else ""
    titles = {field: txt(f"col.{field}") for field in fields}
    titles["net_revenue"] += unit
    titles["gross_profit"] += unit
    shown = rows.rename(columns=titles)
    config: dict[str, object] = {
        titles["net_revenue"]: st.column_config.NumberColumn(format="localized"),
        titles["gross_profit"]: st.column_config.NumberColumn(format="localized"),
        titles["accounts"]: st.column_config.NumberColumn(format="%d"),
        **{
            titles[field]: st.column_config.NumberColumn(format="percent")
            for field in ("revenue_share", "margin", "profit_share")
        },
        **{
            titles[field]: st.column_config.NumberColumn(format="%+.1f")
            for field in fields
            if field.endswith(("_prior", "_last_year"))
        },
    }
    return shown, config


def render_bridge(figure_bridge: Bridge, currency: str | None) -> None:
    """The bridge as a waterfall for the portfolio or one segment, and the per-segment table."""
    scopes: dict[str, BridgeTotals] = {"": figure_bridge.total}
    scopes |= {str(item.segment): item for item in figure_bridge.segments}
    labels = {code: name_of(code) if code else txt("bridge_portfolio") for code in scopes}
    scope = st.segmented_control(
        txt("bridge_scope"),
        list(scopes),
        format_func=labels.__getitem__,
        default="",
        required=True,
        key="seg_bridge_scope",
    )
    chosen = scopes[scope or ""]
    title = txt(
        "bridge_title",
        scope=labels[scope or ""],
        start=window_text(figure_bridge.start_period),
        end=window_text(figure_bridge.end_period),
    )
    st.plotly_chart(
        bridge_chart(chosen, title, names()), config=CHART_CONFIG, key="seg_bridge_chart"
    )
    st.caption(
        txt(
            "bridge_counts",
            new=chosen.new_accounts,
            expanded=chosen.expanded_accounts,
            contracted=chosen.contracted_accounts,
            lost=chosen.lost_accounts,
            flat=chosen.flat_accounts,
            change=f"{chosen.change:+,.0f}",
        )
    )
    if bridge_axis_range(chosen) is not None:
        st.caption(txt("bridge_zoomed"))
    shown, config = bridge_table(figure_bridge, currency)
    render_table(shown, config, "revenue-bridge.csv", "seg_csv_bridge")
    with st.expander(txt("movers_title", scope=labels[scope or ""]), icon=":material/swap_vert:"):
        accounts = movers(figure_bridge)
        if scope:
            accounts = accounts[accounts["segment"] == scope]
        shown, config = movers_table(accounts, currency)
        render_table(shown, config, "revenue-bridge-accounts.csv", "seg_csv_movers")


def bridge_table(
    figure_bridge: Bridge, currency: str | None
) -> tuple[pd.DataFrame, dict[str, object]]:
    """One row per segment and one for the portfolio: start, the four parts, end, accounts."""
    parts = ("start", "new", "expansion", "contraction", "lost", "end")
    rows = [
        {
            "segment": name_of(item.segment) if item.segment else txt("bridge_portfolio"),
            **{part: getattr(item, part) for part in parts},
            "accounts_start": item.accounts_start,
            "accounts_end": item.accounts_end,
        }
        for item in [*figure_bridge.segments, figure_bridge.total]
    ]
    unit = f" ({currency})" if currency else ""
    titles = {"segment": txt("col.segment")}
    titles |= {part: name_of(f"bridge.{part}") + unit for part in parts}
    titles |= {field: txt(f"col.{field}") for field in ("accounts_start", "accounts_end")}
    shown = pd.DataFrame(rows).rename(columns=titles)
    config: dict[str, object] = {
        titles[part]: st.column_config.NumberColumn(format="localized") for part in parts
    }
    return shown, config


def movers_table(
    accounts: pd.DataFrame, currency: str | None
) -> tuple[pd.DataFrame, dict[str, object]]:
    """Each account's part of the bridge: revenue in both periods, the change and its kind."""
    moved = accounts[accounts["movement"] != "inactive"]
    unit = f" ({currency})" if currency else ""
    titles = {
        "account": txt("col.account"),
        "name": txt("col.name"),
        "segment": txt("col.segment"),
        "movement": txt("col.movement"),
        "start": txt("col.revenue_start") + unit,
        "end": txt("col.revenue_end") + unit,
        "change": txt("col.change") + unit,
    }
    shown = moved.assign(
        segment=moved["segment"].map(name_of),
        movement=moved["movement"].map(lambda code: txt(f"movement.{code}")),
    )[list(titles)].rename(columns=titles)
    config: dict[str, object] = {
        titles[field]: st.column_config.NumberColumn(format="localized")
        for field in ("start", "end", "change")
    }
    return shown, config
