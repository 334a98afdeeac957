"""Pieces of the Concentration page: tiles, alerts, the stress test and the tables."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from core.concentration_alerts import Alert
from core.concentration_report import ConcentrationReport
from core.i18n import Language
from core.metrics import Period
from core.stress import StressResult
from core.whale import WhaleSummary
from ui.alerts import AlertTexts, render_alert_list
from ui.concentration_cache import stress
from ui.format import compact_money, download_table, escape_markdown, money, window_span
from ui.state import tr

P = "concentration_page"
"""Prefix of this page's UI-text keys."""


def txt(key: str, **params: object) -> str:
    """This page's UI text for key."""
    return tr(f"{P}.{key}", **params)


def window_text(window: Period | None) -> str:
    """'2024-04 – 2025-03', or a note that stored history does not cover it."""
    return window_span(window, txt("compare_missing"))


def amount(value: float | None, lang: Language, currency: str | None) -> str:
    """An amount for tiles and captions: in full below a million, else ¥1.0B or ¥10.33亿."""
    if value is None or abs(value) < 1e6:
        return money(value, currency)
    return compact_money(value, lang, currency, digits=2)


_PERCENT_EVIDENCE = {"share", "change"}
_PERCENT_THRESHOLD = {"group_share", "top5_share", "key_account_drop"}
_MONEY_EVIDENCE = {"net_revenue", "before", "now"}


def _evidence(alert: Alert, lang: Language, currency: str | None) -> str:
    parts = []
    for name, value in alert.evidence.items():
        if value is None:
            shown = "–"
        elif name in _PERCENT_EVIDENCE or (
            name == "threshold" and alert.rule in _PERCENT_THRESHOLD
        ):
            shown = f"{value:.1%}"
        elif name in _MONEY_EVIDENCE:
            shown = money(value, currency)
        elif name == "effective_accounts":
            shown = f"{value:,.1f}"
        else:
            shown = f"{value:,.0f}"
        parts.append(f"{txt('evidence.' + name)} {shown}")
    return " · ".join(parts)


def render_alerts(
    alerts: list[Alert], names: dict[str, str], lang: Language, currency: str | None
) -> None:
    """Each triggered rule: its message, the numbers behind it, and who is involved."""
    texts = AlertTexts(
        title=txt("alerts_title", count=len(alerts)),
        none=txt("alerts_none"),
        evidence_label=txt("evidence_label"),
        involved=txt("involved"),
        severity=lambda code: tr("concentration.severity." + code),
        rule=lambda code: tr("concentration.rule." + code),
        and_more=lambda count: txt("and_more", count=count),
    )
    render_alert_list(alerts, texts, lambda a: _evidence(a, lang, currency), names, lang)


def whale_note(whale: WhaleSummary, unit: str, lang: Language, currency: str | None) -> str:
    """The whale curve in one sentence: peak, the loss makers and the profit they destroy."""
    return txt(
        "whale_summary",
        peak=whale.peak or 1.0,
        peak_k=whale.peak_k or 0,
        peak_share=whale.peak_share or 0.0,
        unit=unit,
        negative=whale.negative_accounts,
        negative_share=whale.negative_share,
        destroyed=amount(whale.profit_destroyed, lang, currency),
    )


def _option_names(frame: pd.DataFrame) -> dict[str, str]:
    positive = frame[frame["positive"].astype(bool)]
    return {
        str(key): f"{name} ({key})" if name != key else str(name)
        for key, name in zip(positive["key"], positive["name"], strict=True)
    }


