"""The QBR pack: one self-contained HTML file for a period — overview, concentration,
discounts, segments and the strategy cards — for sending round or opening offline.

plotly.js is embedded once, inline; there is no link to any script, style sheet or font, so the
file opens without a network. Every figure is computed on a connection scoped with
core.scope.scope_connection, so anonymised names and indexed money reach every table, chart and
hover label, and every name is escaped on its way into the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Final, Literal

import duckdb
import pandas as pd
from plotly.offline import get_plotlyjs

from core.bridge import prior_bridge
from core.concentration_report import concentration_report
from core.concentration_sql import comparisons
from core.db import Database
from core.discounts import corridor_outliers, discount_creep, price_waterfall
from core.discounts_base import discount_base
from core.discounts_creep import buys_nothing, creep_end_month
from core.discounts_views import kpi_comparison
from core.i18n import Language, t
from core.metrics import Period, period_currency
from core.overview import overview
from core.people import has_contacts
from core.people_alerts import people_alerts
from core.report_html import STYLE, esc, note
from core.report_sections import concentration_section, overview_section, span_text
from core.report_segments import (
    DiscountFigures,
    discounts_section,
    segments_section,
    strategy_section,
)
from core.scope import DIMENSIONS, Scope, scope_connection
from core.scorecard import scorecard
from core.scorecard_tiers import tier_summary
from core.segments import segment_mix
from core.settings import Settings, get_settings
from core.sql import scalar
from core.strategy import strategy_cards

SectionName = Literal["overview", "concentration", "discounts", "segments", "strategy"]
SECTIONS: Final[tuple[SectionName, ...]] = (
    "overview",
    "concentration",
    "discounts",
    "segments",
    "strategy",
)
"""The pack's sections, in order; each is an element <section id="name">."""
HTML_LANG: Final[dict[str, str]] = {"en": "en", "zh": "zh-CN"}


class ReportError(ValueError):
    """The pack cannot be made, e.g. no stored month falls in the period."""


@dataclass(frozen=True)
class Report:
    """A finished pack."""

    html: str
    """The whole document."""
    period: Period
    """The period it covers: the one asked for, clipped to stored months."""
    sections: tuple[SectionName, ...]
    data_version: int
    """The database's data version the figures were read at."""


@cache
def plotly_js() -> str:
    """plotly.js, minified, as shipped with the plotly package (a few MB)."""
    return get_plotlyjs()


def render_report(
    source: Database | duckdb.DuckDBPyConnection,
    period: Period,
    lang: Language = "en",
    scope: Scope | None = None,
    *,
    settings: Settings | None = None,
    generated_at: datetime | None = None,
) -> Report:
    """The pack for `period` as the scope shows the data (default: as stored).

    A connection given is scoped in place (its temporary views change); a Database is opened
    for the duration. Raises ReportError when no stored month falls in the period.
    """
    scope = scope or Scope()
    if isinstance(source, Database):
        with source.connect() as con:
            scope_connection(con, scope)
            return _render(con, period, lang, scope, settings or get_settings(), generated_at)
    scope_connection(source, scope)
    return _render(source, period, lang, scope, settings or get_settings(), generated_at)


def stored_period(db: Database, period: Period) -> Period | None:
    """The period clipped to the stored months; None when none of them falls in it."""
    with db.connect() as con:
        return comparisons(con, period).current


def build_report(
    source: Database | duckdb.DuckDBPyConnection,
    period: Period,
    lang: Language = "en",
    scope: Scope | None = None,
    **options: object,
) -> str:
    """The pack's HTML (see render_report)."""
    return render_report(source, period, lang, scope, **options).html  # type: ignore[arg-type]


def _discounts(con: duckdb.DuckDBPyConnection, period: Period, settings: Settings):
    base = discount_base(con, period)
    waterfall = price_waterfall(con, period, base=base)
    end_month = creep_end_month(con, period, base)
    creep = discount_creep(con, end_month, base) if end_month else pd.DataFrame()
    if not creep.empty:
        flagged = set(buys_nothing(creep, settings.discounts.creep_points)["account"])
        creep = creep.assign(buys_nothing=creep["account"].isin(flagged))
    return DiscountFigures(
        kpis=kpi_comparison(con, period),
        waterfall=waterfall if waterfall.rows else None,
        creep=creep,
        outliers=corridor_outliers(con, period, settings.discounts, base),
    )


