"""The shared view of the data: a period preset and filters by source, region, owner, segment.

Filters narrow the data for every figure at once: `scope_connection` shadows the `active_rows`
view with a temporary view of the same name that keeps only the chosen rows, so every query of
that connection (and every analysis written against active_rows) sees the filtered portfolio.
Filter values travel in temporary tables and are never formatted into SQL.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Final, Literal

import duckdb
from pydantic import BaseModel, ConfigDict

from core.db import Database
from core.directory import DIRECTORY
from core.fields import MONEY_FIELDS
from core.metrics import Period
from core.sql import fetch_all, scalar

Dimension = Literal["sources", "regions", "owners", "segments"]
DIMENSIONS: Final[tuple[Dimension, ...]] = ("sources", "regions", "owners", "segments")

UNASSIGNED: Final = "unassigned"
"""The segment of an account whose rows name none; filterable like any other segment."""

_ROW_COLUMN: Final[dict[str, str]] = {"sources": "source", "regions": "region", "owners": "owner"}
"""Row-level dimensions: a row is kept when its column is one of the chosen values."""


class Filters(BaseModel):
    """Chosen values per dimension; an empty tuple keeps everything."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    sources: tuple[str, ...] = ()
    """Upload sources (business units or systems)."""
    regions: tuple[str, ...] = ()
    """Sales regions, as stored in the rows."""
    owners: tuple[str, ...] = ()
    """Account managers, as stored in the rows."""
    segments: tuple[str, ...] = ()
    """Value segments of the accounts (each account's latest stored segment, or 'unassigned'):
    a segment filter keeps whole accounts, as the Segments page counts them."""

    def is_empty(self) -> bool:
        """Whether nothing is filtered."""
        return not any(getattr(self, name) for name in DIMENSIONS)

    def token(self) -> str:
        """A canonical text form (sorted values): the same filters give the same token."""
        chosen = {name: sorted(getattr(self, name)) for name in DIMENSIONS if getattr(self, name)}
        return json.dumps(chosen, ensure_ascii=False, sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_token(cls, token: str | None) -> Filters:
        """The filters of a token; an empty or unreadable token filters nothing."""
        if not token:
            return cls()
        try:
            chosen = json.loads(token)
            return cls(**{name: tuple(chosen.get(name, ())) for name in DIMENSIONS})
        except (ValueError, TypeError, AttributeError):
            return cls()


class Aliases(BaseModel):
    """The words anonymised names are made of, in the reader's language: 'Account 017'."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    account: str = "Account"
    group: str = "Group"
    owner: str = "Owner"
    contact: str = "Contact"


class Scope(BaseModel):
    """Everything that shapes what a reader's connection sees: filters, and for a shared screen
    anonymised names and money as an index."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    filters: Filters = Filters()
    anonymise: bool = False
    """Replace account, group, owner and contact names (and account ids) by stable aliases,
    numbered by total net revenue over all stored history, largest first."""
    index_month: date | None = None
    """When set, every money column is scaled so that this month's net revenue is 100; shares,
    rates and margins are unchanged."""
    aliases: Aliases = Aliases()

    def is_plain(self) -> bool:
        """Whether the connection sees the stored data as it is."""
        return self.filters.is_empty() and not self.anonymise and self.index_month is None

    def token(self) -> str:
        """A canonical text form for cache keys (and nothing else: it may hold filter values)."""
        return self.model_dump_json()

    @classmethod
    def from_token(cls, token: str | None) -> Scope:
        """The scope of a token; an empty or unreadable one is the plain scope."""
        if not token:
            return cls()
        try:
            return cls.model_validate_json(token)
        except ValueError:
            return cls()


MONEY_COLUMNS: Final = MONEY_FIELDS
"""The stored rows' money columns, scaled together when money is shown as an index."""


def _segment_of_accounts(catalog: str) -> str:
    """SQL: each account's segment as the Segments page has it (core.segments_sql): the
    accounts file's, else its latest non-NULL stored segment, else 'unassigned'."""
    return f"""
        SELECT r.account_key, coalesce(m.segment, r.segment, '{UNASSIGNED}') AS segment
        FROM "{catalog}".main.{DIRECTORY} AS r
        LEFT JOIN "{catalog}".main.account_master AS m ON m.account_id = r.account_key"""


def scope_connection(con: duckdb.DuckDBPyConnection, scope: Scope | Filters) -> None:
    """From now on, `active_rows` (and with anonymise `account_directory`, `account_master` and
    `active_contacts`) in this connection show only what the scope lets through.

    The stored views stay reachable as <database>.main.<view>; nothing is written to the
    database file (temporary objects live in the connection).
    """
    scope = scope if isinstance(scope, Scope) else Scope(filters=scope)
    if scope.is_plain():
        return
    catalog = scalar(con, "SELECT current_database()")
    rows = f'"{catalog}".main.active_rows'
    if not scope.filters.is_empty():
        _filtered_rows(con, scope.filters, catalog)
        rows = "temp.main.scope_filtered"
    if scope.index_month is not None:
        _indexed_rows(con, rows, scope.index_month)
        rows = "temp.main.scope_indexed"
    if scope.anonymise:
        _anonymised(con, rows, catalog, scope.aliases)
        rows = "temp.main.scope_anonymised"
    con.execute(f"CREATE OR REPLACE TEMP VIEW active_rows AS SELECT * FROM {rows}")


def _filtered_rows(con: duckdb.DuckDBPyConnection, filters: Filters, catalog: str) -> None:
    conditions = []
    for name in DIMENSIONS:
        values = getattr(filters, name)
        if not values:
            continue
        table = f"scope_{name}"
        con.execute(f"CREATE OR REPLACE TEMP TABLE {table} (value VARCHAR)")
        con.executemany(f"INSERT INTO {table} VALUES (?)", [[value] for value in values])
        if name in _ROW_COLUMN:
            conditions.append(f"r.{_ROW_COLUMN[name]} IN (SELECT value FROM {table})")
        else:
            conditions.append(
                f"""r.account_key IN (
                    SELECT account_key FROM ({_segment_of_accounts(catalog)})
                    WHERE segment IN (SELECT value FROM {table}))"""
            )
    con.execute(
        f"""CREATE OR REPLACE TEMP VIEW scope_filtered AS
            SELECT r.* FROM "{catalog}".main.active_rows AS r
            WHERE {" AND ".join(conditions)}"""
    )


def _indexed_rows(con: duckdb.DuckDBPyConnection, rows: str, month: date) -> None:
    """Money scaled by 100 / (the month's net revenue); unscaled when that is not positive."""
    con.execute("CREATE OR REPLACE TEMP TABLE scope_index (factor DOUBLE)")
    con.execute(
        f"""INSERT INTO scope_index
            SELECT coalesce(100 / nullif(greatest(sum(net_revenue), 0), 0), 1)
            FROM {rows} WHERE month = ?""",
        [month],
    )
    scaled = ", ".join(f"{column} * i.factor AS {column}" for column in MONEY_COLUMNS)
    con.execute(
        f"""CREATE OR REPLACE TEMP VIEW scope_indexed AS
            SELECT r.* REPLACE ({scaled}, NULL::VARCHAR AS currency)
            FROM {rows} AS r CROSS JOIN scope_index AS i"""
    )


def _numbered(order: str, digits: int) -> str:
    """SQL: the row's number in `order`, zero-padded to `digits` or to the count's width when
    that is wider (lpad would cut '1000' to '100' and give two names one alias)."""
    return (
        f"lpad((row_number() OVER ({order}))::VARCHAR, "
        f"greatest({digits}, length((count(*) OVER ())::VARCHAR))::INTEGER, '0')"
    )


_EMPTY_MASTER: Final = (
    "(SELECT NULL::VARCHAR AS account_id, NULL::VARCHAR AS parent_group, "
    "NULL::VARCHAR AS owner WHERE false)"
)
_EMPTY_CONTACTS: Final = "(SELECT NULL::VARCHAR AS account_id, NULL::VARCHAR AS owner WHERE false)"


def _anonymised(con: duckdb.DuckDBPyConnection, rows: str, catalog: str, aliases: Aliases) -> None:
    """Alias tables over every account, group and owner stored anywhere, then views that show
    the aliases in place of the names; numbered by all-history revenue, so stable."""
    stored = f'"{catalog}".main'
    views = {
        row[0]
        for row in fetch_all(
            con,
            "SELECT view_name FROM duckdb_views() WHERE database_name = ? AND NOT temporary",
            [catalog],
        )
    }
    # Files from before the companion tables have neither view: nothing of theirs to alias.
    master = f"{stored}.account_master" if "account_master" in views else _EMPTY_MASTER
    contacts = f"{stored}.active_contacts" if "active_contacts" in views else _EMPTY_CONTACTS
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE scope_account_alias AS
            WITH revenue AS (
                SELECT account_key AS name, sum(net_revenue) AS net
                FROM {stored}.active_rows GROUP BY 1
                UNION ALL SELECT account_id, NULL FROM {master}
                UNION ALL SELECT account_id, NULL FROM {contacts}
            )
            SELECT name, $label || ' ' || {_numbered("ORDER BY max(net) DESC NULLS LAST, name", 3)}
                       AS alias
            FROM revenue WHERE name IS NOT NULL GROUP BY name""",
        {"label": aliases.account},
    )
    for table, label, column in (
        ("scope_group_alias", aliases.group, "parent_group"),
        ("scope_owner_alias", aliases.owner, "owner"),
    ):
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE {table} AS
                WITH names AS (
                    SELECT {column} AS name, sum(net_revenue) AS net
                    FROM {stored}.active_rows GROUP BY 1
                    UNION ALL SELECT {column}, NULL FROM {master}
                    UNION ALL SELECT owner, NULL FROM {contacts} WHERE $owners
                )
                SELECT name,
                       $label || ' ' || {_numbered("ORDER BY max(net) DESC NULLS LAST, name", 2)}
                           AS alias
                FROM names WHERE name IS NOT NULL GROUP BY name""",
            {"label": label, "owners": table == "scope_owner_alias"},
        )
    con.execute(
        f"""CREATE OR REPLACE TEMP VIEW scope_anonymised AS
            SELECT r.* REPLACE (a.alias AS account_key, a.alias AS account_name,
                                CASE WHEN r.account_id IS NOT NULL THEN a.alias END AS account_id,
                                g.alias AS parent_group, o.alias AS owner)
            FROM {rows} AS r
            LEFT JOIN scope_account_alias AS a ON a.name = r.account_key
            LEFT JOIN scope_group_alias AS g ON g.name = r.parent_group
            LEFT JOIN scope_owner_alias AS o ON o.name = r.owner"""
    )
    con.execute(
        f"""CREATE OR REPLACE TEMP VIEW {DIRECTORY} AS
            SELECT d.* REPLACE (a.alias AS account_key, a.alias AS account_name)
            FROM {stored}.{DIRECTORY} AS d
            LEFT JOIN scope_account_alias AS a ON a.name = d.account_key"""
    )
    if "account_master" in views:
        con.execute(
            f"""CREATE OR REPLACE TEMP VIEW account_master AS
            SELECT m.* REPLACE (a.alias AS account_id, a.alias AS account_name,
                                g.alias AS parent_group, o.alias AS owner)
            FROM {stored}.account_master AS m
            LEFT JOIN scope_account_alias AS a ON a.name = m.account_id
            LEFT JOIN scope_group_alias AS g ON g.name = m.parent_group
            LEFT JOIN scope_owner_alias AS o ON o.name = m.owner"""
        )
    if "active_contacts" in views:
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE scope_contact_alias AS
                SELECT account_id, contact_name,
                       $contact || ' ' || {_numbered("ORDER BY account_id, contact_name", 3)}
                           AS alias
                FROM (SELECT DISTINCT account_id, contact_name FROM {contacts})""",
            {"contact": aliases.contact},
        )
        con.execute(
            f"""CREATE OR REPLACE TEMP VIEW active_contacts AS
                SELECT c.* REPLACE (a.alias AS account_id, a.alias AS account_name,
                                    p.alias AS contact_name, o.alias AS owner)
                FROM {contacts} AS c
                LEFT JOIN scope_account_alias AS a ON a.name = c.account_id
                LEFT JOIN scope_contact_alias AS p
                  ON p.account_id IS NOT DISTINCT FROM c.account_id
                 AND p.contact_name IS NOT DISTINCT FROM c.contact_name
                LEFT JOIN scope_owner_alias AS o ON o.name = c.owner"""
        )


class ScopedDatabase:
    """A Database whose connections see the data through a scope (for reads only)."""

    def __init__(self, database: Database, scope: Scope | Filters) -> None:
        self.database = database
        self.scope = scope if isinstance(scope, Scope) else Scope(filters=scope)

    def __getattr__(self, name: str) -> object:
        return getattr(self.database, name)

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection of the database, scoped to the filters."""
        with self.database.connect() as con:
            scope_connection(con, self.scope)
            yield con