def render_stress(report: ConcentrationReport, lang: Language, currency: str | None) -> None:
    """Pick accounts, groups or the top N and see the portfolio before and after losing them."""
    st.subheader(txt("stress_title"))
    st.caption(txt("stress_intro"))
    chosen = report.period
    assert chosen is not None
    scope = f"{chosen.start}_{chosen.end}"
    accounts, groups = _option_names(report.accounts), _option_names(report.groups)
    pick_accounts, pick_groups, pick_top = st.columns([2, 2, 1])
    removed_accounts = pick_accounts.multiselect(
        txt("stress_accounts"),
        list(accounts),
        format_func=accounts.get,
        key=f"conc_stress_accounts_{scope}",
        placeholder=txt("stress_placeholder"),
    )
    removed_groups = pick_groups.multiselect(
        txt("stress_groups"),
        list(groups),
        format_func=groups.get,
        key=f"conc_stress_groups_{scope}",
        placeholder=txt("stress_placeholder"),
    )
    top_n = pick_top.number_input(
        txt("stress_top_n", unit=txt(f"unit_{report.by}")),
        min_value=0,
        max_value=max(report.summary.n, 0),
        value=0,
        step=1,
        key=f"conc_stress_top_{scope}_{report.by}",
    )
    if not removed_accounts and not removed_groups and not top_n:
        st.info(txt("stress_empty"), icon=":material/science:")
        return
    result = stress(chosen, report.by, removed_accounts, removed_groups, int(top_n))
    shown = stress_table(result, lang, currency)
    st.dataframe(shown, hide_index=True)
    download_table(shown, "stress-test.csv", f"conc_stress_download_{scope}_{report.by}")
    removed = sum(account.net_revenue for account in result.removed)
    st.caption(
        escape_markdown(
            txt("stress_removed", count=len(result.removed), revenue=money(removed, currency))
        )
    )
    if result.not_found:
        st.caption(escape_markdown(txt("stress_not_found", names=", ".join(result.not_found))))


def stress_table(result: StressResult, lang: Language, currency: str | None) -> pd.DataFrame:
    """Before, after and change per figure, as text for a small table."""

    def cash(value: float | None) -> str:
        return money(value, currency)

    def share(value: float | None) -> str:
        return "–" if value is None else f"{value:.1%}"

    def pareto(k: int | None, ratio: float | None) -> str:
        return "–" if k is None else f"{k} ({ratio or 0:.1%})"

    def signed(value: float | None, fmt: Callable[[float], str]) -> str:
        return "–" if value is None else fmt(value)

    before, after, delta = result.before, result.after, result.delta
    rows = [
        (
            txt("stress_revenue"),
            cash(before.revenue),
            cash(after.revenue),
            f"{delta.revenue:+,.0f}"
            + (f" ({delta.revenue_pct:+.1%})" if delta.revenue_pct is not None else ""),
        ),
        (
            txt("stress_gross_profit"),
            cash(before.gross_profit),
            cash(after.gross_profit),
            signed(delta.gross_profit, "{:+,.0f}".format)
            + (f" ({delta.gross_profit_pct:+.1%})" if delta.gross_profit_pct is not None else ""),
        ),
        (
            txt("hhi"),
            signed(before.hhi, "{:,.0f}".format),
            signed(after.hhi, "{:,.0f}".format),
            signed(delta.hhi, "{:+,.0f}".format),
        ),
        (
            txt("top5"),
            share(before.top5_share),
            share(after.top5_share),
            signed(delta.top5_share, lambda v: f"{v * 100:+.1f} pp"),
        ),
        (
            txt("pareto"),
            pareto(before.pareto_k, before.pareto_share),
            pareto(after.pareto_k, after.pareto_share),
            signed(delta.pareto_k, "{:+d}".format),
        ),
    ]
    return pd.DataFrame(
        rows,
        columns=[
            txt("stress_figure"),
            txt("stress_before"),
            txt("stress_after"),
            txt("stress_change"),
        ],
    )


TABLE_COLUMNS = (
    "rank",
    "key",
    "name",
    "parent_group",
    "members",
    "net_revenue",
    "gross_profit",
    "share",
    "cum_share",
)
"""The account_revenue columns the tables show, in order."""
MEMBER_COLUMNS = ("rank", "key", "name", "net_revenue", "gross_profit", "share", "group_share")
"""A group's member table: the portfolio rank and share, and the share of the group."""
_PERCENT_COLUMNS = ("share", "cum_share", "group_share")


