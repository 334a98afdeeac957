"""Pieces of the Concentration page: tiles, alerts, the stress test and the tables."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from core.concentration import ConcentrationSummary
from core.concentration_alerts import Alert
from core.concentration_report import ConcentrationReport
from core.export import safe_csv
from core.i18n import Language
from core.stress import StressResult
from core.whale import WhaleSummary
from ui.concentration_cache import stress
from ui.format import compact_money, escape_markdown, money
from ui.state import tr

P = "concentration_page"
"""Prefix of this page's UI-text keys."""


def txt(key: str, **params: object) -> str:
    """This page's UI text for key."""
    return tr(f"{P}.{key}", **params)


def amount(value: float | None, lang: Language, currency: str | None) -> str:
    """An amount for tiles and captions: in full below a million, else ¥1.0B or ¥10.33亿."""
    if value is None or abs(value) < 1e6:
        return money(value, currency)
    return compact_money(value, lang, currency, digits=2)


def _pp(now: float | None, then: float | None) -> str | None:
    return None if now is None or then is None else f"{(now - then) * 100:+.1f} pp"


def _plain(now: float | None, then: float | None, digits: int = 0) -> str | None:
    return None if now is None or then is None else f"{now - then:+,.{digits}f}"


def _tile(
    column: st.delta_generator.DeltaGenerator,
    label: str,
    value: str,
    delta: str | None,
    caption: str,
    *,
    worse_when_up: bool,
    help_text: str | None = None,
    compared: str = "",
) -> None:
    with column.container(border=True, height="stretch"):
        unchanged = delta is not None and delta.lstrip("+-").strip("0.,% p") == ""
        st.metric(
            label, value, delta,
            delta_color="off" if unchanged else "inverse" if worse_when_up else "normal",
            delta_arrow="off" if unchanged else "auto",
            help=help_text, delta_description=compared if delta is not None else None,
        )
        st.caption(escape_markdown(caption))


def render_tiles(
    now: ConcentrationSummary,
    then: ConcentrationSummary | None,
    compared: str,
    lang: Language,
    currency: str | None,
) -> None:
    """The figures as metric tiles, with the change against `then` (a rise in concentration
    shows red)."""
    unit = txt(f"unit_{now.by}")
    old = then if then is not None and then.n else None

    def was(name: str) -> float | None:
        return None if old is None else getattr(old, name)

    band = tr(f"concentration.band.{now.hhi_band}") if now.hhi_band else "–"
    pct = "{:.1%}".format
    first, second = st.columns(4), st.columns(4)
    _tile(first[0], txt("top5"), pct(now.top5_share) if now.top5_share is not None else "–",
          _pp(now.top5_share, was("top5_share")), txt("top5_caption", n=now.n, unit=unit),
          worse_when_up=True, compared=compared)
    _tile(first[1], txt("top20"),
          pct(now.top20pct_share) if now.top20pct_share is not None else "–",
          _pp(now.top20pct_share, was("top20pct_share")),
          txt("top20_caption", count=now.top20pct_n, unit=unit),
          worse_when_up=True, compared=compared)
    _tile(first[2], txt("pareto"),
          f"{now.pareto_k} / {now.n}" if now.pareto_k is not None else "–",
          _plain(now.pareto_k, was("pareto_k")),
          txt("pareto_caption", k=now.pareto_k or 0, unit=unit, share=now.pareto_share or 0.0),
          worse_when_up=False, help_text=txt("pareto_help"), compared=compared)
    _tile(first[3], txt("hhi"), f"{now.hhi:,.0f}" if now.hhi is not None else "–",
          _plain(now.hhi, was("hhi")), txt("hhi_caption", band=band),
          worse_when_up=True, help_text=tr("concentration.band.analogy"), compared=compared)
    _tile(second[0], txt("effective"),
          f"{now.effective_accounts:,.1f}" if now.effective_accounts is not None else "–",
          _plain(now.effective_accounts, was("effective_accounts"), 1),
          txt("effective_caption", unit=txt(f"noun_{now.by}")),
          worse_when_up=False, compared=compared)
    _tile(second[1], txt("gini"), f"{now.gini:.3f}" if now.gini is not None else "–",
          _plain(now.gini, was("gini"), 3), txt("gini_caption"),
          worse_when_up=True, compared=compared)
    _tile(second[2], txt("nonpositive"), f"{now.accounts_nonpositive:,}",
          _plain(now.accounts_nonpositive, was("accounts_nonpositive")),
          txt("nonpositive_caption", amount=amount(now.nonpositive_revenue, lang, currency)),
          worse_when_up=True, compared=compared)
    _tile(second[3], txt("net_revenue"), amount(now.net_revenue, lang, currency),
          None if old is None else f"{now.net_revenue / old.net_revenue - 1:+.1%}"
          if old.net_revenue else None,
          txt("net_revenue_caption", profit=amount(now.gross_profit, lang, currency))
          if now.gross_profit is not None else txt("no_cost"),
          worse_when_up=False, help_text=txt("exact", value=money(now.net_revenue, currency)),
          compared=compared)


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
    st.subheader(txt("alerts_title", count=len(alerts)))
    if not alerts:
        st.success(txt("alerts_none"), icon=":material/check_circle:")
        return
    for alert in alerts:
        head = (f"**{tr('concentration.severity.' + alert.severity)} · "
                f"{tr('concentration.rule.' + alert.rule)}** — "
                f"{escape_markdown(alert.message(lang))}")
        box = st.error if alert.severity == "act" else st.warning
        box(head, icon=":material/priority_high:" if alert.severity == "act"
            else ":material/visibility:")
        shown = [names.get(key, key) for key in alert.accounts[:8]]
        more = len(alert.accounts) - len(shown)
        involved = ", ".join(shown) + (f" {txt('and_more', count=more)}" if more > 0 else "")
        st.caption(escape_markdown(f"{txt('evidence_label')}: {_evidence(alert, lang, currency)}"
                                   f" — {txt('involved')}: {involved}"))


