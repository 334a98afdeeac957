"""The QBR pack's overview and concentration sections, as HTML (core/report_html blocks).

Each function takes results the analyses already computed and only lays them out; every name
goes through report_html.esc, and into charts through concentration_charts.text.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

import pandas as pd

from core.concentration_charts import lorenz_figure, pareto_figure, whale_figure
from core.concentration_report import ConcentrationReport
from core.i18n import Language, has_text, t
from core.metrics import Period
from core.mistakes import MistakeCheck
from core.overview import Basis, Kpi, Overview, RankedAlert
from core.report_html import (
    Tile,
    arrow,
    badge,
    bullets,
    chart,
    esc,
    evidence_text,
    money,
    names_text,
    note,
    number,
    page_text,
    pct,
    section,
    table,
    tiles,
)
from core.segments_charts import bridge_figure, chart_names

TOP_ALERTS: Final = 10
"""Ranked alerts the pack lists."""
SHOWN_ACCOUNTS: Final = 8
"""Accounts named per alert or mistake before 'and N more'."""


def span_text(window: Period | None, missing: str) -> str:
    """'2025-11 – 2026-10', one month alone, or `missing` for no window."""
    if window is None or window.start is None or window.end is None:
        return missing
    first, last = window.start.strftime("%Y-%m"), window.end.strftime("%Y-%m")
    return first if first == last else f"{first} – {last}"


def _safe(key: str, lang: Language, **params: object) -> str:
    """A text whose placeholders may not all be known: '' when they are not."""
    try:
        return t(key, lang, **params)
    except (KeyError, ValueError, IndexError):
        return ""


# Overview -------------------------------------------------------------------------------


def _kpi_value(kpi: Kpi, lang: Language) -> str:
    if kpi.unit == "money":
        return money(kpi.value, lang)
    if kpi.unit == "share":
        return pct(kpi.value)
    return number(kpi.value)


def kpi_change(kpi: Kpi, basis: Basis) -> str | None:
    """A tile's change: '+1.2 pp' for shares, '+4.7%' growth for money, '+11' for counts."""
    delta = kpi.delta(basis)
    if delta is None:
        return None
    if kpi.unit == "share":
        return f"{delta * 100:+.1f} pp"
    if kpi.unit == "money":
        growth = kpi.growth(basis)
        return None if growth is None else f"{growth:+.1%}"
    return f"{delta:+,.0f}"


def kpi_tiles(kpis: list[Kpi], lang: Language) -> str:
    """The seven tiles, each with its change against the prior period and last year."""
    shown = []
    for kpi in kpis:
        lines = []
        for basis in ("prior", "last_year"):
            against = t(f"report.vs_{basis}", lang)
            change = kpi_change(kpi, basis)
            if change is None:
                lines.append((t("report.no_comparison", lang, against=against), None))
            else:
                lines.append((f"{arrow(kpi.delta(basis))} {change} {against}", kpi.good(basis)))
        shown.append(Tile(t(f"overview.kpi.{kpi.code}", lang), _kpi_value(kpi, lang), tuple(lines)))
    return tiles(shown)


def _reason(check: MistakeCheck, code: str, lang: Language) -> str:
    params = {name: value for name, value in check.evidence.items() if value is not None}
    params |= {"churned": len(check.accounts), "count": len(check.accounts)}
    return _safe(f"mistakes.reason.{code}", lang, **params) or code


def mistake_panel(check: MistakeCheck, names: Mapping[str, str], lang: Language) -> str:
    """One mistake: status, question, the reasons or what 'ok' means, evidence, accounts."""
    head = (
        f"<h3>{badge(check.status, t(f'overview.status.{check.status}', lang))}"
        f"{esc(t(f'mistakes.name.{check.mistake}', lang))}</h3>"
        f'<p class="muted">{esc(t(f"mistakes.question.{check.mistake}", lang))}</p>'
    )
    if check.reasons:
        body = bullets(_reason(check, code, lang) for code in check.reasons)
    else:
        params = {name: value for name, value in check.evidence.items() if value is not None}
        body = f"<p>{esc(_safe(f'mistakes.ok.{check.mistake}', lang, **params))}</p>"
    if check.missing:
        body += note(_safe(f"mistakes.missing.{check.missing}", lang) or check.missing)
    if check.evidence:
        body += note(evidence_text(check.evidence, lang))
    listed = names_text(check.accounts, names, SHOWN_ACCOUNTS, t("report.and_more", lang))
    who = listed or t("report.overview.no_accounts", lang)
    body += f"<p><b>{esc(t('report.overview.accounts', lang))}:</b> {esc(who)}</p>"
    return f'<div class="panel mistake" data-mistake="{esc(check.mistake)}">{head}{body}</div>'


