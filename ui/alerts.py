"""The alert list every analysis page shows: severity, message, evidence, accounts involved."""

from __future__ import annotations

from collections import Counter
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


FLAT_UP_TO = 5
"""Up to this many alerts show as one flat list; more are grouped by rule."""
BOXES_AT_MOST = 20
"""Alerts drawn as boxes per list or group; the rest go into one table. A large portfolio
raises thousands (4,000 on a 1M-row load test), and a box per alert kept pages busy for
minutes; a table is one element however long."""


def overflow_table(rows: Sequence[tuple[str, str]], key: str) -> None:
    """The alerts beyond BOXES_AT_MOST as one table (severity, message) with its downloads."""
    import pandas as pd

    from ui.format import download_table
    from ui.state import tr

    table = pd.DataFrame(
        rows, columns=[tr("scope.overflow.severity"), tr("scope.overflow.message")]
    )
    st.caption(tr("scope.overflow.caption", count=len(table)))
    st.dataframe(table, hide_index=True, height=min(36 * (len(table) + 1) + 3, 320))
    download_table(table, f"{key}.csv", f"{key}_download")


def render_alert_list(
    alerts: Sequence[Alert],
    texts: AlertTexts,
    evidence: Callable[[Alert], str],
    names: dict[str, str],
    lang: Language,
) -> None:
    """Each alert as a box (red to act, amber to watch) with its evidence and accounts as text.

    A long list is grouped by rule, one expander per rule with its count; groups holding an
    'act' alert open, the others start closed, so the decisions come first on a shared screen.
    """
    st.subheader(texts.title)
    if not alerts:
        st.success(texts.none, icon=":material/check_circle:")
        return
    if len(alerts) <= FLAT_UP_TO:
        for alert in alerts:
            _render_alert(alert, texts, evidence, names, lang)
        return
    counts = Counter(alert.severity for alert in alerts)
    st.caption(
        " · ".join(
            f"{texts.severity(severity)}: {counts[severity]}"
            for severity in ("act", "watch")
            if counts[severity]
        )
    )
    groups: dict[str, list[Alert]] = {}
    for alert in alerts:
        groups.setdefault(alert.rule, []).append(alert)
    for rule, members in groups.items():
        act = any(alert.severity == "act" for alert in members)
        label = f"{texts.severity('act' if act else 'watch')} · {texts.rule(rule)} ({len(members)})"
        icon = ":material/priority_high:" if act else ":material/visibility:"
        with st.expander(escape_markdown(label), expanded=act, icon=icon):
            for alert in members[:BOXES_AT_MOST]:
                _render_alert(alert, texts, evidence, names, lang)
            if len(members) > BOXES_AT_MOST:
                overflow_table(
                    [
                        (texts.severity(alert.severity), alert.message(lang))
                        for alert in members[BOXES_AT_MOST:]
                    ],
                    f"alerts-{rule}",
                )


def _render_alert(
    alert: Alert,
    texts: AlertTexts,
    evidence: Callable[[Alert], str],
    names: dict[str, str],
    lang: Language,
) -> None:
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
        escape_markdown(f"{texts.evidence_label}: {evidence(alert)} — {texts.involved}: {involved}")
    )
