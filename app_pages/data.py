"""Data page: upload monthly exports, check and correct them, store them, and see the history."""

from __future__ import annotations

import streamlit as st

from core.db import DatabaseError
from core.history import restore_upload
from core.store import StoreError, store_uploads
from ui.access import is_editor, require_editor
from ui.errors import log_error
from ui.format import month_span
from ui.state import database, known_sources, settings, stored_as, tr, uploads
from ui.upload_view import (
    render_file,
    render_history,
    render_outcome,
    render_preview_changed,
    render_store_refusal,
)
from ui.uploads import (
    UploadChoices,
    companion_status,
    forget_all,
    forget_other_files,
    prepare,
    preview_file,
    remember_previews,
    uploaded_bytes,
)

FILE_TYPES = ["csv", "tsv", "txt", "xlsx", "xlsm", "parquet"]
DATE_ORDERS = ["auto", "dmy", "mdy"]
KINDS = ["export", "contacts", "accounts"]
DEFAULT_SOURCE = "default"
# Bumped after a store: the uploader gets a new key, which empties it.
GENERATION_KEY = "data.uploader_generation"
OUTCOME_KEY = "data.outcome"
FLASH_KEY = "data.flash"

st.title(tr("data.title"))
st.caption(tr("data.intro"))

if OUTCOME_KEY in st.session_state:
    render_outcome(st.session_state.pop(OUTCOME_KEY))
if FLASH_KEY in st.session_state:
    st.success(st.session_state.pop(FLASH_KEY))

if not is_editor():  # viewers read the history; every write below checks the role again
    st.info(tr("access.data_read_only"), icon=":material/visibility:")
    st.subheader(tr("data.history_title"))
    viewed = uploads()
    st.caption(tr("data.history_count", count=len(viewed)) if viewed else tr("data.history_empty"))
    if viewed:
        render_history(viewed)
    st.stop()

st.subheader(tr("data.upload_title"))
with st.container(border=True):
    kind = st.segmented_control(
        tr("reference.kind_label"),
        KINDS,
        default="export",
        format_func=lambda code: tr(f"reference.kind_{code}"),
        key="data.kind",
        help=tr("reference.kind_help"),
    )
    source_col, order_col, sheet_col = st.columns(3)
    sources = sorted({*known_sources(), DEFAULT_SOURCE})
    source = source_col.selectbox(
        tr("data.source"),
        sources,
        index=sources.index(DEFAULT_SOURCE),
        accept_new_options=True,
        key="data.source",
        help=tr("data.source_help"),
    )
    order_names = {order: tr(f"data.date_order_{order}") for order in DATE_ORDERS}
    date_order = order_col.selectbox(
        tr("data.date_order"),
        DATE_ORDERS,
        index=DATE_ORDERS.index(settings().date_order),
        format_func=order_names.get,
        key="data.date_order",
        help=tr("data.date_order_help"),
    )
    sheet = sheet_col.text_input(
        tr("data.sheet"), key="data.sheet", placeholder=tr("data.sheet_placeholder")
    )
    files = st.file_uploader(
        tr("data.files"),
        type=FILE_TYPES,
        accept_multiple_files=True,
        key=f"data.uploader.{st.session_state.get(GENERATION_KEY, 0)}",
        help=tr("data.files_help", limit=f"{settings().max_upload_mb:.0f}"),
    )

choices = UploadChoices(
    (source or "").strip()[:100] or DEFAULT_SOURCE,
    date_order,
    sheet.strip() or None,
    kind or "export",
)
batch_files = uploaded_bytes(files or [])
forget_other_files(batch_files)
batch = [prepare(upload, choices) for upload in batch_files]

if batch:
    confirmed = []
    conflicts = False
    previews = []
    for prepared in batch:
        same, versions = stored_as(prepared)
        replaces = None
        if prepared.options.kind != "export":
            same, replaces = companion_status(prepared)
        previews.append(preview_file(prepared, same, versions, replaces))
        conflicts = conflicts or bool(versions)
        expanded = len(batch) == 1
        confirmed.append(render_file(prepared, versions, same, expanded, replaces))
    seen = remember_previews(previews)
    changed = [issue for preview in previews for issue in preview.changed]
    if changed:
        render_preview_changed(changed)
    bad = sum(not p.report.ok for p in batch)
    if bad:
        st.info(tr("data.store_blocked", count=bad))
    elif not all(confirmed):
        st.info(tr("data.confirm_needed"))
    clicked = st.button(
        tr("data.store", count=len(batch)),
        type="primary",
        disabled=not all(confirmed),
        icon=":material/save:",
        key="data.store",
    )
    if clicked and not changed:
        require_editor()
        try:
            # Checked again inside the write transaction: another session may store first.
            results = store_uploads(database(), batch, replace=conflicts, seen=seen)
        except StoreError as exc:
            render_store_refusal(exc.issues)
        except DatabaseError as exc:
            log_error(exc, "data", "store")
            st.error(str(exc))
        else:
            st.session_state[OUTCOME_KEY] = results
            st.session_state[GENERATION_KEY] = st.session_state.get(GENERATION_KEY, 0) + 1
            forget_all()
            st.rerun()

st.subheader(tr("data.history_title"))
history = uploads()
if not history:
    st.caption(tr("data.history_empty"))
else:
    st.caption(tr("data.history_count", count=len(history)))
    render_history(history)
    restorable = {
        u.id: tr(
            "data.restore_option",
            id=u.id,
            file=u.file,
            months=month_span(u.months) or tr(f"reference.kind_{u.kind}"),
        )
        for u in history
        if u.can_restore
    }
    if restorable:
        with st.container(border=True):
            st.markdown(f"**{tr('data.restore_title')}**")
            st.caption(tr("data.restore_help"))
            chosen = st.selectbox(
                tr("data.restore_choice"),
                list(restorable),
                format_func=restorable.get,
                key="data.restore_choice",
            )
            if st.button(tr("data.restore"), icon=":material/history:", key="data.restore"):
                require_editor()
                try:
                    months = restore_upload(database(), chosen)
                except StoreError as exc:
                    render_store_refusal(exc.issues)
                except DatabaseError as exc:
                    log_error(exc, "data", "restore")
                    st.error(str(exc))
                else:
                    st.session_state[FLASH_KEY] = (
                        tr("data.restored", id=chosen, months=", ".join(months))
                        if months
                        else tr("reference.restored", id=chosen)
                    )
                    st.rerun()
