"""Column mappings remembered per source, so next month's export maps the way the user set it."""

from __future__ import annotations

from collections.abc import Mapping

import duckdb

from core.db import Database
from core.fields import FIELDS, IGNORE
from core.sql import fetch_all

MAPPINGS_DDL = """CREATE TABLE IF NOT EXISTS source_mappings (
    source VARCHAR NOT NULL,
    header VARCHAR NOT NULL,
    field VARCHAR NOT NULL,
    PRIMARY KEY (source, header)
)"""
"""The table of remembered mappings: one row per source and header."""


def saved_mapping(con: duckdb.DuckDBPyConnection, source: str) -> dict[str, str]:
    """Header -> field (or 'ignore') the user set for this source; empty when none."""
    if not fetch_all(con, "SELECT 1 FROM duckdb_tables() WHERE table_name = 'source_mappings'"):
        return {}
    rows = fetch_all(
        con,
        "SELECT header, field FROM source_mappings WHERE source = $source ORDER BY header",
        {"source": source},
    )
    return dict(rows)


def save_mapping(db: Database, source: str, mapping: Mapping[str, str]) -> None:
    """Replace the source's remembered mapping with this one, atomically."""
    unknown = sorted({f for f in mapping.values() if f != IGNORE and f not in FIELDS})
    if unknown:
        raise ValueError(f"not Keystone fields: {', '.join(unknown)}")
    with db.transaction() as con:
        con.execute(MAPPINGS_DDL)
        con.execute("DELETE FROM source_mappings WHERE source = $source", {"source": source})
        for header, field in mapping.items():
            con.execute(
                "INSERT INTO source_mappings VALUES ($source, $header, $field)",
                {"source": source, "header": header, "field": field},
            )


def parse_mapping_text(text: str) -> tuple[dict[str, str], list[str]]:
    """Header -> field from lines like 'Umsatz netto=net_revenue', as `--map` takes them.

    Returns the mapping and the lines that are not COLUMN=field with a known field.
    """
    mapping: dict[str, str] = {}
    rejected: list[str] = []
    for line in text.splitlines():
        header, sep, field = line.rpartition("=")
        header, field = header.strip(), field.strip()
        if not line.strip():
            continue
        if not sep or not header or (field != IGNORE and field not in FIELDS):
            rejected.append(line.strip())
            continue
        mapping[header] = field
    return mapping, rejected


def edited_mapping(
    overrides: Mapping[str, str], shown: Mapping[str, str], chosen: Mapping[str, str]
) -> dict[str, str]:
    """The overrides after a mapping edit.

    `shown` is header -> field (or 'ignore') as the file was read, `chosen` the same after the
    user's edit. Every changed header becomes an override; a column that held a field the user
    has now given to another column is set to 'ignore', so one edit never maps a field twice.
    """
    result = dict(overrides)
    changed = {h: f for h, f in chosen.items() if shown.get(h) != f}
    for header, field in changed.items():
        result[header] = field
        if field == IGNORE:
            continue
        for other, other_field in chosen.items():
            if other != header and other_field == field and other not in changed:
                result[other] = IGNORE
    return result
