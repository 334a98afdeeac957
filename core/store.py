"""Store prepared uploads atomically, refuse silent month overwrites, keep and restore old versions."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import duckdb
from pydantic import BaseModel, ConfigDict

from core.db import Database
from core.i18n import t
from core.ingest.models import IngestIssue, PreparedUpload
from core.ingest.pipeline import CLEAN_COLUMNS
from core.sql import fetch_all, scalar


class UploadResult(BaseModel):
    """What happened to one file; the `keystone ingest` JSON contract."""

    model_config = ConfigDict(extra="forbid")

    id: int
    file: str
    sha256: str
    source: str
    rows: int
    months: list[str]
    accounts: int
    net_revenue: float
    status: str
    """'stored', 'unchanged' (identical file already stored) or 'replaced'."""
    warnings: list[str]


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


def existing_versions(
    con: duckdb.DuckDBPyConnection, prepared: PreparedUpload
) -> list[MonthVersion]:
    """The active stored months, of the same source, that this file also holds."""
    if not prepared.report.months or prepared.rows is None:
        return []
    con.register("incoming_rows", prepared.rows)
    try:
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
            SELECT s.month, s.upload_id, s.rows, s.net, i.rows, i.net
            FROM stored AS s JOIN incoming AS i USING (month) ORDER BY s.month
            """,
            {"source": prepared.options.source},
        )
    finally:
        con.unregister("incoming_rows")
    return [
        MonthVersion(month=m, source=prepared.options.source, upload_id=u, rows=r,
                     net_revenue=n, new_rows=nr, new_net_revenue=nn)
        for m, u, r, n, nr, nn in found
    ]


def _identical(con: duckdb.DuckDBPyConnection, prepared: PreparedUpload) -> int | None:
    """The id of an active upload of the very same bytes and source, if any."""
    rows = fetch_all(
        con,
        """SELECT u.id FROM uploads AS u JOIN upload_months AS m ON m.upload_id = u.id
           WHERE u.sha256 = $sha AND u.source = $source
           GROUP BY u.id HAVING bool_and(m.active) ORDER BY u.id DESC LIMIT 1""",
        {"sha": prepared.report.sha256, "source": prepared.options.source},
    )
    return rows[0][0] if rows else None


def _result(prepared: PreparedUpload, upload_id: int, status: str) -> UploadResult:
    report = prepared.report
    return UploadResult(
        id=upload_id, file=report.file, sha256=report.sha256, source=prepared.options.source,
        rows=report.rows, months=report.months, accounts=report.accounts,
        net_revenue=round(report.net_revenue, 2), status=status,
        warnings=[w.message for w in report.warnings],
    )


def _check_written(con: duckdb.DuckDBPyConnection, upload_id: int, prepared: PreparedUpload) -> None:
    """Post-write check: every row landed and each source-month has exactly one active version."""
    written, net = fetch_all(
        con, "SELECT count(*), coalesce(sum(net_revenue), 0) FROM facts WHERE upload_id = $id",
        {"id": upload_id},
    )[0]
    doubled = scalar(
        con,
        """SELECT count(*) FROM (SELECT source, month FROM upload_months WHERE active
           GROUP BY ALL HAVING count(*) > 1)""",
    )
    expected_net = prepared.report.net_revenue
    if written != prepared.report.rows or abs(net - expected_net) > 0.01 + 1e-9 * abs(expected_net):
        raise RuntimeError(f"post-write check failed for upload {upload_id}: {written} rows stored")
    if doubled:
        raise RuntimeError("post-write check failed: a month has two active versions")


def _bump_version(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        """INSERT OR REPLACE INTO meta
           SELECT 'data_version', (coalesce(max(value::BIGINT), 0) + 1)::VARCHAR
           FROM meta WHERE key = 'data_version'"""
    )


