"""How the Data page shows one uploaded file, a store outcome and the upload history."""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from core.db import DatabaseError
from core.fields import FIELDS, IGNORE
from core.history import UploadInfo
from core.ingest.models import IngestIssue, PreparedUpload
from core.mappings import parse_mapping_text
from core.store import MonthVersion, UploadResult
from ui.errors import log_error
from ui.format import (
    compact_money,
    download_table,
    escape_markdown,
    issue_message,
    issues_frame,
    money,
    month_span,
)
from ui.state import language, tr
from ui.uploads import file_currency, mapping_table, remember_edit, remember_lines

ERRORS_ON_SCREEN = 20
"""Errors listed on the page; the download holds all of them."""
MANUAL_EXAMPLE = "Monat=month\nKunde=account_name\nUmsatz netto=net_revenue"
FIELD_CHOICES = (IGNORE, *FIELDS)


def _issue_columns() -> dict[str, str]:
    names = ("file", "line", "column", "value", "message")
    return {name: tr(f"data.issue_{name}") for name in names}


def file_label(prepared: PreparedUpload) -> str:
    """The expander title: status, file name (as text) and what it holds."""
    report = prepared.report
    name = escape_markdown(report.file)
    if not report.ok:
        return tr("data.file_label_errors", file=name, count=f"{report.error_count:,}")
    return tr(
        "data.file_label_ok", file=name, rows=f"{report.rows:,}", months=month_span(report.months)
    )


def _facts(prepared: PreparedUpload) -> pd.DataFrame:
    report = prepared.report
    named = {"\t": tr("data.delimiter_tab"), " ": tr("data.delimiter_space")}
    delimiter = named.get(report.delimiter or "", report.delimiter or "–")
    facts = {
        tr("data.kind"): report.kind.upper(),
        tr("data.encoding"): report.encoding or "–",
        tr("data.delimiter"): delimiter if report.kind == "csv" else "–",
        tr("data.header_row"): str(report.header_line) if report.header_line else "–",
        tr("data.sheet_used"): report.sheet or "–",
        tr("data.rows"): f"{report.rows:,}" if report.ok else "–",
        tr("data.months"): month_span(report.months) if report.ok and report.months else "–",
        tr("data.accounts"): f"{report.accounts:,}" if report.ok else "–",
        tr("data.net_revenue"): money(report.net_revenue, file_currency(prepared))
        if report.ok and prepared.options.kind == "export"
        else "–",
    }
    return pd.DataFrame([facts])


def _manual_mapping(prepared: PreparedUpload) -> None:
    """Without a recognised header the user names columns, and the header is found by them."""
    st.caption(tr("data.no_headers"))
    with st.form(key=f"data.manual.{prepared.report.sha256[:16]}", border=False):
        text = st.text_area(
            tr("data.manual_mapping"),
            placeholder=MANUAL_EXAMPLE,
            help=tr("data.manual_mapping_help"),
        )
        applied = st.form_submit_button(tr("data.manual_apply"))
    if applied:
        mapping, rejected = parse_mapping_text(text)
        if rejected:
            st.error(tr("data.manual_rejected", lines=escape_markdown(" | ".join(rejected))))
            return
        try:
            changed = bool(mapping) and remember_lines(prepared.options.source, mapping)
        except DatabaseError as exc:
            log_error(exc, "data", "mapping")
            st.error(str(exc))
            return
        if changed:
            st.rerun()


def _mapping_editor(prepared: PreparedUpload) -> None:
    table = mapping_table(prepared)
    field_names = {field: tr(f"data.field.{field}") for field in FIELD_CHOICES}
    if table.empty:
        _manual_mapping(prepared)
        return
    digest = hashlib.sha256(table.to_json().encode()).hexdigest()[:12]
    edited = st.data_editor(
        table,
        key=f"data.mapping.{prepared.report.sha256[:16]}.{digest}",
        hide_index=True,
        disabled=["column", "example"],
        column_config={
            "column": st.column_config.TextColumn(tr("data.map_column")),
            "example": st.column_config.TextColumn(tr("data.map_example")),
            "field": st.column_config.SelectboxColumn(
                tr("data.map_field"),
                options=FIELD_CHOICES,
                required=True,
                format_func=field_names.get,
            ),
        },
    )
    chosen = dict(zip(edited["column"], edited["field"], strict=True))
    try:
        changed = remember_edit(prepared.options.source, prepared, chosen)
    except DatabaseError as exc:
        log_error(exc, "data", "mapping")
        st.error(str(exc))
        return
    if changed:
        st.rerun()
    st.caption(tr("data.mapping_note", source=escape_markdown(prepared.options.source)))


