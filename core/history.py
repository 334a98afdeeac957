"""The upload history: what was stored when, and bringing back what an upload replaced."""

from __future__ import annotations

import duckdb
from pydantic import BaseModel, ConfigDict

from core.db import Database
from core.reference_store import restore_reference
from core.sql import fetch_all
from core.store import StoreError, bump_version, check_one_version, store_issue


def restore_upload(db: Database, upload_id: int) -> list[str]:
    """Bring back the versions that upload replaced; returns the months restored."""
    db.ensure_schema()
    with db.transaction() as con:
        if not fetch_all(con, "SELECT 1 FROM uploads WHERE id = $id", {"id": upload_id}):
            raise StoreError([store_issue("no_such_upload", upload=upload_id)])
        state, kind, source = restore_reference(con, upload_id)
        if state != "not_reference":
            rule = {"nothing": "nothing_to_restore", "already": "already_restored"}.get(state)
            if rule or state == "conflict":
                raise StoreError(
                    [
                        store_issue(
                            rule or "reference_conflict", upload=upload_id, kind=kind, source=source
                        )
                    ]
                )
            bump_version(con)
            return []
        swaps = fetch_all(
            con,
            """SELECT strftime(m.month, '%Y-%m'), m.source, m.replaced_upload, m.active,
                      coalesce(o.active, false)
               FROM upload_months AS m LEFT JOIN upload_months AS o
                 ON o.upload_id = m.replaced_upload AND o.source = m.source AND o.month = m.month
               WHERE m.upload_id = $id AND m.replaced_upload IS NOT NULL
               ORDER BY m.month""",
            {"id": upload_id},
        )
        if not swaps:
            raise StoreError([store_issue("nothing_to_restore", upload=upload_id)])
        if all(old_active and not active for *_, active, old_active in swaps):
            raise StoreError([store_issue("already_restored", upload=upload_id)])
        for month, source, _old, active, _old_active in swaps:
            if not active:
                raise StoreError([store_issue("restore_conflict", month=month, source=source)])
        for month, source, old, _active, _old_active in swaps:
            params = {"new": upload_id, "old": old, "month": month, "source": source}
            con.execute(
                """UPDATE upload_months SET active = (upload_id = $old)
                   WHERE upload_id IN ($new, $old) AND source = $source
                   AND month = ($month || '-01')::DATE""",
                params,
            )
        check_one_version(con)
        bump_version(con)
    return [month for month, *_ in swaps]


class UploadInfo(BaseModel):
    """One row of the upload history; the `keystone uploads` JSON contract."""

    model_config = ConfigDict(extra="forbid")

    id: int
    file: str
    source: str
    kind: str
    """'export', 'contacts' or 'accounts'."""
    status: str
    """'stored' or 'replaced' while active, 'superseded' once another upload replaced it."""
    rows: int
    months: list[str]
    uploaded_at: str
    net_revenue: float
    accounts: int
    can_restore: bool
    """True when this upload replaced a version that can be brought back."""


_NO_REFERENCES = (
    "(SELECT NULL::INTEGER AS upload_id, NULL::BOOLEAN AS active, "
    "NULL::INTEGER AS replaced_upload WHERE false)"
)
"""Stands in for reference_versions in a database written before companion files existed."""


def list_uploads(con: duckdb.DuckDBPyConnection) -> list[UploadInfo]:
    """Every upload, newest first."""
    has_references = fetch_all(
        con, "SELECT 1 FROM duckdb_tables() WHERE table_name = 'reference_versions'"
    )
    references = "reference_versions" if has_references else _NO_REFERENCES
    rows = fetch_all(
        con,
        f"""SELECT u.id, u.file, u.source,
                  coalesce(json_extract_string(u.options, '$.kind'), 'export'),
                  CASE WHEN coalesce(bool_or(m.active), bool_or(r.active)) THEN u.outcome
                       ELSE 'superseded' END,
                  u.rows, u.months, strftime(u.uploaded_at, '%Y-%m-%dT%H:%M:%SZ'),
                  u.net_revenue, u.accounts,
                  coalesce(bool_or(m.active AND m.replaced_upload IS NOT NULL), false)
                      OR coalesce(bool_or(r.active AND r.replaced_upload IS NOT NULL), false)
           FROM uploads AS u LEFT JOIN upload_months AS m ON m.upload_id = u.id
           LEFT JOIN {references} AS r ON r.upload_id = u.id
           GROUP BY u.id, u.file, u.source, u.options, u.outcome, u.rows, u.months, u.uploaded_at,
                    u.net_revenue, u.accounts
           ORDER BY u.id DESC""",
    )
    return [UploadInfo(**dict(zip(UploadInfo.model_fields, row, strict=True))) for row in rows]
