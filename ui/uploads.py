"""Session glue of the Data page: parse each uploaded file once, with the source's mapping."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd
import pyarrow.compute as pc
import streamlit as st

from core.fields import IGNORE, normalise_header
from core.ingest.models import IngestIssue, IngestOptions, PreparedUpload
from core.ingest.pipeline import prepare_upload
from core.mappings import edited_mapping, save_mapping
from core.reference_fields import FileKind
from core.reference_store import companion_versions
from core.store import MonthVersion
from core.store_preview import Previewed, companion_changed, months_changed, previewed
from ui.access import require_editor
from ui.state import database, remembered_mapping, settings, tr

PREPARED_KEY = "data.prepared"
"""Session-state dict: sha256 + options -> PreparedUpload, so reruns do not re-parse."""
SHA_KEY = "data.sha256"
"""Session-state dict: uploader file id -> sha256 of its bytes."""
PREVIEWED_KEY = "data.previewed"
"""Session-state dict: file and options -> what the last complete run's preview showed of it."""


@dataclass(frozen=True)
class UploadChoices:
    """What the user set above the uploader; it applies to every file of the batch."""

    source: str
    """Business unit or system the files come from."""
    date_order: str
    """'auto', 'dmy' or 'mdy'."""
    sheet: str | None
    """Excel sheet to read; the first when None."""
    kind: FileKind = "export"
    """What the files hold: monthly exports, or a companion file (contacts, accounts)."""


@dataclass(frozen=True)
class UploadedBytes:
    """One file from the uploader."""

    file_id: str
    name: str
    data: bytes
    sha256: str


def uploaded_bytes(files: Iterable[object]) -> list[UploadedBytes]:
    """The uploader's files with their sha256, hashed once per upload."""
    hashes: dict[str, str] = st.session_state.setdefault(SHA_KEY, {})
    result = []
    for item in files:
        data = item.getvalue()  # type: ignore[attr-defined]
        file_id = item.file_id  # type: ignore[attr-defined]
        if file_id not in hashes:
            hashes[file_id] = hashlib.sha256(data).hexdigest()
        result.append(UploadedBytes(file_id, item.name, data, hashes[file_id]))  # type: ignore[attr-defined]
    return result


def options_for(choices: UploadChoices, mapping: dict[str, str]) -> IngestOptions:
    """Ingest options from the user's choices and the configured limits."""
    limits = settings()
    return IngestOptions(
        source=choices.source,
        kind=choices.kind,
        sheet=choices.sheet,
        mapping=mapping,
        date_order=choices.date_order,  # type: ignore[arg-type]
        max_bytes=int(limits.max_upload_mb * 2**20),
        max_field_chars=limits.max_field_chars,
        max_errors=limits.max_errors,
    )


def _prepare_once(upload: UploadedBytes, options: IngestOptions) -> PreparedUpload:
    cache: dict[str, PreparedUpload] = st.session_state.setdefault(PREPARED_KEY, {})
    key = f"{upload.sha256}:{options.model_dump_json()}"
    if key not in cache:
        with st.spinner(tr("data.reading", file=upload.name)):
            cache[key] = prepare_upload(upload.name, upload.data, options)
    return cache[key]


def prepare(upload: UploadedBytes, choices: UploadChoices) -> PreparedUpload:
    """The file read with the source's remembered mapping, minus headers this file lacks.

    Remembered mappings name export fields, so companion files are read by their headers."""
    mapping = remembered_mapping(choices.source) if choices.kind == "export" else {}
    prepared = _prepare_once(upload, options_for(choices, mapping))
    missing = {e.column for e in prepared.report.errors if e.rule == "map_unknown_column"}
    if missing:
        kept = {h: f for h, f in mapping.items() if h not in missing}
        prepared = _prepare_once(upload, options_for(choices, kept))
    return prepared


def forget_other_files(uploads: Iterable[UploadedBytes]) -> None:
    """Drop parsed files no longer in the uploader, so memory does not grow with each upload."""
    current = {u.sha256 for u in uploads}
    cache: dict[str, PreparedUpload] = st.session_state.get(PREPARED_KEY, {})
    for key in [k for k in cache if k.split(":", 1)[0] not in current]:
        del cache[key]
    ids = {u.file_id for u in uploads}
    hashes: dict[str, str] = st.session_state.get(SHA_KEY, {})
    for file_id in [i for i in hashes if i not in ids]:
        del hashes[file_id]


