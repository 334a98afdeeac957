"""What a user saw before confirming a store, and the refusals when the database moved since."""

from __future__ import annotations

from core.ingest.models import IngestIssue, PreparedUpload
from core.store_results import MonthVersion, store_issue

Previewed = dict[tuple[str, str], int | None]
"""What a preview showed, checked again inside the write transaction.

Keys are (source, 'YYYY-MM') for each month of an export, and (source, kind) for a companion
file (contacts, accounts); the value is the active upload the user saw there, None for none.
A month or companion file that is not a key counts as seen empty."""


def previewed(
    prepared: PreparedUpload, versions: list[MonthVersion], replaces: int | None = None
) -> Previewed:
    """What the preview of one file showed: each month with the active upload it would replace.

    `versions` are `existing_versions` for an export; `replaces` the active companion file."""
    source = prepared.options.source
    if prepared.options.kind != "export":
        return {(source, prepared.options.kind): replaces}
    shown = {v.month: v.upload_id for v in versions}
    return {(source, month): shown.get(month) for month in prepared.report.months}


def months_changed(
    prepared: PreparedUpload, versions: list[MonthVersion], seen: Previewed
) -> list[IngestIssue]:
    """Refusals for the file's months whose active upload is not the one the preview showed.

    `versions` are the file's stored months as they are now, read inside the transaction."""
    source = prepared.options.source
    now = {v.month: v for v in versions}
    refusals = []
    for month in prepared.report.months:
        current = now.get(month)
        if (current.upload_id if current else None) == seen.get((source, month)):
            continue
        stored_now: dict[str, object] = {}
        if current is not None:
            stored_now = {
                "upload": current.upload_id,
                "rows": current.rows,
                "revenue": f"{current.net_revenue:,.2f}",
            }
        refusals.append(
            store_issue(
                "month_changed" if current is not None else "month_changed_empty",
                file=prepared.report.file,
                value=month,
                month=month,
                source=source,
                **stored_now,
            )
        )
    return refusals


def companion_changed(
    prepared: PreparedUpload, active: int | None, seen: Previewed
) -> list[IngestIssue]:
    """A refusal when the active companion file of the kind and source is not the one seen."""
    kind, source = prepared.options.kind, prepared.options.source
    if active == seen.get((source, kind)):
        return []
    rule = "kind_changed" if active is not None else "kind_changed_empty"
    return [store_issue(rule, file=prepared.report.file, kind=kind, source=source, upload=active)]
