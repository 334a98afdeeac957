"""The QBR pack's building blocks: escaped text, figures as numbers, tiles, tables and charts.

Everything that reaches the page passes through `esc` (html.escape) or is built from numbers;
chart data is embedded as JSON with every '<' written as \\u003c, so no stored name can close
the script it sits in.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

import pandas as pd
import plotly.graph_objects as go

from core.alerts import Number
from core.i18n import Language, has_text, t

FONT_STACK: Final = (
    '-apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans CJK SC", '
    '"Noto Sans SC", "Source Han Sans SC", "PingFang SC", "Hiragino Sans GB", '
    '"Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif'
)
"""Local fonts only (the pack works offline); the CJK ones cover Chinese labels."""
CHART_CONFIG: Final = {"displaylogo": False, "responsive": True}
CHART_HEIGHT: Final = 420
STATUS_CLASS: Final = {"ok": "ok", "watch": "watch", "act": "act"}

PERCENT_FIGURES: Final = frozenset(
    {
        "share", "change", "revenue_change", "rate", "rate_prior", "rate_last", "peer_p90",
        "quantile", "overlap_share", "overlap_watch", "overlap_act", "top5_share",
        "top20_share", "top20_threshold", "churn_share", "churn_threshold", "key_growth",
        "dependent_share", "product_threshold", "month_threshold", "act_share", "margin",
        "key_margin", "rest_margin", "margin_gap", "gap_threshold", "top_product_share",
        "top_month_share", "whale_peak", "coverage_share",
    }
)  # fmt: skip
"""Evidence figures that are shares: shown as percentages."""
MONEY_FIGURES: Final = frozenset(
    {"net_revenue", "before", "now", "monthly_net_prior", "monthly_net_last",
     "churned_revenue", "profit_destroyed"}
)  # fmt: skip
"""Evidence figures that are amounts of money."""
DECIMAL_FIGURES: Final = {"points": 1, "excess_points": 1, "slope": 2, "cv": 2,
                          "effective_accounts": 1}  # fmt: skip


def esc(value: object) -> str:
    """Any value as HTML text: names such as '<script>' show as written."""
    return html.escape("" if value is None else str(value), quote=True)


def missing(value: object) -> bool:
    """Whether a figure is absent (None or NaN)."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def money(value: float | None, lang: Language) -> str:
    """An amount in full below a million, else short: 4,420 · 1.06B · 10.60亿."""
    if missing(value):
        return "–"
    assert value is not None
    size, sign = abs(value), "-" if value < 0 else ""
    if size < 1e6:
        return f"{value:,.0f}"
    steps = ((1e8, "亿"), (1e4, "万")) if lang == "zh" else ((1e9, "B"), (1e6, "M"))
    for scale, suffix in steps:
        if size >= scale:
            return f"{sign}{size / scale:,.2f}{suffix}"
    return f"{value:,.0f}"  # pragma: no cover - every size ≥ 1e6 has a step


def pct(value: float | None, digits: int = 1) -> str:
    """A share as a percentage: 0.0842 -> 8.4%."""
    return "–" if missing(value) else f"{value:.{digits}%}"


def signed_pct(value: float | None) -> str:
    return "–" if missing(value) else f"{value:+.1%}"


def number(value: float | None, digits: int = 0) -> str:
    return "–" if missing(value) else f"{value:,.{digits}f}"


def figure_text(name: str, value: Number, lang: Language) -> str:
    """One evidence figure as shown: shares as %, money short, counts whole."""
    if missing(value):
        return "–"
    assert value is not None
    if name in PERCENT_FIGURES or (name == "threshold" and 0 < abs(value) <= 1):
        return f"{value:.1%}"
    if name in MONEY_FIGURES:
        return money(value, lang)
    if name in DECIMAL_FIGURES:
        return f"{value:,.{DECIMAL_FIGURES[name]}f}"
    return f"{value:,.0f}" if float(value).is_integer() or abs(value) >= 100 else f"{value:,.2f}"


def evidence_text(evidence: Mapping[str, Number], lang: Language) -> str:
    """'HHI 4,600 · threshold 1,800 · …' in the language (plain text: escape it)."""
    parts = []
    for name, value in evidence.items():
        key = f"overview.evidence.{name}"
        label = t(key, lang) if has_text(key) else name.replace("_", " ")
        parts.append(f"{label} {figure_text(name, value, lang)}")
    return " · ".join(parts)


def names_text(keys: Sequence[str], names: Mapping[str, str], shown: int, and_more: str) -> str:
    """'Acme, Beta and 3 more' (plain text): the first `shown` names, then the count left."""
    listed = [str(names.get(key, key)) for key in keys[:shown]]
    rest = len(keys) - len(listed)
    return ", ".join(listed) + (f" {and_more.format(count=rest)}" if rest > 0 else "")


@dataclass(frozen=True)
class Tile:
    """A figure with its label and up to two comparison lines (each already formatted)."""

    label: str
    value: str
    lines: tuple[tuple[str, bool | None], ...] = ()
    """(text, good): good news in green, bad in red, None in grey."""
    note: str = ""


def tiles(items: Iterable[Tile]) -> str:
    """A responsive row of tiles."""
    cells = []
    for item in items:
        lines = "".join(
            f'<div class="delta {_tone(good)}">{esc(text)}</div>' for text, good in item.lines
        )
        note = f'<div class="note">{esc(item.note)}</div>' if item.note else ""
        cells.append(
            f'<div class="tile"><div class="label">{esc(item.label)}</div>'
            f'<div class="value">{esc(item.value)}</div>{lines}{note}</div>'
        )
    return f'<div class="tiles">{"".join(cells)}</div>'