def _render(
    con: duckdb.DuckDBPyConnection,
    period: Period,
    lang: Language,
    scope: Scope,
    settings: Settings,
    generated_at: datetime | None,
) -> Report:
    missing = t("report.not_stored", lang)
    view = overview(con, period, settings)
    current = view.period
    if current is None:
        raise ReportError(t("report.no_data", lang, span=span_text(period, "–")))
    people = people_alerts(con, current, settings.people) if has_contacts(con) else []
    card = scorecard(con, current, settings.scorecard)
    body = [
        overview_section(view, lang),
        concentration_section(
            concentration_report(con, current, "account", settings.concentration), lang
        ),
        discounts_section(_discounts(con, current, settings), lang),
        segments_section(
            segment_mix(con, current), prior_bridge(con, current), tier_summary(con, card), lang
        ),
        strategy_section(strategy_cards(con, current, extra_alerts=people), lang),
    ]
    version = int(
        scalar(con, "SELECT coalesce(max(value), '0') FROM meta WHERE key = 'data_version'")
    )
    notes = [
        t("report.compared", lang,
          prior=span_text(view.prior_period, missing),
          last_year=span_text(view.last_year_period, missing)),
        _money_note(con, current, scope, lang),
    ]  # fmt: skip
    if scope.anonymise:
        notes.append(t("report.anonymised", lang))
    if not scope.filters.is_empty():
        notes.append(t("report.filtered", lang, filters=_filters_text(scope, lang)))
    stamp = (generated_at or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    title = t("report.title", lang, span=span_text(current, missing))
    head = (
        f'<header class="cover"><h1>{esc(title)}</h1>'
        f'<p class="meta">{esc(t("report.subtitle", lang))}</p>'
        f'<p class="meta" id="generated">'
        f"{esc(t('report.generated', lang, time=stamp, version=version))}</p>"
        + "".join(note(text) for text in notes)
        + _contents(lang)
        + "</header>"
    )
    document = (
        f'<!DOCTYPE html><html lang="{HTML_LANG[lang]}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta name="generator" content="Keystone"><title>{esc(title)}</title>'
        f"<style>{STYLE}</style><script>{plotly_js()}</script></head>"
        f'<body><main data-version="{version}">{head}{"".join(body)}'
        f"<footer>{esc(t('report.footer', lang))}</footer></main></body></html>"
    )
    return Report(html=document, period=current, sections=SECTIONS, data_version=version)


def _money_note(
    con: duckdb.DuckDBPyConnection, period: Period, scope: Scope, lang: Language
) -> str:
    if scope.index_month is not None:
        return t("report.indexed", lang, month=scope.index_month.strftime("%Y-%m"))
    code = period_currency(con, period)
    return t("report.currency", lang, currency=code) if code else t("report.no_currency", lang)


def _filters_text(scope: Scope, lang: Language) -> str:
    """'regions: East, West; …' — values left out when anonymised (they may be names)."""
    parts = []
    for name in DIMENSIONS:
        values = getattr(scope.filters, name)
        if values:
            label = t(f"report.filter.{name}", lang)
            shown = f"{len(values)}" if scope.anonymise else ", ".join(values)
            parts.append(f"{label}: {shown}")
    return "; ".join(parts)


def _contents(lang: Language) -> str:
    links = "".join(
        f'<a href="#{name}">{esc(t(f"report.section.{name}", lang))}</a>' for name in SECTIONS
    )
    return f'<nav class="toc"><b>{esc(t("report.contents", lang))}:</b> {links}</nav>'


__all__ = [
    "SECTIONS",
    "Report",
    "ReportError",
    "build_report",
    "plotly_js",
    "render_report",
    "stored_period",
]
