"""Pieces of the Account page: profile header, tiles, product figures, alerts, group, strategy
card, people and the stored rows. Every stored name is shown as text (escaped markdown)."""

from __future__ import annotations

from functools import partial

import pandas as pd
import streamlit as st

from core.account import AccountProfile, FiguresComparison, GroupMembers, ProductMix
from core.account_drilldown import AccountPeople
from core.account_scorecard import AccountCard
from core.alerts import Alert
from core.i18n import Language, has_text
from core.strategy import SegmentFigures, TriggeredAction, playbook
from ui.format import download_table, escape_markdown, money, rate, tile_money
from ui.state import tr

P = "account_page"
"""Prefix of this page's UI-text keys."""

ANALYSIS_PAGES = {
    "concentration": "app_pages/concentration.py",
    "discounts": "app_pages/discounts.py",
    "people": "app_pages/people.py",
}
"""The page each analysis' alerts come from, by the first part of their message key."""


def txt(key: str, **params: object) -> str:
    """This page's UI text for key."""
    return tr(f"{P}.{key}", **params)


def _term(prefix: str, code: object) -> str:
    """A coded value (segment, tier, role…) in the UI language; unknown codes as they are."""
    if code is None or (isinstance(code, float) and pd.isna(code)):
        return "–"
    key = f"{prefix}.{code}"
    return tr(key) if has_text(key) else str(code)


def segment_name(code: object) -> str:
    return _term("segments.name", code)


def tier_name(code: object) -> str:
    return _term("segments.tier", code)


def option_label(account: str, name: object) -> str:
    """'Name (ID)' for the picker; the key alone when the name is the key."""
    return str(account) if name is None or str(name) == str(account) else f"{name} ({account})"


def _day(day: object) -> str:
    return "–" if day is None or pd.isna(day) else pd.Timestamp(day).strftime("%Y-%m-%d")


def _month(day: object) -> str:
    return "–" if day is None or pd.isna(day) else pd.Timestamp(day).strftime("%Y-%m")


def render_profile(profile: AccountProfile) -> None:
    """The account's name, key-account badge, descriptive fields and rank."""
    st.header(escape_markdown(profile.name), anchor=False)
    if profile.key_account:
        st.badge(txt("key_account"), icon=":material/star:", color="orange")
    facts = [
        txt("fact.id", id=profile.account),
        txt("fact.group", group=profile.parent_group or txt("none")),
        txt("fact.segment", segment=segment_name(profile.segment)),
        txt("fact.owner", owner=profile.owner or txt("none")),
        txt("fact.region", region=profile.region or txt("none")),
        txt("fact.industry", industry=profile.industry or txt("none")),
    ]
    st.caption(escape_markdown(" · ".join(facts)))
    if profile.revenue_rank is not None:
        standing = txt(
            "rank",
            rank=profile.revenue_rank,
            n=profile.ranked_accounts,
            share=profile.revenue_share or 0.0,
            keys=profile.key_accounts,
        )
    else:
        standing = txt("rank_none")
    stored = txt("stored", first=_month(profile.first_month), last=_month(profile.last_month))
    st.caption(escape_markdown(f"{standing} · {stored}"))


def _pp(now: float | None, then: float | None) -> str | None:
    return None if now is None or then is None else f"{(now - then) * 100:+.1f} pp"


def render_tiles(
    figures: FiguresComparison, card: AccountCard | None, trend: pd.DataFrame, lang: Language
) -> None:
    """Net revenue, margin %, discount rate and value score, each against the prior period."""
    now, before = figures.current, figures.prior
    against = txt("vs_prior") if before is not None else None
    revenue_delta = (
        f"{now.net_revenue / before.net_revenue - 1:+.1%}"
        if before is not None and before.net_revenue > 0
        else None
    )
    revenue, margin, discount, score = st.columns(4)
    revenue.metric(
        txt("tile.revenue"),
        tile_money(now.net_revenue, lang),
        revenue_delta,
        help=txt("tile.revenue_help"),
        delta_description=against if revenue_delta else None,
        chart_data=list(trend["net_revenue"].astype(float)) if len(trend) > 1 else None,
        chart_type="bar",
        border=True,
    )
    margin_delta = _pp(now.margin, before.margin) if before is not None else None
    margin.metric(
        txt("tile.margin"),
        rate(now.margin),
        margin_delta,
        help=txt("tile.margin_help"),
        delta_description=against if margin_delta else None,
        border=True,
    )
    discount_delta = _pp(now.discount_rate, before.discount_rate) if before is not None else None
    discount.metric(
        txt("tile.discount"),
        rate(now.discount_rate),
        discount_delta,
        delta_color="inverse",
        help=txt("tile.discount_help"),
        delta_description=against if discount_delta else None,
        border=True,
    )
    if card is None:
        score.metric(txt("tile.score"), "–", help=txt("tile.score_help"), border=True)
        return
    change = f"{card.score_change:+.1f}" if card.score_change is not None else None
    score.metric(
        txt("tile.score"),
        f"{card.score:.0f} · {tier_name(card.tier)}",
        change,
        help=txt("tile.score_help"),
        delta_description=txt("vs_prior") if change else None,
        border=True,
    )


