"""Store prepared uploads atomically, refuse silent month overwrites, keep and restore versions."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

import duckdb
import pyarrow as pa
from pydantic import BaseModel, ConfigDict

from core.db import Database
from core.i18n import catalogue, t
from core.ingest.models import IngestIssue, PreparedUpload, plain_params
from core.ingest.pipeline import CLEAN_COLUMNS
from core.sql import fetch_all, fetch_one, scalar


class UploadResult(BaseModel):
    """What happened to one file; the `keystone ingest` JSON contract."""

    model_config = ConfigDict(extra="forbid")

    id: int | None
    """The upload's id; for 'unchanged', the identical stored upload; None in a dry run."""
    file: str
    sha256: str
    source: str
    rows: int
    """Data rows read, excluding title, header, blank and subtotal rows."""
    months: list[str]
    accounts: int
    net_revenue: float
    status: str
    """'stored', 'unchanged' (identical file already stored) or 'replaced'."""
    warnings: list[str]

    @classmethod
    def from_prepared(
        cls, prepared: PreparedUpload, upload_id: int | None, status: str
    ) -> UploadResult:
        """The result line of one file."""
        report = prepared.report
        return cls(
            id=upload_id,
            file=report.file,
            sha256=report.sha256,
            source=prepared.options.source,
            rows=report.rows,
            months=report.months,
            accounts=report.accounts,
            net_revenue=round(report.net_revenue, 2),
            status=status,
            warnings=[w.message for w in report.warnings],
        )


class MonthVersion(BaseModel):
    """A stored source-month that an upload would replace, with the figures on both sides."""

    model_config = ConfigDict(extra="forbid")

    month: str
    source: str
    upload_id: int
    rows: int
    net_revenue: float
    new_rows: int
    new_net_revenue: float


class StoreError(Exception):
    """Storing was refused; nothing was written. `issues` say why, per file."""

    def __init__(self, issues: list[IngestIssue]) -> None:
        super().__init__("; ".join(i.message for i in issues))
        self.issues = issues


def _issue(
    rule: str,
    file: str = "",
    column: str | None = None,
    value: str | None = None,
    **params: object,
) -> IngestIssue:
    """A refusal, its English message from the catalogue (store.<rule> or ingest.<rule>)."""
    key = f"store.{rule}" if f"store.{rule}" in catalogue("en") else f"ingest.{rule}"
    return IngestIssue(
        file=file,
        column=column,
        value=value,
        rule=rule,
        message=t(key, "en", **params),
        params=plain_params(params),
    )


@dataclass(frozen=True)
class PlannedUpload:
    """What storing one file will do, worked out before anything is written."""

    prepared: PreparedUpload
    """The file."""
    status: Literal["stored", "unchanged", "replaced"]
    """'unchanged' when the very same bytes are already stored for the source."""
    same_upload: int | None
    """The id of the identical stored upload, for 'unchanged'."""
    replaces: list[MonthVersion]
    """The stored source-months this file swaps out, for 'replaced'."""


@contextmanager
def _registered(con: duckdb.DuckDBPyConnection, name: str, table: pa.Table) -> Iterator[None]:
    """`table` visible as view `name` for the block; the block's own error wins."""
    con.register(name, table)
    try:
        yield
    except BaseException:
        with suppress(duckdb.Error):  # an aborted transaction refuses even this
            con.unregister(name)
        raise
    con.unregister(name)


def existing_versions(
    con: duckdb.DuckDBPyConnection, prepared: PreparedUpload
) -> list[MonthVersion]:
    """The active stored months, of the same source, that this file also holds."""
    if not prepared.report.months or prepared.rows is None:
        return []
    with _registered(con, "incoming_rows", prepared.rows):
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


def identical_upload(con: duckdb.DuckDBPyConnection, prepared: PreparedUpload) -> int | None:
    """The id of an active upload of the very same bytes and source, if any."""
    rows = fetch_all(
        con,
        """SELECT u.id FROM uploads AS u JOIN upload_months AS m ON m.upload_id = u.id
           WHERE u.sha256 = $sha AND u.source = $source
           GROUP BY u.id HAVING bool_and(m.active) ORDER BY u.id DESC LIMIT 1""",
        {"sha": prepared.report.sha256, "source": prepared.options.source},
    )
    return rows[0][0] if rows else None


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
    _check_one_version(con)


def _check_one_version(con: duckdb.DuckDBPyConnection) -> None:
    """Post-write check: no source-month has two active versions."""
    doubled = scalar(
        con,
        """SELECT count(*) FROM (SELECT source, month FROM upload_months WHERE active
           GROUP BY ALL HAVING count(*) > 1)""",
    )
    if doubled:
        raise RuntimeError("post-write check failed: a month has two active versions")


def _bump_version(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        """INSERT OR REPLACE INTO meta
           SELECT 'data_version', (coalesce(max(value::BIGINT), 0) + 1)::VARCHAR
           FROM meta WHERE key = 'data_version'"""
    )


