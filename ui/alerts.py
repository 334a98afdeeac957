"""The alert list every analysis page shows: severity, message, evidence, accounts involved."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import streamlit as st

from core.alerts import Alert
from core.i18n import Language
from ui.format import escape_markdown

SHOWN_ACCOUNTS = 8
"""Accounts named per alert before 'and N more'."""


@dataclass(frozen=True)
class AlertTexts:
    """The page's own words around its alerts, already in the UI language."""

    title: str
    none: str
    evidence_label: str
    involved: str
    severity: Callable[[str], str]
    """Severity code -> label, e.g. 'act' -> 'Act'."""
    rule: Callable[[str], str]
    """Rule code -> label."""
    and_more: Callable[[int], str]
    """'and N more' for accounts beyond SHOWN_ACCOUNTS."""


def render_alert_list(
    alerts: Sequence[Alert],
    texts: AlertTexts,
    evidence: Callable[[Alert], str],
    names: dict[str, str],
    lang: Language,
) -> None:
    """Each alert as a box (red to act, amber to watch) with its evidence and accounts as text."""
    st.subheader(texts.title)
    if not alerts:
        st.success(texts.none, icon=":material/check_circle:")
        return
    for alert in alerts:
        act = alert.severity == "act"
        head = (
            f"**{texts.severity(alert.severity)} · {texts.rule(alert.rule)}** — "
            f"{escape_markdown(alert.message(lang))}"
        )
        box = st.error if act else st.warning
        box(head, icon=":material/priority_high:" if act else ":material/visibility:")
        shown = [names.get(key, key) for key in alert.accounts[:SHOWN_ACCOUNTS]]
        more = len(alert.accounts) - len(shown)
        involved = ", ".join(shown) + (f" {texts.and_more(more)}" if more > 0 else "")
        st.caption(
            escape_markdown(
                f"{texts.evidence_label}: {evidence(alert)} — {texts.involved}: {involved}"
            )
        )