def whale_note(whale: WhaleSummary, unit: str, lang: Language, currency: str | None) -> str:
    """The whale curve in one sentence: peak, the loss makers and the profit they destroy."""
    return txt(
        "whale_summary", peak=whale.peak or 1.0, peak_k=whale.peak_k or 0,
        peak_share=whale.peak_share or 0.0, unit=unit, negative=whale.negative_accounts,
        negative_share=whale.negative_share,
        destroyed=amount(whale.profit_destroyed, lang, currency),
    )


def _option_names(frame: pd.DataFrame) -> dict[str, str]:
    positive = frame[frame["positive"].astype(bool)]
    return {str(key): f"{name} ({key})" if name != key else str(name)
            for key, name in zip(positive["key"], positive["name"], strict=True)}


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
        txt("stress_accounts"), list(accounts), format_func=accounts.get,
        key=f"conc_stress_accounts_{scope}", placeholder=txt("stress_placeholder"))
    removed_groups = pick_groups.multiselect(
        txt("stress_groups"), list(groups), format_func=groups.get,
        key=f"conc_stress_groups_{scope}", placeholder=txt("stress_placeholder"))
    top_n = pick_top.number_input(
        txt("stress_top_n", unit=txt(f"unit_{report.by}")), min_value=0,
        max_value=max(report.summary.n, 0), value=0, step=1,
        key=f"conc_stress_top_{scope}_{report.by}")
    if not removed_accounts and not removed_groups and not top_n:
        st.info(txt("stress_empty"), icon=":material/science:")
        return
    result = stress(chosen, report.by, removed_accounts, removed_groups, int(top_n))
    st.dataframe(stress_table(result, lang, currency), hide_index=True)
    removed = sum(account.net_revenue for account in result.removed)
    st.caption(escape_markdown(txt("stress_removed", count=len(result.removed),
                                   revenue=money(removed, currency))))
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
        (txt("stress_revenue"), cash(before.revenue), cash(after.revenue),
         f"{delta.revenue:+,.0f}" + (f" ({delta.revenue_pct:+.1%})"
                                      if delta.revenue_pct is not None else "")),
        (txt("stress_gross_profit"), cash(before.gross_profit), cash(after.gross_profit),
         signed(delta.gross_profit, "{:+,.0f}".format) + (
             f" ({delta.gross_profit_pct:+.1%})" if delta.gross_profit_pct is not None else "")),
        (txt("hhi"), signed(before.hhi, "{:,.0f}".format), signed(after.hhi, "{:,.0f}".format),
         signed(delta.hhi, "{:+,.0f}".format)),
        (txt("top5"), share(before.top5_share), share(after.top5_share),
         signed(delta.top5_share, lambda v: f"{v * 100:+.1f} pp")),
        (txt("pareto"), pareto(before.pareto_k, before.pareto_share),
         pareto(after.pareto_k, after.pareto_share), signed(delta.pareto_k, "{:+d}".format)),
    ]
    return pd.DataFrame(
        rows, columns=[txt("stress_figure"), txt("stress_before"), txt("stress_after"),
                       txt("stress_change")],
    )


