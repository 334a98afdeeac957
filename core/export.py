"""Tables leaving the app as files: CSV and XLSX that spreadsheets open safely and correctly."""

from __future__ import annotations

import io
import re
from typing import Final

import pandas as pd
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")
"""Leading characters a spreadsheet reads as a formula (OWASP CSV injection)."""
XLSX_MIME: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIME: Final = "text/csv"

_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def neutralise(value: object) -> object:
    """A text cell that would start a formula, prefixed with a single quote; others unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        if not _PLAIN_NUMBER.match(value):
            return "'" + value
    return value


def _is_text(column: pd.Series) -> bool:
    return not pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)


def neutralised(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells and column titles cannot start a formula.

    Only text cells change: numeric columns stay numbers, and a text cell that is a plain
    number ("-5") stays as it is.
    """
    cleaned = frame.copy()
    cleaned.columns = [str(neutralise(str(column))) for column in cleaned.columns]
    for position in range(cleaned.shape[1]):
        column = cleaned.iloc[:, position]
        if _is_text(column):
            cleaned.isetitem(position, column.map(neutralise))
    return cleaned


def safe_csv(frame: pd.DataFrame) -> bytes:
    """The frame as CSV, UTF-8 with a BOM (Excel reads Chinese), formula cells neutralised."""
    return neutralised(frame).to_csv(index=False).encode("utf-8-sig")


def _excel_cell(value: object) -> object:
    """A value openpyxl can store as it is: lists as text, no XML-illegal control characters."""
    if isinstance(value, list | tuple | dict | set):
        value = str(value)
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def safe_xlsx(frame: pd.DataFrame, sheet: str = "Keystone") -> bytes:
    """The frame as an .xlsx workbook with the same neutralising as safe_csv, every text cell
    stored as text (never as a formula), numbers as numbers."""
    cleaned = neutralised(frame)
    for position in range(cleaned.shape[1]):
        column = cleaned.iloc[:, position]
        if isinstance(column.dtype, pd.DatetimeTZDtype):  # Excel has no time zones
            cleaned.isetitem(position, column.dt.tz_localize(None))
        elif _is_text(column):
            cleaned.isetitem(position, column.map(_excel_cell))
    cleaned.columns = [str(_excel_cell(column)) for column in cleaned.columns]
    name = _SHEET_FORBIDDEN.sub(" ", sheet)[:31] or "Keystone"
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        cleaned.to_excel(writer, index=False, sheet_name=name)
        for row in writer.sheets[name].iter_rows():
            for cell in row:
                # openpyxl reads any text starting with '=' as a formula; text stays text.
                if cell.data_type == "f":
                    cell.data_type = "s"
    return buffer.getvalue()
