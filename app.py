"""Keystone's router: page setup, the shared sidebar widgets, then the selected page."""

from __future__ import annotations

import streamlit as st

from core.db import DatabaseError
from core.error_log import configure_logging
from core.i18n import LANGUAGES
from ui import presentation as qbr
from ui.access import render_gate
from ui.errors import log_error
from ui.navigation import build_pages
from ui.scope import render_filters, render_period, restore_from_url, write_url
from ui.state import (
    LANGUAGE_KEY,
    database,
    initial_language,
    period,
    settings,
    stored_months,
    sync_period,
    tr,
)

# Each language is named in itself, so anyone can find their own.
LANGUAGE_NAMES = {"en": "English", "zh": "中文"}

st.set_page_config(page_title="Keystone", page_icon=":material/key:", layout="wide")
configure_logging()

if LANGUAGE_KEY not in st.session_state:
    st.session_state[LANGUAGE_KEY] = initial_language()
with st.sidebar:
    st.segmented_control(
        tr("app.language"),
        LANGUAGES,
        format_func=LANGUAGE_NAMES.get,
        required=True,
        key=LANGUAGE_KEY,
    )
st.query_params[LANGUAGE_KEY] = st.session_state[LANGUAGE_KEY]
# With [auth] in secrets.toml, nothing below (not even the stored months) shows before login.
render_gate()

if not settings().db_path.exists():
    with st.spinner(tr("app.building_demo")):
        database()

try:
    months = stored_months()
except DatabaseError as exc:  # missing, unreadable or damaged: say which file and what to run
    log_error(exc, "startup")
    st.error(f"{tr('reliability.database_unusable')}\n\n{exc}", icon=":material/error:")
    st.stop()
with st.sidebar:
    st.subheader(tr("app.period"))
    if months:
        restore_from_url(months)
        sync_period(months)
        render_period(months)
        render_filters()
        write_url()
    else:
        st.caption(tr("app.no_months"))
    qbr.restore_from_url()
    qbr.render_switches()
    qbr.write_url()
if qbr.presenting():
    chosen = period()
    qbr.apply_presentation(
        " – ".join(dict.fromkeys(m.strftime("%Y-%m") for m in (chosen.start, chosen.end) if m))
    )

# On a shared screen the sidebar is hidden, so the pages move to a bar along the top.
page = st.navigation(build_pages(), position="top" if qbr.presenting() else "sidebar")
try:
    page.run()
except DatabaseError as exc:
    log_error(exc, page.url_path or "home")
    st.error(f"{tr('reliability.database_unusable')}\n\n{exc}", icon=":material/error:")
except Exception as exc:  # the browser shows a generic message; the log says where and when
    log_error(exc, page.url_path or "home")
    raise
