"""The QBR pack's discount, segment and strategy sections, as HTML (core/report_html blocks)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import pandas as pd

from core.bridge import BRIDGE_PARTS, Bridge
from core.discounts import Waterfall
from core.discounts_charts import waterfall_figure
from core.discounts_views import KpiComparison
from core.i18n import Language, t
from core.report_html import (
    Tile,
    badge,
    bullets,
    chart,
    esc,
    money,
    note,
    number,
    page_text,
    pct,
    section,
    signed_pct,
    table,
    tiles,
)
from core.report_sections import span_text
from core.segments_charts import chart_names, share_bars_figure
from core.strategy import StrategyCard

TOP_ROWS: Final = 10
"""Rows of the creep and corridor tables."""
SHOWN_ACTIONS: Final = 6
"""Triggered actions listed per strategy card; the count of the rest follows."""
WATERFALL_STEPS: Final = (
    "list", "on_invoice_discount", "invoice", "off_invoice", "pocket", "cost", "gross_profit"
)  # fmt: skip


@dataclass(frozen=True)
class DiscountFigures:
    """What the discount section shows: KPIs, the portfolio waterfall, creep and outliers."""

    kpis: KpiComparison
    waterfall: Waterfall | None
    """None when the period has no rows with list data."""
    creep: pd.DataFrame
    """core.discounts_creep.discount_creep with a boolean buys_nothing column (may be empty)."""
    outliers: pd.DataFrame
    """core.discounts_creep.corridor_outliers."""


_disc = page_text("discounts_page")


def _segment(code: object, lang: Language) -> str:
    if code is None or (isinstance(code, float) and pd.isna(code)):
        return "–"
    return chart_names(lang).get(str(code), str(code))


def _creep_table(creep: pd.DataFrame, lang: Language) -> str:
    rising = creep.dropna(subset=["points"])
    rising = rising[rising["points"] > 0].sort_values(
        ["points", "account"], ascending=[False, True]
    )
    if rising.empty:
        return note(t("report.discounts.creep_none", lang))
    rising = rising.head(TOP_ROWS)
    col = {name: _disc(f"col.{name}", lang) for name in (
        "name", "segment", "rate_prior", "rate_last", "points", "revenue_change", "buys_nothing"
    )}  # fmt: skip
    yes, no = t("report.discounts.yes", lang), t("report.discounts.no", lang)
    frame = pd.DataFrame(
        {
            col["name"]: rising["name"].astype(str).to_numpy(),
            col["segment"]: [_segment(code, lang) for code in rising["segment"]],
            col["rate_prior"]: [pct(value) for value in rising["rate_prior"]],
            col["rate_last"]: [pct(value) for value in rising["rate_last"]],
            col["points"]: [f"{value:+.1f}" for value in rising["points"]],
            col["revenue_change"]: [signed_pct(value) for value in rising["revenue_change"]],
            col["buys_nothing"]: [yes if flag else no for flag in rising["buys_nothing"]],
        }
    )
    numeric = [col[name] for name in ("rate_prior", "rate_last", "points", "revenue_change")]
    return table(frame, numeric)


def _corridor_table(outliers: pd.DataFrame, lang: Language) -> str:
    if outliers.empty:
        return note(t("report.discounts.corridor_none", lang))
    rows = outliers.head(TOP_ROWS)
    col = {name: _disc(f"col.{name}", lang) for name in (
        "name", "segment", "band", "net_revenue", "rate", "peer_p90", "peers", "excess"
    )}  # fmt: skip
    frame = pd.DataFrame(
        {
            col["name"]: rows["name"].astype(str).to_numpy(),
            col["segment"]: [_segment(code, lang) for code in rows["segment"]],
            col["band"]: rows["band"].astype(int).to_numpy(),
            col["net_revenue"]: [money(value, lang) for value in rows["net_revenue"]],
            col["rate"]: [pct(value) for value in rows["rate"]],
            col["peer_p90"]: [pct(value) for value in rows["peer_p90"]],
            col["peers"]: rows["peers"].astype(int).to_numpy(),
            col["excess"]: [f"{value:+.1f}" for value in rows["excess_points"]],
        }
    )
    numeric = [col[name] for name in ("band", "net_revenue", "rate", "peer_p90", "peers", "excess")]
    return table(frame, numeric)


def discounts_section(figures: DiscountFigures, lang: Language) -> str:
    """Discount rate and concession degree, the price waterfall, creep and corridor outliers."""
    now = figures.kpis.current
    parts: list[str] = []
    if now is None or now.discount_rate is None:
        parts.append(note(t("report.discounts.no_list", lang)))
    else:
        parts.append(
            tiles(
                [
                    Tile(
                        _disc("discount_rate", lang),
                        pct(now.discount_rate),
                        note=_disc("discount_rate_caption", lang),
                    ),
                    Tile(
                        _disc("concession", lang),
                        pct(now.concession_degree),
                        note=_disc("concession_caption", lang),
                    ),
                    Tile(
                        _disc("pocket_margin", lang),
                        pct(now.pocket_margin),
                        note=_disc("pocket_margin_caption", lang),
                    ),
                ]
            )  # fmt: skip
        )
        parts.append(note(t("report.discounts.coverage", lang, coverage=now.coverage or 0.0)))
    if figures.waterfall is not None and figures.waterfall.rows:
        names = {step: t(f"discounts.waterfall.{step}", lang) for step in WATERFALL_STEPS}
        title = _disc("waterfall_title", lang, scope=_disc("scope_all", lang))
        parts.append(chart(waterfall_figure(figures.waterfall, title, names), "chart-waterfall"))
    parts.append(f"<h3>{esc(t('report.discounts.creep', lang))}</h3>")
    parts.append(_creep_table(figures.creep, lang) if not figures.creep.empty else note(
        t("report.discounts.creep_none", lang)))  # fmt: skip
    parts.append(f"<h3>{esc(t('report.discounts.corridor', lang))}</h3>")
    parts.append(_corridor_table(figures.outliers, lang))
    return section("discounts", "".join(parts), lang)


_seg = page_text("segments_page")


def _mix_table(mix: pd.DataFrame, lang: Language) -> str:
    col = {name: _seg(f"col.{name}", lang) for name in (
        "segment", "accounts", "net_revenue", "revenue_share", "gross_profit", "margin",
        "profit_share",
    )}  # fmt: skip
    frame = pd.DataFrame(
        {
            col["segment"]: [_segment(code, lang) for code in mix["segment"]],
            col["accounts"]: [number(value) for value in mix["accounts"]],
            col["net_revenue"]: [money(value, lang) for value in mix["net_revenue"]],
            col["revenue_share"]: [pct(value) for value in mix["revenue_share"]],
            col["gross_profit"]: [money(value, lang) for value in mix["gross_profit"]],
            col["margin"]: [pct(value) for value in mix["margin"]],
            col["profit_share"]: [pct(value) for value in mix["profit_share"]],
        }
    )
    return table(frame, [value for name, value in col.items() if name != "segment"])


def _signed_part(part: str, amount: float) -> float:
    """Contraction and lost as the falls they are (a zero stays 0, never -0)."""
    return -amount if part in ("contraction", "lost") and amount else amount


def _bridge_table(bridge: Bridge, lang: Language) -> str:
    names = chart_names(lang)
    segment = _seg("col.segment", lang)
    rows = [(_seg("bridge_portfolio", lang), bridge.total)]
    rows += [(_segment(item.segment, lang), item) for item in bridge.segments]
    frame = pd.DataFrame(
        {
            segment: [label for label, _ in rows],
            **{
                names[f"bridge.{part}"]: [
                    money(_signed_part(part, getattr(item, part)), lang)
                    for _, item in rows
                ]
                for part in BRIDGE_PARTS
            },
        }
    )  # fmt: skip
    return table(frame, [names[f"bridge.{part}"] for part in BRIDGE_PARTS])


def segments_section(
    mix: pd.DataFrame, bridge: Bridge | None, tiers: pd.DataFrame, lang: Language
) -> str:
    """The segment mix (table and share bars), the bridge per segment, and the tiers."""
    parts = [f"<h3>{esc(t('report.segments.mix', lang))}</h3>", _mix_table(mix, lang)]
    if not mix.empty:
        figure = share_bars_figure(mix, _seg("share_title", lang), chart_names(lang))
        parts.append(chart(figure, "chart-segment-shares", height=360))
    missing = t("report.not_stored", lang)
    if bridge is None:
        parts.append(note(t("report.segments.bridge_none", lang)))
    else:
        title = t(
            "report.segments.bridge",
            lang,
            prior=span_text(bridge.start_period, missing),
            current=span_text(bridge.end_period, missing),
        )
        parts += [f"<h3>{esc(title)}</h3>", _bridge_table(bridge, lang)]
    parts.append(f"<h3>{esc(t('report.segments.tiers', lang))}</h3>")
    if tiers.empty or not tiers["accounts"].fillna(0).sum():
        parts.append(note(t("report.segments.tiers_none", lang)))
    else:
        names = chart_names(lang)
        col = {name: _seg(f"col.{name}", lang) for name in (
            "tier", "accounts", "net_revenue", "revenue_share", "margin", "min_score", "max_score"
        )}  # fmt: skip
        frame = pd.DataFrame(
            {
                col["tier"]: [names.get(str(code), str(code)) for code in tiers["tier"]],
                col["accounts"]: [number(value) for value in tiers["accounts"]],
                col["net_revenue"]: [money(value, lang) for value in tiers["net_revenue"]],
                col["revenue_share"]: [pct(value) for value in tiers["revenue_share"]],
                col["margin"]: [pct(value) for value in tiers["margin"]],
                col["min_score"]: [number(value, 1) for value in tiers["min_score"]],
                col["max_score"]: [number(value, 1) for value in tiers["max_score"]],
            }
        )
        parts.append(table(frame, [value for name, value in col.items() if name != "tier"]))
    return section("segments", "".join(parts), lang)


_strat = page_text("strategy_page")


def strategy_card(card: StrategyCard, lang: Language) -> str:
    """A segment's card: what it values, its figures, top accounts, playbook and actions."""
    book = card.playbook(lang)
    parts = [
        f"<h3>{esc(book.name)}</h3>",
        f"<p><i>{esc(t('report.strategy.value', lang))}: {esc(book.value)}</i></p>",
    ]
    figures = card.figures
    if figures is None:
        parts.append(note(_strat("no_accounts", lang)))
    else:
        parts.append(
            tiles(
                [
                    Tile(
                        _strat("revenue", lang),
                        money(figures.net_revenue, lang),
                        note=_strat("revenue_share", lang, share=pct(figures.revenue_share)),
                    ),
                    Tile(_strat("margin", lang), pct(figures.margin)),
                    Tile(
                        _strat("discount", lang),
                        pct(figures.discount_rate),
                        note=_strat("concession", lang, degree=pct(figures.concession_degree)),
                    ),
                    Tile(_strat("growth", lang), signed_pct(figures.growth)),
                    Tile(_strat("accounts", lang), number(figures.accounts)),
                ]
            )  # fmt: skip
        )
        top = [
            f"{top.name} — {money(top.net_revenue, lang)}"
            + (f" ({pct(top.share)})" if top.share is not None else "")
            for top in figures.top_accounts
        ]
        parts.append(f"<b>{esc(_strat('top_accounts', lang))}</b>")
        parts.append(bullets(top) or note(_strat("top_none", lang)))
    parts += [
        f"<b>{esc(_strat('playbook', lang))}</b>",
        bullets(book.actions),
        f"<b>{esc(_strat('watch', lang))}</b>",
        bullets(book.watch),
        f"<b>{esc(_strat('triggered', lang, count=len(card.actions)))}</b>",
    ]
    if not card.actions:
        parts.append(note(_strat("triggered_none", lang)))
    for action in card.actions[:SHOWN_ACTIONS]:
        label = _strat(f"severity.{action.severity}", lang)
        parts.append(
            f'<div class="alert {esc(action.severity)}">{badge(action.severity, label)}'
            f"{esc(action.text(lang))}</div>"
        )
    rest = len(card.actions) - SHOWN_ACTIONS
    if rest > 0:
        parts.append(note(t("report.and_more", lang, count=rest)))
    return f'<div class="card" data-segment="{esc(card.segment)}">{"".join(parts)}</div>'


def strategy_section(cards: list[StrategyCard], lang: Language) -> str:
    """Every segment's strategy card."""
    body = "".join(strategy_card(card, lang) for card in cards)
    return section("strategy", f'<div class="grid2">{body}</div>', lang)
