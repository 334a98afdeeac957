"""The stored tables: uploads, their raw bytes, which months each upload holds, and the rows."""

from __future__ import annotations

from typing import Final

from core.directory import DIRECTORY_DDL

SCHEMA_VERSION: Final = 4

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
    # The raw bytes as stored (core.raw_files): `codec` NULL means as uploaded; `size` is the
    # file's own size. Files from before version 4 have neither column until upgraded.
    """CREATE TABLE IF NOT EXISTS upload_files (
        upload_id INTEGER PRIMARY KEY,
        bytes BLOB NOT NULL,
        codec VARCHAR,
        size BIGINT
    )""",
    "ALTER TABLE upload_files ADD COLUMN IF NOT EXISTS codec VARCHAR",
    "ALTER TABLE upload_files ADD COLUMN IF NOT EXISTS size BIGINT",
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
    # Companion files (contacts, accounts) are versioned whole, per kind and source.
    """CREATE TABLE IF NOT EXISTS reference_versions (
        upload_id INTEGER NOT NULL,
        kind VARCHAR NOT NULL,
        source VARCHAR NOT NULL,
        active BOOLEAN NOT NULL,
        replaced_upload INTEGER
    )""",
    """CREATE TABLE IF NOT EXISTS contact_rows (
        upload_id INTEGER NOT NULL,
        line BIGINT NOT NULL,
        account_id VARCHAR NOT NULL,
        account_name VARCHAR,
        contact_name VARCHAR NOT NULL,
        title VARCHAR,
        buying_role VARCHAR NOT NULL,
        style VARCHAR,
        influence INTEGER,
        stance VARCHAR,
        last_contact DATE,
        owner VARCHAR
    )""",
    """CREATE TABLE IF NOT EXISTS account_rows (
        upload_id INTEGER NOT NULL,
        line BIGINT NOT NULL,
        account_id VARCHAR NOT NULL,
        account_name VARCHAR,
        parent_group VARCHAR,
        segment VARCHAR,
        owner VARCHAR,
        industry VARCHAR,
        key_account BOOLEAN
    )""",
    # The people at each account: every row of each source's active contacts file.
    """CREATE OR REPLACE VIEW active_contacts AS
        SELECT v.source, c.upload_id, c.line, c.account_id, c.account_name, c.contact_name,
               c.title, c.buying_role, c.style, c.influence, c.stance, c.last_contact, c.owner
        FROM contact_rows AS c
        JOIN reference_versions AS v ON v.upload_id = c.upload_id
        WHERE v.active AND v.kind = 'contacts'""",
    # One row per account id from the active accounts files; the newest upload wins a clash.
    """CREATE OR REPLACE VIEW account_master AS
        SELECT a.account_id, a.account_name, a.parent_group, a.segment, a.owner, a.industry,
               a.key_account, v.source, a.upload_id
        FROM account_rows AS a
        JOIN reference_versions AS v ON v.upload_id = a.upload_id
        WHERE v.active AND v.kind = 'accounts'
        QUALIFY row_number() OVER (PARTITION BY a.account_id ORDER BY a.upload_id DESC) = 1""",
    # Each account's latest name and segment, derived from the active rows on every write.
    DIRECTORY_DDL,
)
"""DDL, applied in order; every statement is idempotent."""
