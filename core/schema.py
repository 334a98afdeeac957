"""The stored tables: uploads, their raw bytes, which months each upload holds, and the rows."""

from __future__ import annotations

from typing import Final

SCHEMA_VERSION: Final = 1

SCHEMA_SQL: Final[tuple[str, ...]] = (
    "CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)",
    """CREATE TABLE IF NOT EXISTS uploads (
        id INTEGER PRIMARY KEY,
        file VARCHAR NOT NULL,
        sha256 VARCHAR NOT NULL,
        source VARCHAR NOT NULL,
        uploaded_at TIMESTAMP NOT NULL,
        rows INTEGER NOT NULL,
        months VARCHAR[] NOT NULL,
        accounts INTEGER NOT NULL,
        net_revenue DOUBLE NOT NULL,
        outcome VARCHAR NOT NULL,
        kind VARCHAR NOT NULL,
        encoding VARCHAR,
        sheet VARCHAR,
        header_line INTEGER,
        mapping JSON NOT NULL,
        options JSON NOT NULL,
        warnings JSON NOT NULL
    )""",
    "CREATE TABLE IF NOT EXISTS upload_files (upload_id INTEGER PRIMARY KEY, bytes BLOB NOT NULL)",
    """CREATE TABLE IF NOT EXISTS upload_months (
        upload_id INTEGER NOT NULL,
        source VARCHAR NOT NULL,
        month DATE NOT NULL,
        active BOOLEAN NOT NULL,
        replaced_upload INTEGER
    )""",
    """CREATE TABLE IF NOT EXISTS facts (
        upload_id INTEGER NOT NULL,
        line BIGINT NOT NULL,
        month DATE NOT NULL,
        account_id VARCHAR,
        account_name VARCHAR,
        account_key VARCHAR NOT NULL,
        parent_group VARCHAR,
        segment VARCHAR,
        region VARCHAR,
        owner VARCHAR,
        industry VARCHAR,
        currency VARCHAR,
        product VARCHAR,
        quantity DOUBLE,
        net_revenue DOUBLE NOT NULL,
        list_revenue DOUBLE,
        discount_amount DOUBLE,
        off_invoice DOUBLE,
        cost DOUBLE,
        gross_profit DOUBLE,
        cost_to_serve DOUBLE
    )""",
    # The rows every figure is computed from: only the active version of each source-month.
    """CREATE OR REPLACE VIEW active_rows AS
        SELECT m.source, f.*
        FROM facts AS f
        JOIN upload_months AS m ON f.upload_id = m.upload_id AND f.month = m.month
        WHERE m.active""",
)
"""DDL, applied in order; every statement is idempotent."""