def _rule_label(item: RankedAlert, lang: Language) -> str:
    prefix = "mistakes.name" if item.source == "mistakes" else f"{item.source}.rule"
    key = f"{prefix}.{item.alert.rule}"
    return t(key, lang) if has_text(key) else item.alert.rule


def alert_card(item: RankedAlert, names: Mapping[str, str], lang: Language) -> str:
    """What, why, which accounts and what to do, for one ranked alert."""
    alert = item.alert
    source = t(f"overview.source.{item.source}", lang)
    accounts = names_text(alert.accounts, names, SHOWN_ACCOUNTS, t("report.and_more", lang))
    stake = t("report.overview.at_stake", lang, amount=money(item.revenue_at_stake, lang))
    return (
        f'<div class="alert {esc(alert.severity)}">'
        f"<div>{badge(alert.severity, t(f'overview.status.{alert.severity}', lang))}"
        f'<span class="muted">{esc(source)}</span> · <b>{esc(_rule_label(item, lang))}</b>'
        f" — {esc(alert.message(lang))}</div>"
        f'<div class="note">{esc(t("report.overview.why", lang))}: '
        f"{esc(evidence_text(alert.evidence, lang))}</div>"
        f'<div class="note">{esc(t("report.overview.accounts", lang))}: '
        f"{esc(accounts or '–')} · {esc(stake)}</div>"
        f"<div><b>{esc(t('report.overview.action', lang))}:</b> "
        f"{esc(item.action(dict(names), lang))}</div></div>"
    )


def overview_section(view: Overview, lang: Language) -> str:
    """KPI tiles, the revenue bridge, the five-mistakes panels and the top ranked alerts."""
    missing = t("report.not_stored", lang)
    parts = [f"<h3>{esc(t('report.overview.tiles', lang))}</h3>", kpi_tiles(view.kpis, lang)]
    if view.bridge is not None:
        title = t(
            "report.overview.bridge",
            lang,
            prior=span_text(view.prior_period, missing),
            current=span_text(view.period, missing),
        )
        parts.append(chart(bridge_figure(view.bridge, title, chart_names(lang)), "chart-bridge"))
    else:
        parts.append(note(t("report.overview.bridge_none", lang)))
    parts.append(f"<h3>{esc(t('report.overview.mistakes', lang))}</h3>")
    panels = "".join(mistake_panel(check, view.names, lang) for check in view.mistakes.checks)
    parts.append(f'<div class="grid2">{panels}</div>')
    shown = view.alerts[:TOP_ALERTS]
    title = t("report.overview.alerts", lang, shown=len(shown), total=len(view.alerts))
    parts.append(f"<h3>{esc(title)}</h3>")
    if not shown:
        parts.append(note(t("report.overview.alerts_none", lang)))
    parts.extend(alert_card(item, view.names, lang) for item in shown)
    return section("overview", "".join(parts), lang)


# Concentration --------------------------------------------------------------------------


_conc = page_text("concentration_page")