def forget_all() -> None:
    """Drop every parsed file (after a store)."""
    st.session_state.pop(PREPARED_KEY, None)
    st.session_state.pop(SHA_KEY, None)
    st.session_state.pop(PREVIEWED_KEY, None)


@dataclass(frozen=True)
class FilePreview:
    """What the Data page shows of one file before it is stored, and how that moved."""

    prepared: PreparedUpload
    same: int | None
    """The identical active upload: storing changes nothing."""
    versions: list[MonthVersion]
    """The stored months of the source it would replace (exports)."""
    replaces: int | None
    """The active companion file it would replace whole (contacts, accounts)."""
    shown: Previewed
    """This preview as `store_uploads` checks it again inside the write transaction."""
    changed: list[IngestIssue]
    """What changed in the database since the previous run showed this file; empty at first."""


def _preview_key(prepared: PreparedUpload) -> str:
    return f"{prepared.report.sha256}:{prepared.options.model_dump_json()}"


def preview_file(
    prepared: PreparedUpload,
    same: int | None,
    versions: list[MonthVersion],
    replaces: int | None,
) -> FilePreview:
    """The file's preview, compared with what the previous run showed of it.

    Another session may store between two runs; the user then sees what is stored now before
    confirming. Changes inside the confirming run itself are caught by `store_uploads`."""
    shown = previewed(prepared, versions, replaces)
    before = st.session_state.get(PREVIEWED_KEY, {}).get(_preview_key(prepared))
    changed: list[IngestIssue] = []
    if before is not None and same is None and prepared.report.ok:
        if prepared.options.kind == "export":
            changed = months_changed(prepared, versions, before)
        else:
            changed = companion_changed(prepared, replaces, before)
    return FilePreview(prepared, same, versions, replaces, shown, changed)


def remember_previews(previews: list[FilePreview]) -> Previewed:
    """Keep what this run showed, for the next run to compare; return it for `store_uploads`."""
    st.session_state[PREVIEWED_KEY] = {_preview_key(p.prepared): p.shown for p in previews}
    return {key: upload for p in previews for key, upload in p.shown.items()}


def shown_mapping(prepared: PreparedUpload) -> dict[str, str]:
    """Header -> field (or 'ignore') for each named column, as the user should see it."""
    applied = {normalise_header(h): f for h, f in prepared.options.mapping.items()}
    return {
        header: prepared.report.mapping.get(header) or applied.get(normalise_header(header), IGNORE)
        for header in prepared.report.headers
        if header.strip()
    }


def mapping_table(prepared: PreparedUpload) -> pd.DataFrame:
    """The mapping editor's rows: column, an example value from the file, and its field."""
    report, preview = prepared.report, prepared.preview
    examples: dict[str, str] = {}
    if preview is not None:
        for position, header in enumerate(report.headers):
            if position + 1 >= preview.num_columns:
                break
            values = [v for v in preview.column(position + 1).to_pylist() if v not in (None, "")]
            examples[header] = values[0] if values else ""
    shown = shown_mapping(prepared)
    return pd.DataFrame(
        {
            "column": list(shown),
            "example": [examples.get(h, "") for h in shown],
            "field": list(shown.values()),
        }
    )


def file_currency(prepared: PreparedUpload) -> str | None:
    """The file's one currency code, when it carries a currency column."""
    if prepared.rows is None or "currency" not in prepared.rows.column_names:
        return None
    codes = [c for c in pc.unique(prepared.rows.column("currency")).to_pylist() if c]
    return codes[0] if len(codes) == 1 else None


def remember_edit(source: str, prepared: PreparedUpload, chosen: dict[str, str]) -> bool:
    """Store the user's mapping edit for the source; False when it changes nothing."""
    current = remembered_mapping(source)
    updated = edited_mapping(current, shown_mapping(prepared), chosen)
    if updated == current:
        return False
    require_editor()
    save_mapping(database(), source, updated)
    return True


def remember_lines(source: str, lines: dict[str, str]) -> bool:
    """Add typed COLUMN=field pairs to the source's mapping; False when it changes nothing."""
    current = remembered_mapping(source)
    updated = {**current, **lines}
    if updated == current:
        return False
    require_editor()
    save_mapping(database(), source, updated)
    return True


def companion_status(prepared: PreparedUpload) -> tuple[int | None, int | None]:
    """For a companion file: (the identical active upload, the active upload it would replace)."""
    if prepared.options.kind == "export" or not prepared.report.ok:
        return None, None
    db = database()
    if not db.exists():
        return None, None
    with db.connect() as con:
        return companion_versions(con, prepared)
