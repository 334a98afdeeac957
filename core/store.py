"""Store prepared uploads atomically, refuse silent month overwrites, keep and restore versions."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Literal

import duckdb

from core.db import Database
from core.directory import refresh_directory
from core.i18n import t
from core.ingest.models import IngestIssue, IngestOptions, PreparedUpload
from core.ingest.pipeline import CLEAN_COLUMNS
from core.reference_store import (
    active_reference,
    identical_reference,
    insert_reference,
    record_upload,
)
from core.sql import fetch_all, fetch_one, registered, scalar
from core.store_preview import Previewed, companion_changed, months_changed
from core.store_results import (
    MonthVersion,
    StoredFigures,
    StoreError,
    UploadResult,
    store_issue,
)

__all__ = [
    "MonthVersion",
    "PlannedUpload",
    "Previewed",
    "StoreError",
    "StoredFigures",
    "UploadResult",
    "existing_versions",
    "plan_uploads",
    "store_issue",
    "store_uploads",
]


@dataclass(frozen=True)
class PlannedUpload:
    """What storing one file will do, worked out before anything is written."""

    prepared: PreparedUpload
    """The file."""
    status: Literal["stored", "unchanged", "replaced"]
    """'unchanged' when the same bytes, read with the same options, are stored for the source."""
    same_upload: int | None
    """The id of the identical stored upload, for 'unchanged'."""
    replaces: list[MonthVersion]
    """The stored source-months this file swaps out, for 'replaced'."""
    same_figures: StoredFigures | None = None
    """What the identical stored upload holds, for 'unchanged'; the result reports these."""
    replaces_upload: int | None = None
    """For a companion file (contacts, accounts): the active version it replaces as a whole."""
    warnings: tuple[str, ...] = ()
    """Warnings about the stored data, e.g. the same bytes already counted under another source."""

    def result(self, upload_id: int | None) -> UploadResult:
        """The result line: the stored figures when unchanged, else the file's own."""
        result = UploadResult.from_prepared(self.prepared, upload_id, self.status)
        update: dict[str, object] = {"warnings": [*result.warnings, *self.warnings]}
        if self.same_figures is not None:
            figures = self.same_figures
            update |= {
                "rows": figures.rows,
                "months": figures.months,
                "accounts": figures.accounts,
                "net_revenue": round(figures.net_revenue, 2),
            }
        return result.model_copy(update=update)


def existing_versions(
    con: duckdb.DuckDBPyConnection, prepared: PreparedUpload
) -> list[MonthVersion]:
    """The active stored months, of the same source, that this file also holds."""
    if not prepared.report.months or prepared.rows is None:
        return []
    with registered(con, "incoming_rows", prepared.rows):
        found = fetch_all(
            con,
            """
            WITH incoming AS (
                SELECT strftime(month, '%Y-%m') AS month, count(*) AS rows,
                       sum(net_revenue) AS net FROM incoming_rows GROUP BY 1
            ), stored AS (
                SELECT strftime(m.month, '%Y-%m') AS month, m.upload_id,
                       count(f.line) AS rows, coalesce(sum(f.net_revenue), 0) AS net
                FROM upload_months AS m
                LEFT JOIN facts AS f ON f.upload_id = m.upload_id AND f.month = m.month
                WHERE m.active AND m.source = $source
                GROUP BY ALL
            )
            SELECT s.month, $source, s.upload_id, s.rows, s.net, i.rows, i.net
            FROM stored AS s JOIN incoming AS i USING (month) ORDER BY s.month
            """,
            {"source": prepared.options.source},
        )
    return [MonthVersion(**dict(zip(MonthVersion.model_fields, row, strict=True))) for row in found]


READING_OPTIONS = ("mapping", "sheet", "date_order")
"""The IngestOptions that change what the same bytes read as."""


def _reading(options: dict[str, object]) -> dict[str, object]:
    """The options that change the reading, with their defaults filled in."""
    defaults = IngestOptions().model_dump()
    return {name: options.get(name, defaults[name]) for name in READING_OPTIONS}


def _identical(
    con: duckdb.DuckDBPyConnection, prepared: PreparedUpload
) -> tuple[int, StoredFigures] | None:
    """The newest active upload of the same bytes and source, read with the same options."""
    candidates = fetch_all(
        con,
        """SELECT u.id, u.options, u.rows, u.months, u.accounts, u.net_revenue
           FROM uploads AS u JOIN upload_months AS m ON m.upload_id = u.id
           WHERE u.sha256 = $sha AND u.source = $source
           GROUP BY ALL HAVING bool_and(m.active) ORDER BY u.id DESC""",
        {"sha": prepared.report.sha256, "source": prepared.options.source},
    )
    wanted = _reading(prepared.options.model_dump())
    for upload_id, options, rows, months, accounts, net in candidates:
        if _reading(json.loads(options)) == wanted:
            return upload_id, StoredFigures(rows, list(months), accounts, net)
    return None


