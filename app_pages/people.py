"""Key people: buying-centre coverage, decision-maker styles and relationship risk per account."""

from __future__ import annotations

import streamlit as st

from ui.people_cache import accounts, alerts, cells, contacts, currency, summary, thresholds
from ui.people_view import (
    account_labels,
    render_account,
    render_alerts,
    render_heatmap,
    render_tiles,
    txt,
)
from ui.state import language, period, stop_without_data, tr

st.title(txt("title"))
st.caption(txt("intro"))
chosen = period()
stop_without_data(txt("empty"))

figures = summary(chosen)
limits = thresholds()
if figures.contacts == 0:
    st.info(txt("no_contacts"))
    st.page_link("app_pages/data.py", label=tr("home.go_to_data"), icon=":material/upload_file:")
    st.stop()

lang, money_code = language(), currency(chosen)
st.caption(txt("caption", as_of=figures.as_of.isoformat(), recency=limits.recency_days))
render_tiles(figures, lang, money_code)

table = accounts(chosen)
names = dict(zip(table["account_id"], table["name"], strict=True))

risks = alerts(chosen)
st.divider()
render_alerts(risks, names, lang, money_code)

st.divider()
alerted = {key for alert in risks for key in alert.accounts}
render_heatmap(cells(chosen), table, alerted, limits.recency_days)

st.divider()
st.subheader(txt("account_title"))
labels = account_labels(table)
# Open on the account of the first alert: the relationship that most needs a look.
first = next((a.accounts[0] for a in risks if a.accounts and a.accounts[0] in labels), None)
options = list(labels)
picked = st.selectbox(
    txt("account_pick"),
    options,
    index=options.index(first) if first else 0,
    format_func=labels.get,
    key="people.account",
)
if picked is not None:
    row = table[table["account_id"] == picked].iloc[0]
    render_account(row, contacts(picked, figures.as_of), lang, limits.recency_days)