def filter_options(con: duckdb.DuckDBPyConnection) -> dict[Dimension, list[str]]:
    """The values each filter can take, over all stored rows, in alphabetical order."""
    options: dict[Dimension, list[str]] = {}
    for name, column in _ROW_COLUMN.items():
        rows = fetch_all(
            con,
            f"SELECT DISTINCT {column} FROM active_rows WHERE {column} IS NOT NULL ORDER BY 1",
        )
        options[name] = [row[0] for row in rows]  # type: ignore[index]
    catalog = scalar(con, "SELECT current_database()")
    segments = fetch_all(con, f"SELECT DISTINCT segment FROM ({_segment_of_accounts(catalog)})")
    options["segments"] = sorted(row[0] for row in segments)
    return options


Preset = Literal["month", "quarter", "ytd", "t12m", "custom"]
PRESETS: Final[tuple[Preset, ...]] = ("t12m", "ytd", "quarter", "month", "custom")
"""The period choices, the default first."""

Basis = Literal["prior", "last_year"]
BASES: Final[tuple[Basis, ...]] = ("prior", "last_year")
"""What a period is compared with first: the same-length period before it, or a year earlier
(core.concentration_sql.comparisons builds both windows)."""


def _month_index(month: date) -> int:
    return month.year * 12 + month.month - 1


def _month(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


def preset_period(preset: Preset, anchor: date, first_stored: date | None = None) -> Period:
    """The months a preset covers, ending at `anchor` (a month the user picked, e.g. the latest).

    month: the anchor alone; quarter: the calendar quarter holding the anchor, up to it;
    ytd: January of the anchor's year to the anchor; t12m: the 12 months ending at the anchor;
    custom is chosen month by month and has no preset range (the anchor alone is returned).
    The start never precedes the first stored month when that is given.
    """
    end = anchor.replace(day=1)
    index = _month_index(end)
    if preset == "quarter":
        start = _month(index - (end.month - 1) % 3)
    elif preset == "ytd":
        start = date(end.year, 1, 1)
    elif preset == "t12m":
        start = _month(index - 11)
    else:
        start = end
    if first_stored is not None and start < first_stored:
        start = first_stored.replace(day=1)
    return Period(start=start, end=end)