def identical_upload(con: duckdb.DuckDBPyConnection, prepared: PreparedUpload) -> int | None:
    """The id of an active upload of the same bytes and source, read with the same options."""
    found = _identical(con, prepared)
    return found[0] if found else None


def _same_bytes_elsewhere(con: duckdb.DuckDBPyConnection, prepared: PreparedUpload) -> list[str]:
    """Warnings for active uploads of the same bytes under another source: they count twice."""
    found = fetch_all(
        con,
        """SELECT u.source, u.id FROM uploads AS u JOIN upload_months AS m ON m.upload_id = u.id
           WHERE u.sha256 = $sha AND u.source <> $source
           GROUP BY ALL HAVING bool_or(m.active) ORDER BY u.id""",
        {"sha": prepared.report.sha256, "source": prepared.options.source},
    )
    return [
        t("store.same_file_other_source", "en", source=source, upload=upload_id)
        for source, upload_id in found
    ]


def _check_written(
    con: duckdb.DuckDBPyConnection, upload_id: int, prepared: PreparedUpload
) -> None:
    """Post-write check: every row landed and each source-month has exactly one active version."""
    written, net = fetch_one(
        con,
        "SELECT count(*), coalesce(sum(net_revenue), 0) FROM facts WHERE upload_id = $id",
        {"id": upload_id},
    )
    expected_net = prepared.report.net_revenue
    if written != prepared.report.rows or abs(net - expected_net) > 0.01 + 1e-9 * abs(expected_net):
        raise RuntimeError(f"post-write check failed for upload {upload_id}: {written} rows stored")
    check_one_version(con)


def check_one_version(con: duckdb.DuckDBPyConnection) -> None:
    """Post-write check: no source-month has two active versions."""
    doubled = scalar(
        con,
        """SELECT count(*) FROM (SELECT source, month FROM upload_months WHERE active
           GROUP BY ALL HAVING count(*) > 1)""",
    )
    if doubled:
        raise RuntimeError("post-write check failed: a month has two active versions")


def bump_version(con: duckdb.DuckDBPyConnection) -> None:
    """Record, inside the writing transaction, that the stored data changed: the account
    directory is derived again and the data version (which caches key on) goes up."""
    refresh_directory(con)
    con.execute(
        """INSERT OR REPLACE INTO meta
           SELECT 'data_version', (coalesce(max(value::BIGINT), 0) + 1)::VARCHAR
           FROM meta WHERE key = 'data_version'"""
    )


def _insert(
    con: duckdb.DuckDBPyConnection, prepared: PreparedUpload, outcome: str, replaced: dict[str, int]
) -> int:
    report, options = prepared.report, prepared.options
    upload_id = record_upload(con, prepared, outcome)
    for month in report.months:
        old = replaced.get(month)
        if old is not None:
            con.execute(
                """UPDATE upload_months SET active = false WHERE upload_id = $old
                   AND source = $source AND month = ($month || '-01')::DATE AND active""",
                {"old": old, "source": options.source, "month": month},
            )
        con.execute(
            "INSERT INTO upload_months VALUES ($id, $source, ($month || '-01')::DATE, true, $old)",
            {"id": upload_id, "source": options.source, "month": month, "old": old},
        )
    with registered(con, "incoming_rows", prepared.rows):
        con.execute(
            f"INSERT INTO facts SELECT $id, {', '.join(CLEAN_COLUMNS)} FROM incoming_rows",
            {"id": upload_id},
        )
    _check_written(con, upload_id, prepared)
    return upload_id


def _months_twice(batch: list[PreparedUpload]) -> list[IngestIssue]:
    """Refusals for source-months held by more than one file of the batch."""
    holders: dict[tuple[str, str], list[str]] = {}
    for prepared in batch:
        for month in prepared.report.months:
            holders.setdefault((prepared.options.source, month), []).append(prepared.report.file)
    return [
        store_issue(
            "month_in_two_files",
            file=files[-1],
            value=month,
            month=month,
            source=source,
            other=", ".join(files),
        )
        for (source, month), files in sorted(holders.items())
        if len(files) > 1
    ]