def _insert(
    con: duckdb.DuckDBPyConnection, prepared: PreparedUpload, outcome: str, replaced: dict[str, int]
) -> int:
    report, options = prepared.report, prepared.options
    upload_id = scalar(con, "SELECT coalesce(max(id), 0) + 1 FROM uploads")
    con.execute(
        """INSERT INTO uploads VALUES ($id, $file, $sha, $source, $at, $rows, $months,
           $accounts, $net, $outcome, $kind, $encoding, $sheet, $header_line, $mapping,
           $options, $warnings)""",
        {
            "id": upload_id,
            "file": report.file,
            "sha": report.sha256,
            "source": options.source,
            "at": datetime.now(UTC).replace(tzinfo=None),
            "rows": report.rows,
            "months": report.months,
            "accounts": report.accounts,
            "net": report.net_revenue,
            "outcome": outcome,
            "kind": report.kind,
            "encoding": report.encoding,
            "sheet": report.sheet,
            "header_line": report.header_line,
            "mapping": json.dumps(report.mapping, ensure_ascii=False),
            "options": options.model_dump_json(),
            "warnings": json.dumps([w.model_dump() for w in report.warnings], ensure_ascii=False),
        },
    )
    con.execute(
        "INSERT INTO upload_files VALUES ($id, $bytes)", {"id": upload_id, "bytes": prepared.data}
    )
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
    with _registered(con, "incoming_rows", prepared.rows):
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
        _issue(
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


def plan_uploads(
    con: duckdb.DuckDBPyConnection | None, batch: list[PreparedUpload], replace: bool = False
) -> list[PlannedUpload]:
    """What storing the batch would do, without writing; raises StoreError if it would be refused.

    `con` is None for a database that does not exist yet."""
    bad = [i for p in batch for i in p.report.errors]
    if bad or any(p.rows is None for p in batch):
        raise StoreError(bad)
    refusals = _months_twice(batch)
    plans: list[PlannedUpload] = []
    for prepared in batch:
        same = identical_upload(con, prepared) if con is not None else None
        if same is not None:
            plans.append(PlannedUpload(prepared, "unchanged", same, []))
            continue
        versions = existing_versions(con, prepared) if con is not None else []
        if versions and not replace:
            month_header = next(
                (h for h, f in prepared.report.mapping.items() if f == "month"), None
            )
            refusals += [
                _issue(
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
        plans.append(PlannedUpload(prepared, "replaced" if versions else "stored", None, versions))
    if refusals:
        raise StoreError(refusals)
    return plans


def store_uploads(
    db: Database, batch: list[PreparedUpload], replace: bool = False
) -> list[UploadResult]:
    """Store every file of the batch in one transaction, or none of them."""
    plan_uploads(None, batch, replace)  # refuse bad files before touching the database
    db.ensure_schema()
    results: list[UploadResult] = []
    with db.transaction() as con:
        for plan in plan_uploads(con, batch, replace):
            upload_id = plan.same_upload
            if plan.status != "unchanged":
                replaced = {v.month: v.upload_id for v in plan.replaces}
                upload_id = _insert(con, plan.prepared, plan.status, replaced)
            results.append(UploadResult.from_prepared(plan.prepared, upload_id, plan.status))
        if any(r.status != "unchanged" for r in results):
            _bump_version(con)
    return results


def restore_upload(db: Database, upload_id: int) -> list[str]:
    """Bring back the versions that upload replaced; returns the months restored."""
    db.ensure_schema()
    with db.transaction() as con:
        if not fetch_all(con, "SELECT 1 FROM uploads WHERE id = $id", {"id": upload_id}):
            raise StoreError([_issue("no_such_upload", upload=upload_id)])
        swaps = fetch_all(
            con,
            """SELECT strftime(month, '%Y-%m'), source, replaced_upload, active
               FROM upload_months WHERE upload_id = $id AND replaced_upload IS NOT NULL
               ORDER BY month""",
            {"id": upload_id},
        )
        if not swaps:
            raise StoreError([_issue("nothing_to_restore", upload=upload_id)])
        for month, source, _old, active in swaps:
            if not active:
                raise StoreError([_issue("restore_conflict", month=month, source=source)])
        for month, source, old, _active in swaps:
            params = {"new": upload_id, "old": old, "month": month, "source": source}
            con.execute(
                """UPDATE upload_months SET active = (upload_id = $old)
                   WHERE upload_id IN ($new, $old) AND source = $source
                   AND month = ($month || '-01')::DATE""",
                params,
            )
        _check_one_version(con)
        _bump_version(con)
    return [month for month, *_ in swaps]


class UploadInfo(BaseModel):
    """One row of the upload history; the `keystone uploads` JSON contract."""

    model_config = ConfigDict(extra="forbid")

    id: int
    file: str
    source: str
    status: str
    """'stored' or 'replaced' while active, 'superseded' once another upload replaced it."""
    rows: int
    months: list[str]
    uploaded_at: str
    net_revenue: float
    accounts: int
    can_restore: bool
    """True when this upload replaced a version that can be brought back."""


def list_uploads(con: duckdb.DuckDBPyConnection) -> list[UploadInfo]:
    """Every upload, newest first."""
    rows = fetch_all(
        con,
        """SELECT u.id, u.file, u.source,
                  CASE WHEN bool_or(m.active) THEN u.outcome ELSE 'superseded' END,
                  u.rows, u.months, strftime(u.uploaded_at, '%Y-%m-%dT%H:%M:%SZ'),
                  u.net_revenue, u.accounts,
                  coalesce(bool_or(m.active AND m.replaced_upload IS NOT NULL), false)
           FROM uploads AS u LEFT JOIN upload_months AS m ON m.upload_id = u.id
           GROUP BY u.id, u.file, u.source, u.outcome, u.rows, u.months, u.uploaded_at,
                    u.net_revenue, u.accounts
           ORDER BY u.id DESC""",
    )
    return [UploadInfo(**dict(zip(UploadInfo.model_fields, row, strict=True))) for row in rows]
