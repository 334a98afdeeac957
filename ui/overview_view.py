"""Pieces of the Overview page: KPI tiles, the ranked alert list and the five-mistakes panels."""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd
import streamlit as st

from core.alerts import Number
from core.concentration_sql import month_span
from core.i18n import Language, has_text
from core.metrics import Period
from core.mistakes import MistakeCheck
from core.overview import Basis, Kpi, Overview, RankedAlert
from core.report_sections import kpi_change
from core.segments_charts import chart_names
from ui.alerts import BOXES_AT_MOST, overflow_table
from ui.format import compact_money, download_table, escape_markdown, money, rate, window_span
from ui.navigation import PAGES
from ui.overview_cache import margin_chart
from ui.state import tr
from ui.tiles import TileView, coloured_change, render_tile_rows

P = "overview"
"""Prefix of this page's UI-text keys."""
SHOWN_ALERTS = 6
"""Alerts listed before the rest fold into an expander."""
SHOWN_ACCOUNTS = 6
"""Accounts named per alert before 'and N more'."""
STATUS_COLOURS = {"ok": "green", "watch": "orange", "act": "red"}
STATUS_ICONS = {
    "ok": ":material/check_circle:",
    "watch": ":material/visibility:",
    "act": ":material/priority_high:",
}
ACCOUNT_PAGE = "account"
"""url_path of the account drill-down page, when the app has one."""

_PERCENT = {
    "share",
    "change",
    "revenue_change",
    "rate",
    "rate_prior",
    "rate_last",
    "peer_p90",
    "quantile",
    "overlap_share",
    "overlap_watch",
    "overlap_act",
    "top5_share",
    "top20_share",
    "top20_threshold",
    "churn_share",
    "churn_threshold",
    "key_growth",
    "dependent_share",
    "product_threshold",
    "month_threshold",
    "act_share",
    "margin",
    "key_margin",
    "rest_margin",
    "margin_gap",
    "gap_threshold",
    "top_product_share",
    "top_month_share",
    "whale_peak",
    "coverage_share",
}
_MONEY = {
    "net_revenue",
    "before",
    "now",
    "monthly_net_prior",
    "monthly_net_last",
    "churned_revenue",
    "profit_destroyed",
}
_DECIMALS = {
    "hhi": 0,
    "hhi_last_year": 0,
    "hhi_rise": 0,
    "rise": 0,
    "points": 1,
    "excess_points": 1,
    "slope": 2,
    "cv": 2,
    "effective_accounts": 1,
}


def txt(key: str, **params: object) -> str:
    """This page's UI text for key."""
    return tr(f"{P}.{key}", **params)


def window_text(window: Period | None) -> str:
    """'2024-04 – 2025-03', or a note that stored history does not cover it."""
    return window_span(window, txt("compare_missing"))


def months_in(window: Period) -> int:
    """Months in a closed period, both ends included."""
    return month_span(window) if window.start and window.end else 0


def amount(value: float, lang: Language, currency: str | None) -> str:
    """Money in full below a million, else compact: 4,420 · ¥1.06B · ¥10.60亿."""
    if abs(value) < 1e6:
        return money(value, currency)
    return compact_money(value, lang, currency, digits=2)


def figure(name: str, value: Number, lang: Language, currency: str | None = None) -> str:
    """One evidence figure as shown: shares as %, money compact, counts whole."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if name in _PERCENT or (name == "threshold" and 0 < abs(value) <= 1):
        return f"{value:.1%}"
    if name in _MONEY:
        return amount(value, lang, currency)
    if name in _DECIMALS:
        return f"{value:,.{_DECIMALS[name]}f}"
    return f"{value:,.0f}" if float(value).is_integer() or abs(value) >= 100 else f"{value:,.2f}"


def label(name: str) -> str:
    """An evidence figure's name in the UI language."""
    key = f"{P}.evidence.{name}"
    return tr(key) if has_text(key) else name.replace("_", " ")


def evidence_text(evidence: Mapping[str, Number], lang: Language, currency: str | None) -> str:
    """'HHI 4,600 · threshold 1,800 · …' (plain text; escape before markdown)."""
    return " · ".join(
        f"{label(name)} {figure(name, value, lang, currency)}" for name, value in evidence.items()
    )


# Tiles ------------------------------------------------------------------------------------


def _value(kpi: Kpi, lang: Language, currency: str | None) -> str:
    if kpi.value is None:
        return "–"
    if kpi.unit == "money":
        return amount(kpi.value, lang, currency)
    if kpi.unit == "share":
        return rate(kpi.value)
    return f"{kpi.value:,.0f}"


