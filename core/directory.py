"""The account directory: one row per account with its latest name and segment.

Names and segments are strings that a figure would otherwise read from every stored row of its
period, the costliest columns to scan. The directory is derived from the active rows and
refreshed inside every transaction that changes them (core.store.bump_version), so figures
join it instead. Scoped connections (core.scope) shadow it with the anonymised names.
"""

from __future__ import annotations

from typing import Final

import duckdb

DIRECTORY_SINCE: Final = 3
"""The schema version that added the directory: an older file gets it filled on upgrade."""

DIRECTORY: Final = "account_directory"
"""The table's name; a scoped connection may shadow it with a temporary view."""

DIRECTORY_DDL: Final = f"""CREATE TABLE IF NOT EXISTS {DIRECTORY} (
    account_key VARCHAR NOT NULL,
    account_name VARCHAR,
    segment VARCHAR
)"""
"""account_name: the latest non-NULL stored name over the whole history (ties within a month:
the largest), NULL when no row names the account. segment: likewise the latest non-NULL
stored segment. Both as core.segments_sql.account_segments_sql decides them."""

_REFRESH_SQL: Final = f"""
INSERT INTO {DIRECTORY}
SELECT account_key,
       arg_max(account_name, (month, account_name)) FILTER (WHERE account_name IS NOT NULL),
       arg_max(segment, (month, segment)) FILTER (WHERE segment IS NOT NULL)
FROM active_rows GROUP BY account_key"""

NAME_SQL: Final = "coalesce(d.account_name, {key})"
"""SQL: an account's display name from the directory joined as `d` (its key without one)."""


def refresh_directory(con: duckdb.DuckDBPyConnection) -> None:
    """Derive the directory again from the active rows, in the caller's transaction."""
    con.execute(DIRECTORY_DDL)
    con.execute(f"DELETE FROM {DIRECTORY}")
    con.execute(_REFRESH_SQL)