def _insert(con: duckdb.DuckDBPyConnection, prepared: PreparedUpload, outcome: str,
            replaced: dict[str, int]) -> int:
    report, options = prepared.report, prepared.options
    upload_id = scalar(con, "SELECT coalesce(max(id), 0) + 1 FROM uploads")
    con.execute(
        """INSERT INTO uploads VALUES ($id, $file, $sha, $source, $at, $rows, $months,
           $accounts, $net, $outcome, $kind, $encoding, $sheet, $header_line, $mapping,
           $options, $warnings)""",
        {
            "id": upload_id, "file": report.file, "sha": report.sha256, "source": options.source,
            "at": datetime.now(UTC).replace(tzinfo=None), "rows": report.rows,
            "months": report.months, "accounts": report.accounts, "net": report.net_revenue,
            "outcome": outcome, "kind": report.kind, "encoding": report.encoding,
            "sheet": report.sheet, "header_line": report.header_line,
            "mapping": json.dumps(report.mapping, ensure_ascii=False),
            "options": options.model_dump_json(),
            "warnings": json.dumps([w.model_dump() for w in report.warnings], ensure_ascii=False),
        },
    )
    con.execute("INSERT INTO upload_files VALUES ($id, $bytes)",
                {"id": upload_id, "bytes": prepared.data})
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
    con.register("incoming_rows", prepared.rows)
    try:
        con.execute(
            f"INSERT INTO facts SELECT $id, {', '.join(CLEAN_COLUMNS)} FROM incoming_rows",
            {"id": upload_id},
        )
    finally:
        con.unregister("incoming_rows")
    _check_written(con, upload_id, prepared)
    return upload_id


def store_uploads(
    db: Database, batch: list[PreparedUpload], replace: bool = False
) -> list[UploadResult]:
    """Store every file of the batch in one transaction, or none of them."""
    bad = [i for p in batch for i in p.report.errors]
    if bad or any(p.rows is None for p in batch):
        raise StoreError(bad)
    db.ensure_schema()
    results: list[UploadResult] = []
    with db.transaction() as con:
        refusals: list[IngestIssue] = []
        for prepared in batch:
            same = _identical(con, prepared)
            if same is not None:
                results.append(_result(prepared, same, "unchanged"))
                continue
            versions = existing_versions(con, prepared)
            if versions and not replace:
                refusals += [
                    IngestIssue(
                        file=prepared.report.file, rule="month_taken", value=v.month,
                        message=t("store.month_taken", "en", month=v.month, source=v.source,
                                  upload=v.upload_id, rows=v.rows,
                                  revenue=f"{v.net_revenue:,.2f}"),
                    )
                    for v in versions
                ]
                continue
            upload_id = _insert(con, prepared, "replaced" if versions else "stored",
                                {v.month: v.upload_id for v in versions})
            results.append(_result(prepared, upload_id, "replaced" if versions else "stored"))
        if refusals:
            raise StoreError(refusals)
        if any(r.status != "unchanged" for r in results):
            _bump_version(con)
    return results


def restore_upload(db: Database, upload_id: int) -> list[str]:
    """Bring back the versions that upload replaced; returns the months restored."""
    db.ensure_schema()
    with db.transaction() as con:
        if not fetch_all(con, "SELECT 1 FROM uploads WHERE id = $id", {"id": upload_id}):
            raise StoreError([IngestIssue(file="", rule="no_such_upload", message=t(
                "store.no_such_upload", "en", upload=upload_id))])
        swaps = fetch_all(
            con,
            """SELECT strftime(month, '%Y-%m'), source, replaced_upload, active
               FROM upload_months WHERE upload_id = $id AND replaced_upload IS NOT NULL
               ORDER BY month""",
            {"id": upload_id},
        )
        if not swaps:
            raise StoreError([IngestIssue(file="", rule="nothing_to_restore", message=t(
                "store.nothing_to_restore", "en", upload=upload_id))])
        for month, source, _old, active in swaps:
            if not active:
                raise StoreError([IngestIssue(file="", rule="restore_conflict", message=t(
                    "store.restore_conflict", "en", month=month, source=source))])
        for month, source, old, _active in swaps:
            params = {"new": upload_id, "old": old, "month": month, "source": source}
            con.execute(
                """UPDATE upload_months SET active = (upload_id = $old)
                   WHERE upload_id IN ($new, $old) AND source = $source
                   AND month = ($month || '-01')::DATE""",
                params,
            )
        doubled = scalar(con, """SELECT count(*) FROM (SELECT source, month FROM upload_months
                                 WHERE active GROUP BY ALL HAVING count(*) > 1)""")
        if doubled:
            raise RuntimeError("post-write check failed: a month has two active versions")
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
    return [
        UploadInfo(id=i, file=f, source=s, status=st, rows=r, months=list(m), uploaded_at=at,
                   net_revenue=n, accounts=a, can_restore=c)
        for i, f, s, st, r, m, at, n, a, c in rows
    ]