def kpi_tiles(
    kpis: list[Kpi], lang: Language, currency: str | None, first: Basis = "prior"
) -> list[TileView]:
    """Each KPI as a tile: its delta against `first` (the sidebar's comparison basis), and a
    line against the other comparison."""
    second: Basis = "last_year" if first == "prior" else "prior"
    tiles = []
    for kpi in kpis:
        against = txt(f"vs_{second}")
        other = kpi_change(kpi, second)
        worse_when_up = not kpi.higher_is_better
        line = (
            txt("change_line", against=against, change=coloured_change(other, worse_when_up))
            if other is not None
            else txt("change_none", against=against)
        )
        help_text = txt(f"kpi_help.{kpi.code}")
        if kpi.value is None:
            help_text += " " + txt("kpi_help.no_value")
        tiles.append(
            TileView(
                label=txt(f"kpi.{kpi.code}"),
                value=_value(kpi, lang, currency),
                delta=kpi_change(kpi, first),
                delta_description=txt(f"vs_{first}"),
                worse_when_up=worse_when_up,
                lines=(line,),
                help_text=help_text,
            )
        )
    return tiles


def render_kpis(view: Overview, lang: Language, currency: str | None, first: Basis) -> None:
    """The seven tiles, four then three."""
    render_tile_rows(
        kpi_tiles(view.kpis, lang, currency, first),
        txt("change_none", against=txt(f"vs_{first}")),
    )


# Alerts -----------------------------------------------------------------------------------


def _page_script(url_path: str) -> str | None:
    return next((spec.script for spec in PAGES if spec.url_path == url_path), None)


def _rule_label(item: RankedAlert) -> str:
    prefix = "mistakes.name" if item.source == "mistakes" else f"{item.source}.rule"
    key = f"{prefix}.{item.alert.rule}"
    return tr(key) if has_text(key) else item.alert.rule


def _link(item: RankedAlert, names: Mapping[str, str]) -> None:
    """A link to the alert's account (on the account page when there is one) or its page."""
    account_page = _page_script(ACCOUNT_PAGE)
    if item.link_account is not None and account_page is not None:
        name = names.get(item.link_account, item.link_account)
        st.page_link(
            account_page,
            label=escape_markdown(txt("open_account", account=name)),
            icon=":material/person_search:",
            query_params={"account": item.link_account},
        )
        return
    # Without an account page, an account's alert opens the analysis that raised it.
    page = item.link_page or (item.source if item.link_account is not None else None)
    script = _page_script(page) if page else None
    if script is not None:
        title = txt(f"page.{page}") if has_text(f"{P}.page.{page}") else page
        st.page_link(script, label=txt("open_page", page=title), icon=":material/arrow_forward:")


def render_alert(
    item: RankedAlert, names: Mapping[str, str], lang: Language, currency: str | None
) -> None:
    """One alert: what (severity, rule, message), why, which accounts, what to do, and a link."""
    alert = item.alert
    colour = STATUS_COLOURS[alert.severity]
    with st.container(border=True, height="stretch"):
        st.markdown(
            f":{colour}-badge[{STATUS_ICONS[alert.severity]} {txt('status.' + alert.severity)}] "
            f":gray-badge[{escape_markdown(txt('source.' + item.source))}] "
            f"**{escape_markdown(_rule_label(item))}** — {escape_markdown(alert.message(lang))}"
        )
        shown = [names.get(key, key) for key in alert.accounts[:SHOWN_ACCOUNTS]]
        more = len(alert.accounts) - len(shown)
        involved = ", ".join(shown) + (" " + txt("and_more", count=more) if more > 0 else "")
        lines = [
            f"{txt('why')}: {evidence_text(alert.evidence, lang, currency)}",
            f"{txt('accounts')}: {involved or '–'} · "
            + txt("at_stake", amount=amount(item.revenue_at_stake, lang, currency)),
        ]
        st.caption("  \n".join(escape_markdown(line) for line in lines))
        st.markdown(
            f":material/lightbulb: **{escape_markdown(txt('action_label'))}:** "
            f"{escape_markdown(item.action(dict(names), lang))}"
        )
        _link(item, names)


def _alert_grid(
    alerts: list[RankedAlert], view: Overview, lang: Language, currency: str | None
) -> None:
    for start in range(0, len(alerts), 2):
        columns = st.columns(2)
        for column, item in zip(columns, alerts[start : start + 2], strict=False):
            with column:
                render_alert(item, view.names, lang, currency)


def render_alerts(view: Overview, lang: Language, currency: str | None) -> None:
    """The ranked list, two to a row: the first SHOWN_ALERTS, the rest in an expander."""
    st.subheader(txt("alerts_title", count=len(view.alerts)))
    st.caption(txt("alerts_caption"))
    if not view.alerts:
        st.success(txt("alerts_none"), icon=":material/check_circle:")
        return
    _alert_grid(view.alerts[:SHOWN_ALERTS], view, lang, currency)
    rest = view.alerts[SHOWN_ALERTS:]
    if rest:
        with st.expander(txt("alerts_more", count=len(rest))):
            _alert_grid(rest[:BOXES_AT_MOST], view, lang, currency)
            if len(rest) > BOXES_AT_MOST:
                overflow_table(
                    [
                        (txt("status." + item.alert.severity), item.alert.message(lang))
                        for item in rest[BOXES_AT_MOST:]
                    ],
                    "overview-alerts",
                )