def table_for_export(frame: pd.DataFrame, currency: str | None) -> pd.DataFrame:
    """An account_revenue frame with translated headers, for display and CSV."""
    unit = f" ({currency})" if currency else ""
    columns = {
        "rank": txt("col.rank"), "key": txt("col.key"), "name": txt("col.name"),
        "parent_group": txt("col.group"), "members": txt("col.members"),
        "net_revenue": txt("col.net_revenue") + unit,
        "gross_profit": txt("col.gross_profit") + unit, "share": txt("col.share"),
        "cum_share": txt("col.cum_share"),
    }
    shown = frame[list(columns)].assign(parent_group=frame["parent_group"].fillna(""))
    return shown.rename(columns=columns)


def render_table(
    frame: pd.DataFrame, currency: str | None, file_name: str, key: str,
    flagged: set[str] | None = None,
) -> None:
    """A sortable table with a CSV download; rows whose key is in `flagged` are highlighted."""
    frame = frame.reset_index(drop=True)
    shown = table_for_export(frame, currency)
    config = {
        txt("col.rank"): st.column_config.NumberColumn(format="%d", width="small"),
        txt("col.share"): st.column_config.NumberColumn(format="percent"),
        txt("col.cum_share"): st.column_config.NumberColumn(format="percent"),
        shown.columns[5]: st.column_config.NumberColumn(format="localized"),
        shown.columns[6]: st.column_config.NumberColumn(format="localized"),
    }
    data: pd.DataFrame | pd.io.formats.style.Styler = shown
    if flagged:
        marks = frame["key"].astype(str).isin(flagged).to_numpy()
        data = shown.style.apply(
            lambda row: ["background-color: #fde2e1; font-weight: 600"
                         if marks[row.name] else "" for _ in row], axis=1)
    st.dataframe(data, hide_index=True, column_config=config, height=360)
    st.download_button(txt("download"), safe_csv(shown), file_name=file_name,
                       mime="text/csv", key=key, icon=":material/download:")


def render_group_members(report: ConcentrationReport, currency: str | None, limit: int = 10
                         ) -> None:
    """Expanders for the flagged groups and the largest multi-account groups, listing members."""
    groups = report.groups[report.groups["positive"].astype(bool)]
    flagged = {group.group for group in report.summary.groups_over_10pct}
    multi = groups[(groups["members"] > 1) | groups["key"].isin(flagged)].head(limit)
    owner = report.accounts["parent_group"].fillna(report.accounts["key"]).astype(str)
    for key, name, share, members in zip(multi["key"], multi["name"], multi["share"],
                                         multi["members"], strict=True):
        mark = "⚠️ " if key in flagged else ""
        label = mark + txt("member_expander", name=name, share=share, members=members)
        with st.expander(escape_markdown(label)):
            part = report.accounts[owner == str(key)]
            render_table(part, currency, "group-members.csv", key=f"conc_members_{key}")