def _issues(prepared: PreparedUpload) -> None:
    report, lang = prepared.report, language()
    columns = _issue_columns()
    if report.errors:
        whole_file = [e for e in report.errors if e.line is None]
        summary = tr("data.errors_summary", count=f"{report.error_count:,}")
        st.error(
            "\n\n".join([summary, *(escape_markdown(issue_message(e, lang)) for e in whole_file)])
        )
        by_line = [e for e in report.errors if e.line is not None][:ERRORS_ON_SCREEN]
        if by_line:
            shown = issues_frame(by_line, lang, columns)
            st.dataframe(
                shown.drop(columns=[columns["file"]]),
                hide_index=True,
                column_config={columns["message"]: st.column_config.TextColumn(width="large")},
            )
        if report.error_count > ERRORS_ON_SCREEN:
            st.caption(
                tr("data.errors_more", shown=ERRORS_ON_SCREEN, count=f"{report.error_count:,}")
            )
        download_table(
            issues_frame(report.errors, lang, columns),
            f"{report.file}.errors.csv",
            f"data.errors.{report.sha256[:16]}",
            tr("data.errors_download"),
        )
    if report.warnings:
        st.warning(tr("data.warnings_summary", count=len(report.warnings)))
        warnings = pd.DataFrame(
            {
                columns["line"]: ["" if w.line is None else str(w.line) for w in report.warnings],
                columns["column"]: [w.column or "" for w in report.warnings],
                columns["message"]: [issue_message(w, lang) for w in report.warnings],
            }
        )
        st.dataframe(warnings, hide_index=True)


def _replace_confirmation(prepared: PreparedUpload, versions: list[MonthVersion]) -> bool:
    lang, currency = language(), file_currency(prepared)
    lines = [
        tr(
            "data.replace_question",
            month=v.month,
            rows=f"{v.rows:,}",
            revenue=compact_money(v.net_revenue, lang, currency),
            new_rows=f"{v.new_rows:,}",
            new_revenue=compact_money(v.new_net_revenue, lang, currency),
        )
        for v in versions
    ]
    st.warning(
        tr("data.replace_intro", source=escape_markdown(prepared.options.source))
        + "\n\n"
        + "\n".join(f"- {line}" for line in lines)
    )
    # A tick confirms these very versions: when another session replaces one, it is asked again.
    replaced = "-".join(str(v.upload_id) for v in versions)
    return st.checkbox(
        tr("data.replace_confirm", count=len(versions)),
        key=f"data.confirm.{prepared.report.sha256[:16]}.{prepared.options.source}.{replaced}",
    )


def render_file(
    prepared: PreparedUpload,
    versions: list[MonthVersion],
    same: int | None,
    expanded: bool,
    replaces: int | None = None,
) -> bool:
    """One file: what was detected, its mapping, preview, problems; True once it may be stored.

    `replaces` is the stored companion file (contacts, accounts) this one replaces whole."""
    report = prepared.report
    icon = ":material/check_circle:" if report.ok else ":material/error:"
    opened = expanded or not report.ok or bool(versions)
    with st.expander(file_label(prepared), expanded=opened, icon=icon):
        st.dataframe(_facts(prepared), hide_index=True)
        mapping_tab, preview_tab = st.tabs([tr("data.mapping_tab"), tr("data.preview_tab")])
        with mapping_tab:
            if prepared.options.kind == "export":
                _mapping_editor(prepared)
            else:
                st.dataframe(mapping_table(prepared), hide_index=True)
                st.caption(tr("reference.mapping_fixed"))
        with preview_tab:
            if prepared.preview is not None:
                st.dataframe(prepared.preview, hide_index=True)
                st.caption(tr("data.preview_note"))
            else:
                st.caption(tr("data.no_preview"))
        _issues(prepared)
        if same is not None:
            st.info(tr("data.already_stored", id=same))
        elif replaces is not None:
            kind = tr(f"reference.kind_{prepared.options.kind}")
            source = escape_markdown(prepared.options.source)
            st.info(tr("reference.replaces", kind=kind, source=source, upload=replaces))
        if versions:
            return _replace_confirmation(prepared, versions)
    return report.ok