def render_product_figures(mix: ProductMix) -> None:
    """Top-product share, HHI over products, the largest month and volatility, with flags."""
    left, right = st.columns(2)
    left.metric(txt("top_share"), rate(mix.top_share), help=txt("top_share_help"))
    if mix.top_product is not None:
        left.caption(escape_markdown(mix.top_product))
    right.metric(txt("hhi"), "–" if mix.hhi is None else f"{mix.hhi:,.0f}", help=txt("hhi_help"))
    if mix.hhi:
        right.caption(txt("effective_products", products=mix.products, effective=10_000 / mix.hhi))
    left.metric(txt("largest_month"), rate(mix.largest_month_share), help=txt("largest_month_help"))
    if mix.largest_month is not None:
        left.caption(_month(mix.largest_month))
    right.metric(txt("cv"), "–" if mix.cv is None else f"{mix.cv:.2f}", help=txt("cv_help"))
    right.caption(txt("cv_months", months=mix.months))
    if mix.one_product:
        st.warning(
            escape_markdown(txt("one_product", share=mix.top_share, product=mix.top_product or "")),
            icon=":material/inventory_2:",
        )
    if mix.one_month:
        st.warning(
            txt("one_month", share=mix.largest_month_share, month=_month(mix.largest_month)),
            icon=":material/calendar_month:",
        )
    if mix.unnamed_revenue:
        st.caption(txt("unnamed_revenue", revenue=money(mix.unnamed_revenue)))


def _rule(alert: Alert) -> str:
    analysis = alert.message_key.split(".", 1)[0]
    return _term(f"{analysis}.rule", alert.rule)


def render_alerts(alerts: list[Alert], actions: list[TriggeredAction], lang: Language) -> None:
    """Each alert naming the account: severity, rule, message, and the action it calls for."""
    st.subheader(txt("alerts_title", count=len(alerts)), anchor=False)
    if not alerts:
        st.success(txt("alerts_none"), icon=":material/check_circle:")
        return
    for alert in alerts:
        act = alert.severity == "act"
        head = (
            f"**{_term('concentration.severity', alert.severity)} · {escape_markdown(_rule(alert))}"
            f"** — {escape_markdown(alert.message(lang))}"
        )
        box = st.error if act else st.warning
        box(head, icon=":material/priority_high:" if act else ":material/visibility:")
        for action in actions:
            if action.alert == alert:
                st.caption(escape_markdown(txt("action", action=action.text(lang))))
                break
    analyses = dict.fromkeys(alert.message_key.split(".", 1)[0] for alert in alerts)
    links = [name for name in analyses if name in ANALYSIS_PAGES]
    for column, name in zip(st.columns(max(len(links), 1)), links, strict=False):
        column.page_link(
            ANALYSIS_PAGES[name], label=txt(f"open.{name}"), icon=":material/arrow_forward:"
        )


def render_group(group: GroupMembers | None, account: str, lang: Language) -> None:
    """The account's parent group: its share, and its members with their revenue."""
    st.subheader(txt("group_title"), anchor=False)
    if group is None:
        st.caption(txt("group_none"))
        return
    st.markdown(f"**{escape_markdown(group.group)}**")
    st.caption(
        txt(
            "group_figures",
            members=len(group.members),
            revenue=tile_money(group.net_revenue, lang),
            share=group.share or 0.0,
            rank=group.rank if group.rank is not None else "–",
        )
    )
    if group.over_threshold:
        st.warning(txt("group_over", share=group.share or 0.0), icon=":material/warning:")
    members = group.members.assign(
        this=group.members["account"] == account,
    )[["this", "account", "name", "net_revenue", "share"]]
    members = members.rename(columns={column: txt(f"col.{column}") for column in members.columns})
    download_table(members, "group-members.csv", "account_download_group")
    st.dataframe(
        members,
        hide_index=True,
        column_config={
            txt("col.this"): st.column_config.CheckboxColumn(width="small"),
            txt("col.net_revenue"): st.column_config.NumberColumn(format="localized"),
            txt("col.share"): st.column_config.NumberColumn(format="percent"),
        },
    )


