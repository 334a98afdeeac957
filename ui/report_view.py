"""The QBR pack's download in the sidebar: the current period, language and scope as one HTML
file (core.report), built on the first click and cached per data version."""

from __future__ import annotations

import html
from datetime import date
from functools import partial

import streamlit as st

from core.i18n import Language
from core.metrics import Period
from core.report import ReportError, render_report
from core.scope import Scope
from ui.state import SCOPE_MARK, _database, cache_key, has_data, language, period, tr

HTML_MIME = "text/html"


@st.cache_data(show_spinner=False, max_entries=8)
def _pack(path: str, version: int, start: date | None, end: date | None, lang: Language) -> bytes:
    """The pack's bytes; `path` carries the scope's token as ui.state.cache_key does."""
    stored, _, token = path.partition(SCOPE_MARK)
    try:
        report = render_report(
            _database(stored), Period(start=start, end=end), lang, Scope.from_token(token)
        )
    except ReportError as exc:  # no stored month in the period: say so in the file itself
        return f"<!DOCTYPE html><meta charset='utf-8'><p>{html.escape(str(exc))}</p>".encode()
    return report.html.encode("utf-8")


def pack_bytes(start: date | None, end: date | None, lang: Language, key: tuple[str, int]) -> bytes:
    """The pack for a period, language and cache key (scope and data version), cached."""
    return _pack(*key, start, end, lang)


def file_name(chosen: Period) -> str:
    """keystone-qbr-2025-11_2026-10.html (one month: keystone-qbr-2026-10.html)."""
    months = [month.strftime("%Y-%m") for month in (chosen.start, chosen.end) if month]
    return f"keystone-qbr-{'_'.join(dict.fromkeys(months)) or 'all'}.html"


def render_report_download() -> None:
    """'Download QBR pack' for the sidebar period in the UI language, as the sidebar's scope
    shows the data (anonymised names, indexed money, filters). Built only when clicked."""
    if not has_data():
        return
    chosen = period()
    st.download_button(
        tr("report.button"),
        partial(pack_bytes, chosen.start, chosen.end, language(), cache_key()),
        file_name=file_name(chosen),
        mime=HTML_MIME,
        key="qbr_pack",
        icon=":material/slideshow:",
        help=tr("report.button_help"),
        width="stretch",
    )