def render_store_refusal(issues: list[IngestIssue]) -> None:
    """Why storing was refused, per file."""
    st.error(tr("data.store_refused"))
    st.dataframe(issues_frame(issues, language(), _issue_columns()), hide_index=True)


def render_preview_changed(issues: list[IngestIssue]) -> None:
    """What another session stored since the preview was shown; the user checks and confirms."""
    lang = language()
    st.warning(
        "\n\n".join(escape_markdown(issue_message(issue, lang)) for issue in issues),
        icon=":material/sync_problem:",
    )


def render_outcome(results: list[UploadResult]) -> None:
    """What the last store did to each file."""
    st.success(tr("data.stored_summary", count=len(results)))
    st.dataframe(
        pd.DataFrame(
            {
                tr("data.issue_file"): [r.file for r in results],
                tr("data.status"): [tr(f"data.status_{r.status}") for r in results],
                tr("data.months"): [month_span(r.months) for r in results],
                tr("data.rows"): [r.rows for r in results],
                tr("data.net_revenue"): [r.net_revenue for r in results],
            }
        ),
        hide_index=True,
        column_config={
            tr("data.rows"): st.column_config.NumberColumn(format="%,d"),
            tr("data.net_revenue"): st.column_config.NumberColumn(format="%,.0f"),
        },
    )
    notes = [f"{r.file}: {w}" for r in results for w in r.warnings]
    if notes:
        with st.expander(tr("data.outcome_warnings", count=len(notes))):
            for note in notes:
                st.text(note)


def history_frame(uploads: list[UploadInfo]) -> pd.DataFrame:
    """The upload history as a table with translated titles and statuses."""
    return pd.DataFrame(
        {
            "id": [u.id for u in uploads],
            "file": [u.file for u in uploads],
            "source": [u.source for u in uploads],
            "kind": [tr(f"reference.kind_{u.kind}") for u in uploads],
            "status": [tr(f"data.status_{u.status}") for u in uploads],
            "months": [month_span(u.months) for u in uploads],
            "rows": [u.rows for u in uploads],
            "accounts": [u.accounts for u in uploads],
            "net_revenue": [u.net_revenue if u.kind == "export" else None for u in uploads],
            "uploaded_at": [u.uploaded_at.replace("T", " ").removesuffix("Z") for u in uploads],
        }
    )


def render_history(uploads: list[UploadInfo]) -> None:
    """Every upload, newest first."""
    st.dataframe(
        history_frame(uploads),
        hide_index=True,
        column_config={
            "id": st.column_config.NumberColumn(tr("data.upload_id"), format="%d"),
            "file": st.column_config.TextColumn(tr("data.issue_file")),
            "source": st.column_config.TextColumn(tr("data.source")),
            "kind": st.column_config.TextColumn(tr("reference.history_kind")),
            "status": st.column_config.TextColumn(tr("data.status"), width="medium"),
            "months": st.column_config.TextColumn(tr("data.months")),
            "rows": st.column_config.NumberColumn(tr("data.rows"), format="%,d"),
            "accounts": st.column_config.NumberColumn(tr("data.accounts"), format="%,d"),
            "net_revenue": st.column_config.NumberColumn(tr("data.net_revenue"), format="%,.0f"),
            "uploaded_at": st.column_config.TextColumn(tr("data.uploaded_at")),
        },
    )