# The five mistakes ------------------------------------------------------------------------


def _reason(check: MistakeCheck, code: str) -> str:
    params = {name: value for name, value in check.evidence.items() if value is not None}
    params |= {"churned": len(check.accounts), "count": len(check.accounts)}
    try:
        return tr(f"mistakes.reason.{code}", **params)
    except (KeyError, ValueError):
        return code


def _accounts_table(
    check: MistakeCheck, names: Mapping[str, str], lang: Language, currency: str | None
) -> pd.DataFrame:
    """The accounts involved with their own figures, as shown."""
    rows = []
    for key in check.accounts:
        row = {txt("account_id"): key, txt("account_name"): names.get(key, key)}
        for name, value in check.account_figures.get(key, {}).items():
            row[label(name)] = figure(name, value, lang, currency)
        rows.append(row)
    return pd.DataFrame(rows)


def headline(check: MistakeCheck) -> str:
    """The check's verdict in one sentence: its first reason, or what 'ok' means."""
    if check.reasons:
        return _reason(check, check.reasons[0])
    if check.missing and not check.evidence:
        return tr(f"mistakes.missing.{check.missing}")
    params = {name: value for name, value in check.evidence.items() if value is not None}
    try:
        return tr(f"mistakes.ok.{check.mistake}", **params)
    except (KeyError, ValueError):
        return ""


def render_glance(view: Overview) -> None:
    """The five statuses in one box, each with its headline: the check at a glance."""
    st.subheader(txt("glance_title"))
    with st.container(border=True):
        for check in view.mistakes.checks:
            colour = STATUS_COLOURS[check.status]
            st.markdown(
                f":{colour}-badge[{STATUS_ICONS[check.status]} {txt('status.' + check.status)}] "
                f"**{escape_markdown(tr('mistakes.name.' + check.mistake))}**  \n"
                f":gray[{escape_markdown(headline(check))}]"
            )


def render_panel(
    check: MistakeCheck, names: Mapping[str, str], lang: Language, currency: str | None
) -> None:
    """One mistake: its status badge, the evidence with thresholds, and the accounts."""
    colour = STATUS_COLOURS[check.status]
    with st.container(border=True, height="stretch"):
        st.markdown(
            f"#### {escape_markdown(tr('mistakes.name.' + check.mistake))}  \n"
            f":{colour}-badge[{STATUS_ICONS[check.status]} {txt('status.' + check.status)}]"
        )
        st.caption(tr(f"mistakes.question.{check.mistake}"))
        if check.reasons:
            st.markdown("\n".join(f"- {escape_markdown(_reason(check, c))}" for c in check.reasons))
        elif not check.missing or check.evidence:
            st.markdown(escape_markdown(headline(check)))
        if check.missing:
            st.caption(f":material/info: {tr('mistakes.missing.' + check.missing)}")
        if check.breakdown:
            names = {
                **chart_names(lang),
                **{word: tr(f"mistakes.panel.{word}") for word in ("tier", "segment", "portfolio")},
            }
            st.plotly_chart(
                margin_chart(
                    check.breakdown,
                    check.evidence.get("margin"),
                    tr("mistakes.panel.margin_title"),
                    names,
                ),
                config={"displaylogo": False},
                key=f"overview_margin_{check.mistake}",
            )
        if check.evidence:
            st.caption(escape_markdown(evidence_text(check.evidence, lang, currency)))
        count = len(check.accounts)
        if not count:
            st.caption(tr("mistakes.panel.no_accounts"))
            return
        with st.expander(tr("mistakes.panel.accounts", count=count)):
            table = _accounts_table(check, names, lang, currency)
            st.dataframe(table, hide_index=True, height=min(36 * (len(table) + 1) + 3, 300))
            download_table(
                table, f"mistake-{check.mistake}.csv", f"overview_download_{check.mistake}"
            )


def render_mistakes(view: Overview, lang: Language, currency: str | None) -> None:
    """The five panels, two to a row."""
    st.subheader(txt("mistakes_title"))
    st.caption(txt("mistakes_caption"))
    checks = view.mistakes.checks
    for start in range(0, len(checks), 2):
        columns = st.columns(2)
        for column, check in zip(columns, checks[start : start + 2], strict=False):
            with column:
                render_panel(check, view.names, lang, currency)


__all__ = [
    "months_in",
    "render_alerts",
    "render_kpis",
    "render_glance",
    "render_mistakes",
    "amount",
    "txt",
    "window_text",
]