def render_strategy(segment: str, figures: SegmentFigures | None, lang: Language) -> None:
    """The segment's strategy card, compact: what they value, its figures, the first actions."""
    st.subheader(txt("strategy_title"), anchor=False)
    book = playbook(segment, lang)
    with st.container(border=True):
        st.markdown(f"**{escape_markdown(book.name)}**")
        st.caption(escape_markdown(book.value))
        if figures is not None:
            growth = "–" if figures.growth is None else f"{figures.growth:+.1%}"
            st.caption(
                txt(
                    "segment_figures",
                    accounts=figures.accounts,
                    share=rate(figures.revenue_share),
                    margin=rate(figures.margin),
                    discount=rate(figures.discount_rate),
                    growth=growth,
                )
            )
        st.markdown("\n".join(f"- {escape_markdown(item)}" for item in book.actions[:3]))
        st.caption(escape_markdown(txt("watch", items=" · ".join(book.watch))))


def render_people(people: AccountPeople | None) -> None:
    """Who is named at the account, by buying role, and how well the buying centre is covered."""
    st.subheader(txt("people_title"), anchor=False)
    if people is None:
        st.caption(txt("people_none"))
        return
    if people.contacts.empty:
        st.warning(txt("people_nobody"), icon=":material/person_off:")
        return
    left, right = st.columns(2)
    left.metric(
        txt("coverage"),
        "–" if people.coverage is None else f"{people.coverage:.0f}",
        help=txt("coverage_help"),
    )
    right.metric(txt("roles_filled"), f"{people.roles_filled} / 5")
    if people.single_threaded:
        st.warning(txt("single_threaded"), icon=":material/person:")
    contacts = people.contacts.assign(
        buying_role=people.contacts["buying_role"].map(partial(_term, "people.role")),
        style=people.contacts["style"].map(partial(_term, "people.style")),
        stance=people.contacts["stance"].map(partial(_term, "people.stance")),
    )
    contacts = contacts.assign(last_contact=contacts["last_contact"].map(_day))
    shown = contacts[
        ["contact_name", "title", "buying_role", "style", "influence", "stance", "last_contact"]
    ]
    shown = shown.rename(columns={column: txt(f"col.{column}") for column in shown.columns})
    st.dataframe(shown, hide_index=True)
    download_table(shown, "account-contacts.csv", "account_download_contacts")


ROW_COLUMNS = (
    "month",
    "product",
    "quantity",
    "net_revenue",
    "list_revenue",
    "discount_amount",
    "off_invoice",
    "cost",
    "gross_profit",
    "source",
    "file",
    "upload_id",
    "line",
    "account_name",
    "parent_group",
    "segment",
    "owner",
    "region",
    "currency",
)
"""The stored row's columns shown, in order (money first, then where the row came from)."""


def render_rows(rows: pd.DataFrame, account: str) -> None:
    """The account's stored rows with upload and line, and their CSV-injection-safe download."""
    st.subheader(txt("rows_title", rows=len(rows)), anchor=False)
    st.caption(txt("rows_caption"))
    if rows.empty:
        st.info(txt("rows_none"))
        return
    shown = rows[list(ROW_COLUMNS)].assign(month=rows["month"].dt.strftime("%Y-%m"))
    shown = shown.rename(columns={column: txt(f"col.{column}") for column in ROW_COLUMNS})
    money_format = st.column_config.NumberColumn(format="localized")
    st.dataframe(
        shown,
        hide_index=True,
        column_config={
            txt(f"col.{column}"): money_format
            for column in (
                "net_revenue",
                "list_revenue",
                "discount_amount",
                "off_invoice",
                "cost",
                "gross_profit",
            )
        },
    )
    download_table(shown, "account-rows.csv", "account_rows_csv", txt("download"))