def concentration_tiles(figures: ConcentrationReport, lang: Language) -> str:
    """Net revenue, top-5 and top-20% shares, the Pareto point, HHI, effective accounts, Gini."""
    summary = figures.summary
    unit = _conc("unit_account", lang)
    band = t(f"concentration.band.{summary.hhi_band}", lang) if summary.hhi_band else "–"
    profit = money(summary.gross_profit, lang) if summary.gross_profit is not None else "–"
    pareto = f"{summary.pareto_k} / {summary.n}" if summary.pareto_k else "–"
    return tiles(
        [
            Tile(
                _conc("net_revenue", lang),
                money(summary.net_revenue, lang),
                note=_conc("net_revenue_caption", lang, profit=profit),
            ),
            Tile(_conc("top5", lang), pct(summary.top5_share)),
            Tile(
                _conc("top20", lang),
                pct(summary.top20pct_share),
                note=_conc("top20_caption", lang, count=summary.top20pct_n, unit=unit),
            ),
            Tile(_conc("pareto", lang), pareto, note=pct(summary.pareto_share)),
            Tile(
                _conc("hhi", lang),
                number(summary.hhi),
                note=t("report.concentration.hhi_band", lang, band=band),
            ),
            Tile(_conc("effective", lang), number(summary.effective_accounts, 1)),
            Tile(_conc("gini", lang), number(summary.gini, 3)),
        ]
    )


def _groups_table(figures: ConcentrationReport, lang: Language) -> str:
    groups = figures.summary.groups_over_10pct
    if not groups:
        return note(t("report.concentration.groups_none", lang))
    name, share, revenue = (
        _conc("col.name", lang),
        _conc("share", lang),
        _conc("net_revenue", lang),
    )
    frame = pd.DataFrame(
        {
            name: [group.name for group in groups],
            share: [pct(group.share) for group in groups],
            revenue: [money(group.net_revenue, lang) for group in groups],
        }
    )
    return table(frame, numeric=(share, revenue))


def concentration_section(figures: ConcentrationReport, lang: Language) -> str:
    """Headline figures, the 10% groups, the Pareto chart and the whale (or Lorenz) curve."""
    summary = figures.summary
    unit = _conc("unit_account", lang)
    parts = [
        concentration_tiles(figures, lang),
        note(t("concentration.band.analogy", lang)),
        f"<h3>{esc(t('report.concentration.groups', lang))}</h3>",
        _groups_table(figures, lang),
    ]
    pareto = pareto_figure(
        figures.accounts,
        summary.pareto_k,
        _conc("pareto_title", lang, unit=unit),
        _conc("pareto_marker", lang, k=summary.pareto_k, unit=unit),
        {
            "rank": _conc("rank", lang),
            "revenue": _conc("revenue", lang),
            "cum_share": _conc("cum_share", lang),
            "share": _conc("share", lang),
            "name": _conc("col.name", lang),
            "line": _conc("line_80", lang),
        },
    )
    parts.append(chart(pareto, "chart-pareto"))
    if summary.pareto_k:
        caption = t(
            "report.concentration.pareto_caption",
            lang,
            k=summary.pareto_k,
            n=summary.n,
            share=summary.pareto_share or 0.0,
        )
        parts.append(note(caption))
    whale = figures.whale
    if whale is not None and whale.peak is not None:
        figure = whale_figure(
            figures.whale_curve,
            _conc("whale_title", lang),
            _conc("whale_peak", lang, peak=whale.peak),
            {
                "x": _conc("whale_x", lang, unit=unit),
                "y": _conc("whale_y", lang),
                "curve": _conc("whale_curve", lang),
                "full": _conc("whale_full", lang),
                "peak": _conc("whale_peak_name", lang),
                "name": _conc("col.name", lang),
                "profit": _conc("col.gross_profit", lang),
            },
        )
        parts.append(chart(figure, "chart-whale"))
        caption = t(
            "report.concentration.whale_caption",
            lang,
            peak=whale.peak,
            negative=whale.negative_accounts,
            destroyed=money(whale.profit_destroyed, lang),
        )
        parts.append(note(caption))
    else:
        parts.append(note(t("report.concentration.whale_none", lang)))
        lorenz = lorenz_figure(
            figures.lorenz,
            _conc("lorenz_title", lang, gini=summary.gini or 0.0),
            {
                "x": _conc("lorenz_x", lang, unit=unit),
                "y": _conc("lorenz_y", lang),
                "curve": _conc("lorenz_curve", lang),
                "equality": _conc("lorenz_equality", lang),
            },
        )
        parts.append(chart(lorenz, "chart-lorenz"))
    return section("concentration", "".join(parts), lang)