def _headers(currency: str | None) -> dict[str, str]:
    unit = f" ({currency})" if currency else ""
    return {
        "rank": txt("col.rank"),
        "key": txt("col.key"),
        "name": txt("col.name"),
        "parent_group": txt("col.group"),
        "members": txt("col.members"),
        "net_revenue": txt("col.net_revenue") + unit,
        "gross_profit": txt("col.gross_profit") + unit,
        "share": txt("col.share"),
        "cum_share": txt("col.cum_share"),
        "group_share": txt("col.group_share"),
    }


def table_for_export(
    frame: pd.DataFrame, currency: str | None, columns: tuple[str, ...] = TABLE_COLUMNS
) -> pd.DataFrame:
    """An account_revenue frame's `columns` under translated headers, for display and CSV."""
    shown = frame[list(columns)]
    if "parent_group" in columns:
        shown = shown.assign(parent_group=frame["parent_group"].fillna(""))
    headers = _headers(currency)
    return shown.rename(columns={name: headers[name] for name in columns})


def render_table(
    frame: pd.DataFrame,
    currency: str | None,
    file_name: str,
    key: str,
    flagged: set[str] | None = None,
    columns: tuple[str, ...] = TABLE_COLUMNS,
    height: int | str = 360,
) -> None:
    """A sortable table with a CSV download; rows whose key is in `flagged` are ticked."""
    frame = frame.reset_index(drop=True)
    shown = table_for_export(frame, currency, columns)
    headers = _headers(currency)
    config = {
        headers["rank"]: st.column_config.NumberColumn(format="%d", width="small"),
        headers["net_revenue"]: st.column_config.NumberColumn(format="localized"),
        headers["gross_profit"]: st.column_config.NumberColumn(format="localized"),
        **{
            headers[name]: st.column_config.NumberColumn(format="percent")
            for name in _PERCENT_COLUMNS
        },
    }
    if flagged is not None:  # a pinned tick column: a Styler would cost ~0.1 s per 1,000 rows
        header = txt("col.flagged")
        shown.insert(0, header, frame["key"].astype(str).isin(flagged).to_numpy())
        config[header] = st.column_config.CheckboxColumn(
            pinned=True, width="small", help=txt("flagged_help")
        )
    st.dataframe(
        shown,
        hide_index=True,
        column_config={
            header: setting for header, setting in config.items() if header in shown.columns
        },
        height=height,
    )
    # The files are written on click only: every rerun would otherwise pay for them.
    download_table(shown, file_name, key, txt("download"))


def _group_labels(groups: pd.DataFrame, flagged: set[str]) -> dict[str, str]:
    """Group key -> '⚠️ Name · 12.3% · 7 accounts' (the mark only on flagged groups)."""
    option = txt("member_option")
    return {
        str(key): ("⚠️ " if str(key) in flagged else "")
        + option.format(
            name=name, share=f"{share:.1%}" if pd.notna(share) else "–", members=members
        )
        for key, name, share, members in zip(
            groups["key"], groups["name"], groups["share"], groups["members"], strict=True
        )
    }


def render_group_members(report: ConcentrationReport, currency: str | None) -> None:
    """Pick any parent group (type to search) and see its member accounts; flagged groups are
    marked and the first of them is picked to begin with."""
    groups = report.groups.reset_index(drop=True)
    if groups.empty:
        return
    flagged = {group.group for group in report.summary.groups_over_10pct}
    labels = _group_labels(groups, flagged)
    keys = list(labels)
    first = next((index for index, key in enumerate(keys) if key in flagged), 0)
    chosen = st.selectbox(
        txt("members_pick"),
        keys,
        index=first,
        format_func=labels.__getitem__,
        key="conc_members_group",
        help=txt("members_help"),
    )
    if chosen is None:
        return
    members = report.group_members(chosen)
    render_table(
        members,
        currency,
        "group-members.csv",
        "conc_csv_members",
        columns=MEMBER_COLUMNS,
        height="auto",
    )
