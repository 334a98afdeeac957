"""Small helpers that fetch DuckDB results completely, as duckdb 2.0 requires."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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