def _companions_twice(batch: list[PreparedUpload]) -> list[IngestIssue]:
    """Refusals for two companion files of the same kind and source in one batch."""
    holders: dict[tuple[str, str], list[str]] = {}
    for prepared in batch:
        if prepared.options.kind != "export":
            key = (prepared.options.kind, prepared.options.source)
            holders.setdefault(key, []).append(prepared.report.file)
    return [
        store_issue(
            "kind_in_two_files", file=files[-1], kind=kind, source=source, other=", ".join(files)
        )
        for (kind, source), files in sorted(holders.items())
        if len(files) > 1
    ]


def _plan_companion(
    con: duckdb.DuckDBPyConnection | None, prepared: PreparedUpload, seen: Previewed | None
) -> PlannedUpload:
    """A companion file replaces its kind and source as a whole; identical bytes change nothing."""
    same = identical_reference(con, prepared) if con is not None else None
    if same is not None:
        upload_id, rows, accounts = same
        figures = StoredFigures(rows, [], accounts, 0.0)
        return PlannedUpload(prepared, "unchanged", upload_id, [], same_figures=figures)
    options = prepared.options
    old = active_reference(con, options.kind, options.source) if con is not None else None
    changed = companion_changed(prepared, old, seen) if con is not None and seen is not None else []
    if changed:
        raise StoreError(changed)
    status = "replaced" if old is not None else "stored"
    return PlannedUpload(prepared, status, None, [], replaces_upload=old)


def plan_uploads(
    con: duckdb.DuckDBPyConnection | None,
    batch: list[PreparedUpload],
    replace: bool = False,
    seen: Previewed | None = None,
) -> list[PlannedUpload]:
    """What storing the batch would do, without writing; raises StoreError if it would be refused.

    `con` is None for a database that does not exist yet. With `seen` (what the user's preview
    showed), a stored month or companion file that has changed since is refused as
    'month_changed' / 'kind_changed' before any other check of that file."""
    bad = [i for p in batch for i in p.report.errors]
    if bad or any(p.rows is None for p in batch):
        raise StoreError(bad)
    refusals = _months_twice(batch) + _companions_twice(batch)
    plans: list[PlannedUpload] = []
    for prepared in batch:
        if prepared.options.kind != "export":
            try:
                plans.append(_plan_companion(con, prepared, seen))
            except StoreError as exc:
                refusals += exc.issues
            continue
        same = _identical(con, prepared) if con is not None else None
        if same is not None:
            plans.append(PlannedUpload(prepared, "unchanged", same[0], [], same_figures=same[1]))
            continue
        versions = existing_versions(con, prepared) if con is not None else []
        changed = months_changed(prepared, versions, seen) if con and seen is not None else []
        if changed:
            refusals += changed
            continue
        if versions and not replace:
            month_header = next(
                (h for h, f in prepared.report.mapping.items() if f == "month"), None
            )
            refusals += [
                store_issue(
                    "month_taken",
                    file=prepared.report.file,
                    column=month_header,
                    value=v.month,
                    month=v.month,
                    source=v.source,
                    upload=v.upload_id,
                    rows=v.rows,
                    revenue=f"{v.net_revenue:,.2f}",
                )
                for v in versions
            ]
            continue
        status = "replaced" if versions else "stored"
        warnings = tuple(_same_bytes_elsewhere(con, prepared)) if con is not None else ()
        plans.append(PlannedUpload(prepared, status, None, versions, warnings=warnings))
    if refusals:
        raise StoreError(refusals)
    return plans


def store_uploads(
    db: Database,
    batch: list[PreparedUpload],
    replace: bool = False,
    seen: Previewed | None = None,
) -> list[UploadResult]:
    """Store every file of the batch in one transaction, or none of them.

    `seen` is what the user's preview showed (see `store_preview.previewed`); the write lock
    serialises concurrent stores, so a second one is refused if the first changed what it saw.
    Without it (the CLI) nothing is compared."""
    plan_uploads(None, batch, replace)  # refuse bad files before touching the database
    db.ensure_schema()
    results: list[UploadResult] = []
    with db.transaction() as con:
        for plan in plan_uploads(con, batch, replace, seen):
            upload_id = plan.same_upload
            if plan.status != "unchanged" and plan.prepared.options.kind != "export":
                upload_id = insert_reference(con, plan.prepared, plan.status, plan.replaces_upload)
            elif plan.status != "unchanged":
                replaced = {v.month: v.upload_id for v in plan.replaces}
                upload_id = _insert(con, plan.prepared, plan.status, replaced)
            results.append(plan.result(upload_id))
        if any(r.status != "unchanged" for r in results):
            bump_version(con)
    return results
