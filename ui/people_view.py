"""How the Key people page shows its tiles, the coverage heatmap, one account and the alerts.

Every name from a file is shown as text: escaped for markdown, or in a dataframe or chart.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from core.alerts import Alert
from core.i18n import Language
from core.people import PeopleSummary, role_order
from core.people_playbook import levers, levers_in_place, style_card
from core.reference_fields import STYLES
from ui.alerts import AlertTexts, render_alert_list
from ui.format import compact_money, download_table, escape_markdown, rate
from ui.people_cache import heatmap_chart, relationship_chart
from ui.state import tr

CHART_CONFIG = {"displaylogo": False}
HEATMAP_TOP = 30
"""Key accounts in the heatmap by default."""
STANCE_CODES = ("champion", "supporter", "neutral", "detractor", "unknown", "none")


def txt(key: str, **params: object) -> str:
    """Page text (people_page.<key>) in the current language."""
    return tr(f"people_page.{key}", **params)


def role_names() -> dict[str, str]:
    return {role: tr(f"people.role.{role}") for role in role_order()}


def stance_names() -> dict[str, str]:
    return {code: tr(f"people.stance.{code}") for code in STANCE_CODES}


def _days(value: object) -> str:
    return txt("no_days") if value is None or pd.isna(value) else f"{value:.0f}{txt('days')}"


def render_tiles(summary: PeopleSummary, lang: Language, currency: str | None) -> None:
    """Key accounts, single-threaded accounts, key revenue at risk, average coverage."""
    first, second, third, fourth = st.columns(4)
    first.metric(
        txt("tile_key_accounts"),
        f"{summary.key_accounts:,}",
        help=txt("tile_key_accounts_help"),
    )
    second.metric(
        txt("tile_single"), f"{summary.single_threaded_accounts:,}", help=txt("tile_single_help")
    )
    third.metric(
        txt("tile_at_risk"),
        rate(summary.key_revenue_at_risk_share),
        help=txt("tile_at_risk_help"),
    )
    third.caption(compact_money(summary.key_revenue_at_risk, lang, currency))
    coverage = summary.mean_key_coverage
    fourth.metric(
        txt("tile_coverage"),
        "–" if coverage is None else f"{coverage:.0f}",
        help=txt("tile_coverage_help"),
    )
    fourth.caption(f"{txt('tile_uncovered')}: {summary.key_accounts_uncovered:,}")


def render_heatmap(
    cells: pd.DataFrame, accounts: pd.DataFrame, alerted: set[str], recency: int
) -> None:
    """Key accounts × buying roles, with a choice of which accounts to show: the top ones, those
    with an alert (`alerted` account ids), or all."""
    key = accounts[accounts["is_key"]]
    gaps = key[key["account_id"].isin(alerted)]
    options = {
        "top": txt("heatmap_top", count=min(HEATMAP_TOP, len(key))),
        "gaps": f"{txt('heatmap_gaps')} ({len(gaps)})",
        "all": txt("heatmap_all", count=len(key)),
    }
    choice = st.segmented_control(
        txt("heatmap_show"),
        list(options),
        default="top",
        format_func=options.get,
        key="people.heatmap_show",
    )
    if choice == "gaps":
        shown = cells[cells["account_id"].isin(gaps["account_id"])]
    elif choice == "all":
        shown = cells
    else:
        shown = cells[cells["account_id"].isin(key["account_id"].head(HEATMAP_TOP))]
    if shown.empty:
        st.caption(txt("alerts_none"))
        return
    figure = heatmap_chart(
        shown,
        txt("heatmap_title"),
        role_names(),
        stance_names(),
        {
            "days": txt("days"),
            "never": txt("never"),
            "people": txt("people"),
            "stance": txt("stance"),
        },
        recency,
    )
    st.plotly_chart(figure, config=CHART_CONFIG, key="people.heatmap")
    st.caption(txt("heatmap_note", recency=recency))


def account_labels(accounts: pd.DataFrame) -> dict[str, str]:
    """Account id -> its choice label, key accounts first (names as plain text)."""
    return {
        row.account_id: txt(
            "account_option", name=row.name, id=row.account_id, coverage=row.coverage
        )
        for row in accounts.itertuples(index=False)
    }


def render_account(row: pd.Series, people: pd.DataFrame, lang: Language, recency: int) -> None:
    """One account: its facts, relationship map, people, style cards and levers."""
    st.caption(
        escape_markdown(
            txt(
                "account_facts",
                coverage=row["coverage"],
                contacts=int(row["contacts"]),
                roles=int(row["roles_filled"]),
                days=_days(row["days_since_contact"]),
            )
        )
    )
    if people.empty:
        st.info(txt("no_contacts"))
        return
    figure = relationship_chart(
        people,
        txt("map_title", name=row["name"]),
        role_names(),
        stance_names(),
        {
            "influence": txt("influence"),
            "days": txt("days"),
            "never": txt("never"),
            "title": txt("job_title"),
        },
    )
    st.plotly_chart(figure, config=CHART_CONFIG, key="people.map")
    st.caption(txt("map_note"))
    _people_table(people)
    cards, checklist = st.columns([3, 2])
    with cards:
        _style_cards(people, lang)
    with checklist:
        _levers(row["account_id"], people, lang, recency)


def _people_table(people: pd.DataFrame) -> None:
    st.markdown(f"**{txt('contacts_title')}**")
    roles, stances = role_names(), stance_names()
    table = pd.DataFrame(
        {
            txt("col_name"): people["contact_name"],
            txt("col_title"): people["title"],
            txt("col_role"): people["buying_role"].map(roles),
            txt("col_style"): people["style"].map(
                lambda s: tr(f"people.style.{s}") if s in STYLES else tr("people.style.unknown")
            ),
            txt("col_influence"): people["influence"],
            txt("col_stance"): people["stance"].map(lambda s: stances.get(s, stances["unknown"])),
            txt("col_last"): pd.to_datetime(people["last_contact"]).dt.strftime("%Y-%m-%d"),
            txt("col_days"): people["days"],
            txt("col_owner"): people["owner"],
        }
    )
    st.dataframe(table, hide_index=True)
    download_table(table, "key-people.csv", "people_download_contacts")


def _style_cards(people: pd.DataFrame, lang: Language) -> None:
    st.markdown(f"**{txt('cards_title')}**")
    for row in people.itertuples(index=False):  # one card per person: a handful
        known = row.style in STYLES
        style = tr(f"people.style.{row.style}") if known else tr("people.style.unknown")
        label = escape_markdown(txt("card_label", name=row.contact_name, style=style))
        with st.expander(label):
            if not known:
                st.caption(txt("card_unknown"))
                continue
            card = style_card(row.style, lang)
            st.markdown(f"**{escape_markdown(card.label)}** — {escape_markdown(card.approach)}")
            st.markdown(
                f"*{txt('card_do')}*\n"
                + "\n".join(f"- {escape_markdown(line)}" for line in card.do)
            )
            st.markdown(
                f"*{txt('card_avoid')}*\n"
                + "\n".join(f"- {escape_markdown(line)}" for line in card.avoid)
            )


def _levers(account_id: str, people: pd.DataFrame, lang: Language, recency: int) -> None:
    st.markdown(f"**{txt('levers_title')}**")
    in_place = levers_in_place(people, recency)
    for lever in levers(lang):
        st.checkbox(
            lever.label,
            value=in_place.get(lever.lever, False),
            help=lever.hint,
            key=f"people.lever.{account_id}.{lever.lever}",
        )
    st.caption(txt("levers_note"))


def render_alerts(
    alerts: list[Alert], names: dict[str, str], lang: Language, currency: str | None
) -> None:
    """The relationship alerts with their evidence (the shared alert list)."""
    texts = AlertTexts(
        title=txt("alerts_title"),
        none=txt("alerts_none"),
        evidence_label=txt("evidence"),
        involved=txt("involved"),
        severity=lambda code: txt(f"severity_{code}"),
        rule=lambda code: tr(f"people.rule.{code}"),
        and_more=lambda count: txt("and_more", count=count),
    )

    def evidence(alert: Alert) -> str:
        figures = alert.evidence
        return txt(
            "evidence_text",
            coverage=figures.get("coverage") or 0.0,
            contacts=figures.get("contacts") or 0,
            days=_days(figures.get("days_since_contact")),
            revenue=compact_money(figures.get("net_revenue"), lang, currency),
        )

    render_alert_list(alerts, texts, evidence, names, lang)


def as_of_text(as_of: date) -> str:
    return as_of.isoformat()