def _tone(good: bool | None) -> str:
    return "neutral" if good is None else ("good" if good else "bad")


def arrow(delta: float | None) -> str:
    """▲ for a rise, ▼ for a fall, ▬ for none."""
    if missing(delta) or delta == 0:
        return "▬"
    assert delta is not None
    return "▲" if delta > 0 else "▼"


def badge(status: str, label: str) -> str:
    return f'<span class="badge {STATUS_CLASS.get(status, "watch")}">{esc(label)}</span>'


def table(frame: pd.DataFrame, numeric: Iterable[str] = ()) -> str:
    """A DataFrame of already formatted cells as an HTML table; `numeric` columns align right."""
    right = set(numeric)
    head = "".join(
        f'<th class="{"num" if column in right else ""}">{esc(column)}</th>'
        for column in frame.columns
    )
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="{"num" if column in right else ""}">{esc(cell)}</td>'
            for column, cell in zip(frame.columns, row, strict=True)
        )
        + "</tr>"
        for row in frame.itertuples(index=False, name=None)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def chart(figure: go.Figure, div_id: str, height: int = CHART_HEIGHT) -> str:
    """A plotly figure drawn by the pack's one copy of plotly.js, from inline JSON."""
    figure.update_layout(font={"family": FONT_STACK}, height=height, autosize=True)
    payload = figure.to_json().replace("<", "\\u003c")
    config = json.dumps(CHART_CONFIG)
    return (
        f'<div class="chart" id="{esc(div_id)}" style="height:{height}px"></div>'
        f"<script>(function(){{var f={payload};"
        f'Plotly.newPlot("{esc(div_id)}",f.data,f.layout,{config});}})();</script>'
    )


def section(name: str, body: str, lang: Language) -> str:
    """A part of the pack: <section id=name> with its title (report.section.<name>) and intro
    (report.<name>.intro), starting a new page when printed."""
    title, intro = t(f"report.section.{name}", lang), t(f"report.{name}.intro", lang)
    return (
        f'<section id="{esc(name)}"><h2>{esc(title)}</h2>'
        f'<p class="intro">{esc(intro)}</p>{body}</section>'
    )


def page_text(prefix: str) -> Callable[..., str]:
    """A look-up of a page's own words (e.g. concentration_page.<key>), so the pack and the
    page say the same thing."""

    def text(key: str, lang: Language, **params: object) -> str:
        return t(f"{prefix}.{key}", lang, **params)

    return text


def note(text: str) -> str:
    return f'<p class="muted">{esc(text)}</p>'


def bullets(items: Iterable[str]) -> str:
    listed = "".join(f"<li>{esc(item)}</li>" for item in items)
    return f"<ul>{listed}</ul>" if listed else ""


STYLE: Final = (
    """
:root { --ink:#1f2933; --muted:#6b7280; --line:#e5e7eb; --navy:#4e79a7;
        --good:#15803d; --bad:#b91c1c; --warn:#b45309; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #f7f8fa; font-family: FONT; line-height: 1.45; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 28px 60px; }
header.cover { border-bottom: 3px solid var(--navy); margin-bottom: 12px; padding-bottom: 8px; }
h1 { font-size: 2rem; margin: 0 0 4px; }
h2 { font-size: 1.5rem; margin: 36px 0 8px; border-bottom: 1px solid var(--line);
     padding-bottom: 4px; }
h3 { font-size: 1.1rem; margin: 20px 0 6px; }
nav.toc a { margin-right: 14px; color: var(--navy); text-decoration: none; }
.meta, .muted, .note, .intro { color: var(--muted); font-size: .9rem; }
.tiles { display: grid; grid-template-columns: repeat(auto-fill, minmax(200px, 1fr)); gap: 10px;
         margin: 10px 0; }
.tile, .panel, .card, .alert { background: #fff; border: 1px solid var(--line);
                               border-radius: 8px; padding: 10px 12px; }
.tile .label { color: var(--muted); font-size: .85rem; }
.tile .value { font-size: 1.6rem; font-weight: 600; }
.delta { font-size: .85rem; } .good { color: var(--good); } .bad { color: var(--bad); }
.neutral { color: var(--muted); }
.grid2 { display: grid; grid-template-columns: repeat(auto-fit, minmax(440px, 1fr)); gap: 12px; }
.panel h3, .card h3 { margin-top: 0; }
.badge { display: inline-block; border-radius: 10px; padding: 0 8px; font-size: .8rem;
         font-weight: 600; color: #fff; margin-right: 6px; }
.badge.ok { background: var(--good); } .badge.watch { background: var(--warn); }
.badge.act { background: var(--bad); }
.alert { margin: 8px 0; border-left: 5px solid var(--warn); }
.alert.act { border-left-color: var(--bad); }
.chart { width: 100%; background: #fff; border: 1px solid var(--line); border-radius: 8px;
         margin: 10px 0; }
table { border-collapse: collapse; width: 100%; background: #fff; font-size: .88rem;
        margin: 8px 0; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 8px; text-align: left; }
th { background: #f0f2f5; } td.num, th.num { text-align: right; white-space: nowrap; }
ul { margin: 4px 0 8px 18px; padding: 0; }
footer { margin-top: 40px; color: var(--muted); font-size: .8rem; }
@media print { body { background: #fff; } section { break-before: page; }
               nav.toc { display: none; } }
"""
).replace("FONT", FONT_STACK)
"""The pack's only style sheet: inline, no web fonts."""
