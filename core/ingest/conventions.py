"""A file's conventions, settled once over all its rows: decimal mark, rate notation, date order."""

from __future__ import annotations

import duckdb

from core.ingest import normalise
from core.sql import fetch_one

# A separator followed by 1-2 or 4+ digits (and no more digits) can only be a decimal mark;
# followed by exactly 3 digits it may be a thousands separator as well.
_COMMA_DECIMAL = r"\d,(\d{1,2}|\d{4,})\D*$|\d\.\d{3},\d"
_POINT_DECIMAL = r"\d\.(\d{1,2}|\d{4,})\D*$|\d,\d{3}\.\d"


def _any(con: duckdb.DuckDBPyConnection, columns: list[str], mark: str, pattern: str) -> bool:
    """True when some cell holding `mark` matches `pattern`; the substring test keeps it cheap."""
    tests = " OR ".join(
        f"(CASE WHEN contains({c}, '{mark}') THEN regexp_matches({c}, '{pattern}') ELSE false END)"
        for c in columns
    )
    return bool(fetch_one(con, f"SELECT coalesce(bool_or({tests}), false) FROM raw")[0])


def decimal_comma(
    con: duckdb.DuckDBPyConnection, columns: list[str], delimiter: str | None
) -> bool | None:
    """True for 1.234,50 amounts, False for 1,234.50, None when the file holds both.

    Amounts that fit either (1,234 or 12) follow the delimiter: ';' files are European."""
    if not columns:
        return False
    comma = _any(con, columns, ",", _COMMA_DECIMAL)
    if not comma and delimiter != ";":
        return False
    point = _any(con, columns, ".", _POINT_DECIMAL)
    if comma and point:
        return None
    return comma or (delimiter == ";" and not point)


def rate_notation(con: duckdb.DuckDBPyConnection, column: str) -> bool | None:
    """True when plain rates are percents (15), False for fractions (0.15), None when mixed."""
    s = f"replace({normalise.half_width('src')}, ' ', '')"
    plain = f"CASE WHEN regexp_matches({s}, '{normalise.NUMBER}') THEN TRY_CAST({s} AS DOUBLE) END"
    fraction, percent = fetch_one(
        con,
        f"SELECT coalesce(bool_or(x > 0 AND x < 1), false), coalesce(bool_or(x > 1), false) "
        f"FROM (SELECT {plain} AS x FROM (SELECT DISTINCT {column} AS src FROM raw))",
    )
    if fraction and percent:
        return None
    return bool(percent)


def date_order(con: duckdb.DuckDBPyConnection, column: str, wanted: str) -> tuple[str, bool]:
    """The day/month order for dates like 15/03/2026, and whether it stays ambiguous."""
    if wanted != "auto":
        return wanted, False
    first, second = normalise.day_first_parts(column)
    high_first, high_second = fetch_one(
        con, f"SELECT {first}, {second} FROM (SELECT DISTINCT {column} FROM raw)"
    )
    if high_first is None:
        return wanted, False
    if high_first > 12 >= (high_second or 0):
        return "dmy", False
    if (high_second or 0) > 12 >= high_first:
        return "mdy", False
    return wanted, True
