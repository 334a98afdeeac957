"""The app's pages, in sidebar order. A new page is one more entry in PAGES."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import streamlit as st

from ui.state import tr


@dataclass(frozen=True)
class PageSpec:
    """One page of the app."""

    script: str
    """Path of the page script, relative to app.py."""
    title_key: str
    """UI-text key of the page title in the navigation."""
    icon: str
    """Material icon shown next to the title."""
    url_path: str
    """Stable URL of the page, the same in every language; '' for the landing page."""


PAGES: Final[tuple[PageSpec, ...]] = (
    PageSpec("app_pages/home.py", "nav.home", ":material/dashboard:", ""),
    PageSpec("app_pages/data.py", "nav.data", ":material/upload_file:", "data"),
    PageSpec(
        "app_pages/concentration.py",
        "concentration_page.nav",
        ":material/donut_small:",
        "concentration",
    ),
    PageSpec("app_pages/discounts.py", "discounts_page.nav", ":material/sell:", "discounts"),
    PageSpec("app_pages/segments.py", "segments_page.nav", ":material/category:", "segments"),
    PageSpec("app_pages/strategy.py", "strategy_page.nav", ":material/flag:", "strategy"),
    PageSpec("app_pages/people.py", "people_page.nav", ":material/groups:", "people"),
    PageSpec("app_pages/account.py", "account_page.nav", ":material/person_search:", "account"),
)
"""The landing page first; it is the default."""


def build_pages() -> list[st.Page]:
    """st.Page objects with titles in the current language."""
    return [
        st.Page(
            spec.script,
            title=tr(spec.title_key),
            icon=spec.icon,
            url_path=spec.url_path or None,
            default=position == 0,
        )
        for position, spec in enumerate(PAGES)
    ]
