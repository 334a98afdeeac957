"""Pieces of the Discounts page: KPI tiles with comparisons, the creep and corridor tables."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from core.alerts import Alert
from core.discounts_views import DiscountKpis, KpiComparison
from core.i18n import Language
from core.metrics import Period
from ui.alerts import AlertTexts, render_alert_list
from ui.concentration_tiles import unchanged
from ui.format import download_table, money, window_span
from ui.scope import ordered
from ui.state import tr

P = "discounts_page"
"""Prefix of this page's UI-text keys."""


def txt(key: str, **params: object) -> str:
    """This page's UI text for key."""
    return tr(f"{P}.{key}", **params)


def window_text(window: Period | None) -> str:
    """'2024-04 – 2025-03', or a note that stored history does not cover it."""
    return window_span(window, txt("compare_missing"))


def segment_name(segment: object) -> str:
    """A segment value in the page's language; unknown values as they are."""
    if segment is None or (isinstance(segment, float) and pd.isna(segment)):
        return txt("segment_unknown")
    names = {key: txt(f"segment.{key}") for key in ("strategic", "intrinsic", "extrinsic", "other")}
    return names.get(str(segment), str(segment))


@dataclass(frozen=True)
class Tile:
    """One KPI as a tile."""

    key: str
    """The DiscountKpis field shown."""
    label: str
    """The metric's label."""
    caption: str
    """One line of context."""
    help_text: str
    """The metric's tooltip."""


def _pp(now: float | None, then: float | None) -> str | None:
    return None if now is None or then is None else f"{(now - then) * 100:+.1f} pp"


def tiles() -> list[Tile]:
    """The three tiles, in display order."""
    return [
        Tile(
            "discount_rate",
            txt("discount_rate"),
            txt("discount_rate_caption"),
            txt("discount_rate_help"),
        ),
        Tile(
            "concession_degree",
            txt("concession"),
            txt("concession_caption"),
            txt("concession_help"),
        ),
        Tile(
            "pocket_margin",
            txt("pocket_margin"),
            txt("pocket_margin_caption"),
            txt("pocket_margin_help"),
        ),
    ]


def _worse_when_up(key: str) -> bool:
    """A rising discount or concession is bad; a rising pocket margin is good."""
    return key != "pocket_margin"


def change_line(key: str, now: DiscountKpis, then: DiscountKpis | None, against: str) -> str:
    """'vs same period last year: ↑ +0.4 pp' in red, green or grey markdown."""
    change = _pp(getattr(now, key), getattr(then, key)) if then is not None else None
    if change is None:
        return txt("change_none", against=against)
    if unchanged(change):
        return txt("change_line", against=against, change=f":gray[{change}]")
    up = not change.startswith("-")
    colour = "red" if up == _worse_when_up(key) else "green"
    return txt("change_line", against=against, change=f":{colour}[{'↑' if up else '↓'} {change}]")


def render_tiles(figures: KpiComparison) -> None:
    """Three tiles: the delta is against the sidebar's comparison basis, the line below
    against the other window."""
    now = figures.current
    assert now is not None
    (first, first_basis), (second, second_basis) = ordered(figures.prior, figures.last_year)
    against, then_against = txt(f"vs_{first_basis}"), txt(f"vs_{second_basis}")
    for column, tile in zip(st.columns(3), tiles(), strict=True):
        value = getattr(now, tile.key)
        delta = _pp(value, getattr(first, tile.key)) if first else None
        flat = delta is not None and unchanged(delta)
        worse = _worse_when_up(tile.key)
        with column.container(border=True, height="stretch"):
            st.metric(
                tile.label,
                f"{value:.1%}" if value is not None else "–",
                delta,
                delta_color="off" if flat else "inverse" if worse else "normal",
                delta_arrow="off" if flat else "auto",
                help=tile.help_text,
                delta_description=against if delta is not None else None,
            )
            if delta is None:
                st.caption(txt("change_none", against=against))
            st.caption(change_line(tile.key, now, second, then_against))
            caption = (
                txt("no_cost") if value is None and tile.key == "pocket_margin" else tile.caption
            )
            st.caption(caption)


def account_options(frame: pd.DataFrame) -> dict[str, str]:
    """Account key -> 'Name (key)' for a picker, in the frame's order."""
    return {
        str(key): f"{name} ({key})" if name != key else str(name)
        for key, name in zip(frame["account"], frame["name"], strict=True)
    }


def render_table(
    shown: pd.DataFrame,
    config: dict[str, object],
    file_name: str,
    key: str,
    height: int | str = "auto",
) -> None:
    """A sortable table and its CSV-injection-safe download (sparkline lists left out)."""
    st.dataframe(shown, hide_index=True, column_config=config, height=height)
    exported = shown.drop(columns=[txt("col.trend")], errors="ignore")
    download_table(exported, file_name, key, txt("download"))


