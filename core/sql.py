"""Small DuckDB helpers: fetch results completely (as duckdb 2.0 requires), expose Arrow tables."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa

Params = Mapping[str, object] | Sequence[object] | None


def fetch_all(con: duckdb.DuckDBPyConnection, sql: str, params: Params = None) -> list[tuple]:
    """Every row of a query."""
    return con.sql(sql, params=params).fetchall()


def fetch_one(con: duckdb.DuckDBPyConnection, sql: str, params: Params = None) -> tuple:
    """The first row of a query that returns at least one."""
    return fetch_all(con, sql, params)[0]


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: Params = None) -> Any:
    """The single value of a one-row, one-column query."""
    return fetch_one(con, sql, params)[0]


def arrow(con: duckdb.DuckDBPyConnection, sql: str, params: Params = None) -> pa.Table:
    """A query's result as an Arrow table (about twice as fast as a DataFrame fetch)."""
    return con.sql(sql, params=params).to_arrow_table()


def frame(con: duckdb.DuckDBPyConnection, sql: str, params: Params = None) -> pd.DataFrame:
    """A query's result as a DataFrame, fetched through Arrow."""
    return arrow(con, sql, params).to_pandas(date_as_object=False)


@contextmanager
def registered(con: duckdb.DuckDBPyConnection, name: str, table: pa.Table) -> Iterator[None]:
    """`table` visible as view `name` for the block; the block's own error wins."""
    con.register(name, table)
    try:
        yield
    except BaseException:
        with suppress(duckdb.Error):  # an aborted transaction refuses even this
            con.unregister(name)
        raise
    con.unregister(name)
