"""Tables leaving the app as files: CSV that spreadsheets open safely and correctly."""

from __future__ import annotations

import re
from typing import Final

import pandas as pd

FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")
"""Leading characters a spreadsheet reads as a formula (OWASP CSV injection)."""

_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def neutralise(value: object) -> object:
    """A text cell that would start a formula, prefixed with a single quote; others unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        if not _PLAIN_NUMBER.match(value):
            return "'" + value
    return value


def safe_csv(frame: pd.DataFrame) -> bytes:
    """The frame as CSV, UTF-8 with a BOM (Excel reads Chinese), formula cells neutralised.

    Only text cells change: numeric columns are written as numbers, and a text cell that is
    a plain number ("-5") stays as it is.
    """
    cleaned = frame.copy()
    cleaned.columns = [str(neutralise(str(column))) for column in cleaned.columns]
    for column in cleaned.columns:
        if not pd.api.types.is_numeric_dtype(cleaned[column]) and not pd.api.types.is_bool_dtype(
            cleaned[column]
        ):
            cleaned[column] = cleaned[column].map(neutralise)
    return cleaned.to_csv(index=False).encode("utf-8-sig")