def _columns(frame: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    shown = frame[list(names)].rename(columns={name: txt(f"col.{name}") for name in names})
    return shown


def _present(rates: object) -> list[float]:
    """A sparkline's points: the months with a rate (a missing month would show as text)."""
    values = [] if rates is None or not hasattr(rates, "__iter__") else rates
    return [float(value) for value in values if value is not None and not pd.isna(value)]


def creep_table(creep: pd.DataFrame, top: int = 25) -> tuple[pd.DataFrame, dict[str, object]]:
    """The accounts whose rate rises fastest, with trend, points, slope and the flag."""
    rising = creep.dropna(subset=["points"]).sort_values(
        ["points", "account"], ascending=[False, True]
    )
    rising = rising[rising["points"] > 0].head(top)
    rising = rising.assign(
        segment=rising["segment"].map(segment_name),
        trend=rising["rates"].map(_present) if "rates" in rising else None,
    )
    names = {
        "account": "",
        "name": "",
        "segment": "",
        "trend": "",
        "points": "",
        "slope": "",
        "revenue_change": "",
        "buys_nothing": "",
        "rate_prior": "",
        "rate_last": "",
    }
    shown = _columns(rising, names)

    def col(name: str) -> str:
        return txt(f"col.{name}")

    config: dict[str, object] = {
        col("trend"): st.column_config.LineChartColumn(width="medium"),
        col("points"): st.column_config.NumberColumn(format="%+.1f"),
        col("slope"): st.column_config.NumberColumn(format="%+.2f"),
        col("rate_prior"): st.column_config.NumberColumn(format="percent"),
        col("rate_last"): st.column_config.NumberColumn(format="percent"),
        col("revenue_change"): st.column_config.NumberColumn(format="percent"),
        col("buys_nothing"): st.column_config.CheckboxColumn(width="small"),
    }
    return shown, config


def corridor_table(
    outliers: pd.DataFrame, currency: str | None, top: int = 25
) -> tuple[pd.DataFrame, dict[str, object]]:
    """The accounts furthest above their peers' 90th percentile."""
    rows = outliers.head(top).assign(segment=outliers["segment"].head(top).map(segment_name))
    names = dict.fromkeys(
        ("account", "name", "segment", "band", "net_revenue", "rate", "peer_p90", "peers"), ""
    )
    shown = _columns(rows.rename(columns={"excess_points": "excess"}), {**names, "excess": ""})
    unit = f" ({currency})" if currency else ""
    shown = shown.rename(columns={txt("col.net_revenue"): txt("col.net_revenue") + unit})
    config: dict[str, object] = {
        txt("col.net_revenue") + unit: st.column_config.NumberColumn(format="localized"),
        txt("col.rate"): st.column_config.NumberColumn(format="percent"),
        txt("col.peer_p90"): st.column_config.NumberColumn(format="percent"),
        txt("col.excess"): st.column_config.NumberColumn(format="%+.1f"),
    }
    return shown, config


_POINTS_EVIDENCE = {"points", "excess_points"}
_RATE_EVIDENCE = {"rate", "rate_prior", "rate_last", "peer_p90", "revenue_change", "quantile"}
_MONEY_EVIDENCE = {"monthly_net_prior", "monthly_net_last", "net_revenue"}


def _evidence(alert: Alert, currency: str | None) -> str:
    """The alert's numbers, each with its label: points in pp, rates in %, money in full."""
    parts = []
    for name, value in alert.evidence.items():
        if value is None:
            shown = "–"
        elif name in _POINTS_EVIDENCE or (name == "threshold" and alert.rule != "corridor"):
            shown = f"{value:+.1f} pp" if name != "threshold" else f"{value:.1f} pp"
        elif name == "slope":
            shown = f"{value:+.2f} pp{txt('alerts.per_month')}"
        elif name in _RATE_EVIDENCE:
            shown = f"{value:+.1%}" if name == "revenue_change" else f"{value:.1%}"
        elif name in _MONEY_EVIDENCE:
            shown = money(value, currency)
        else:
            shown = f"{value:,.0f}"
        parts.append(f"{txt('alerts.evidence.' + name)} {shown}")
    return " · ".join(parts)


def render_alerts(
    alerts: list[Alert], names: dict[str, str], lang: Language, currency: str | None
) -> None:
    """Each triggered discount rule: severity, message, the numbers behind it, the accounts."""
    texts = AlertTexts(
        title=txt("alerts.title", count=len(alerts)),
        none=txt("alerts.none"),
        evidence_label=txt("alerts.evidence_label"),
        involved=txt("alerts.involved"),
        severity=lambda code: txt("alerts.severity." + code),
        rule=lambda code: tr("discounts.rule." + code),
        and_more=lambda count: txt("alerts.and_more", count=count),
    )
    render_alert_list(alerts, texts, lambda a: _evidence(a, currency), names, lang)
