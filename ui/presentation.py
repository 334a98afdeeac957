"""QBR mode: the switches for a shared screen, and presentation mode's look.

Anonymised names and indexed money are part of the data scope (core.scope, ui.state), so every
page, chart, table and download shows them without knowing. Presentation mode is a look: no
sidebar, no app chrome, larger type, and the period after every page title.
"""

from __future__ import annotations

import re
from typing import Final

import streamlit as st

from ui.report_view import render_report_download
from ui.state import ANONYMISE_KEY, INDEX_KEY, tr

PRESENT_KEY: Final = "qbr_present"
"""Session-state key of presentation mode (also ?present=1)."""

SWITCHES: Final[dict[str, str]] = {
    PRESENT_KEY: "present",
    ANONYMISE_KEY: "anonymise",
    INDEX_KEY: "index",
}
"""Session-state key -> query parameter; '1' in the URL switches it on."""

_RESTORED_KEY: Final = "qbr_restored_from_url"


def restore_from_url() -> None:
    """Once per session, before the switches draw: ?present=1, ?anonymise=1, ?index=1."""
    if st.session_state.get(_RESTORED_KEY):
        return
    st.session_state[_RESTORED_KEY] = True
    for key, param in SWITCHES.items():
        if st.query_params.get(param) == "1":
            st.session_state[key] = True


def render_switches() -> None:
    """The QBR switches, in the sidebar."""
    st.subheader(tr("scope.qbr.title"))
    for key, word in SWITCHES.items():
        st.toggle(tr(f"scope.qbr.{word}"), key=key, help=tr(f"scope.qbr.{word}_help"))
    render_report_download()


def write_url() -> None:
    """The switches that are on, as query parameters; the others leave the URL."""
    for key, param in SWITCHES.items():
        if st.session_state.get(key):
            st.query_params[param] = "1"
        elif param in st.query_params:
            del st.query_params[param]


def presenting() -> bool:
    """Whether presentation mode is on."""
    return bool(st.session_state.get(PRESENT_KEY))


_SAFE_PERIOD = re.compile(r"[^0-9A-Za-z \-–·/年月]")


def apply_presentation(period_text: str) -> None:
    """Hide the sidebar and the app's chrome, enlarge the type, put the period after each page
    title, and offer the way back (the sidebar that holds the switch is hidden)."""
    suffix = _SAFE_PERIOD.sub("", period_text)  # only month text goes into the style sheet
    st.html(
        f"""<style>
        [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
        [data-testid="stToolbar"], [data-testid="stDecoration"],
        [data-testid="stElementToolbar"], [data-testid="stDownloadButton"] {{
            display: none !important;
        }}
        [data-testid="stMainBlockContainer"] {{ font-size: 1.2rem; max-width: 96rem; }}
        [data-testid="stMainBlockContainer"] h1 {{ font-size: 3rem; }}
        [data-testid="stMainBlockContainer"] h1::after {{
            content: "  ·  {suffix}"; font-weight: 400; color: #6b7280;
        }}
        [data-testid="stMetricValue"] {{ font-size: 2.6rem; }}
        </style>"""
    )
    st.button(
        tr("scope.qbr.exit"), icon=":material/close_fullscreen:", key="qbr_exit", on_click=_leave
    )


def _leave() -> None:
    st.session_state[PRESENT_KEY] = False
