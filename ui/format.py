"""How figures and messages read on screen: money, rates, months and translated issues."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from functools import partial
from typing import Final

import pandas as pd
import streamlit as st

from core.export import CSV_MIME, XLSX_MIME, safe_csv, safe_xlsx
from core.i18n import Language
from core.ingest.models import IngestIssue
from core.metrics import Period

CURRENCY_SIGNS: Final[dict[str, str]] = {
    "CNY": "¥",
    "RMB": "¥",
    "JPY": "¥",
    "USD": "$",
    "EUR": "€",
    "GBP": "£",
}
"""Signs for the currency codes exports carry; other codes are written out."""

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def money(value: float | None, currency: str | None = None) -> str:
    """A full amount with thousands separators and no cents: 1,234,568."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{_sign(currency)}{value:,.0f}"


def compact_money(
    value: float | None, language: Language, currency: str | None = None, digits: int = 1
) -> str:
    """A short amount: ¥4.1M in English, ¥410万 in Chinese; `digits` decimals below 100 units."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    sign, size = ("-" if value < 0 else ""), abs(value)
    if language == "zh":
        steps = ((1e8, "亿"), (1e4, "万"))
    else:
        steps = ((1e9, "B"), (1e6, "M"), (1e3, "K"))
    for scale, suffix in steps:
        if size >= scale:
            scaled = size / scale
            return f"{sign}{_sign(currency)}{scaled:,.{digits if scaled < 100 else 0}f}{suffix}"
    return f"{sign}{_sign(currency)}{size:,.0f}"


def tile_money(value: float | None, language: Language) -> str:
    """An amount that fits a metric tile: in full below a million, else 1,059.7M or 10.60亿."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or abs(value) < 1e6:
        return money(value)
    if language == "zh":
        return compact_money(value, language, digits=2)
    return f"{'-' if value < 0 else ''}{abs(value) / 1e6:,.1f}M"


def _sign(currency: str | None) -> str:
    if not currency:
        return ""
    code = currency.upper()
    return CURRENCY_SIGNS.get(code, f"{code} ")


def rate(value: float | None) -> str:
    """A share as a percentage with one decimal: 0.0842 -> 8.4%."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:.1%}"


def month_span(months: Iterable[str]) -> str:
    """'2026-03' for one month, '2025-01 – 2025-12' for several, '–' for none."""
    ordered = sorted(months)
    if not ordered:
        return "–"
    return ordered[0] if len(ordered) == 1 else f"{ordered[0]} – {ordered[-1]}"


def window_span(window: Period | None, missing: str) -> str:
    """'2024-04 – 2025-03' for a closed period, else `missing` (history does not cover it)."""
    if window is None or window.start is None or window.end is None:
        return missing
    return month_span({window.start.strftime("%Y-%m"), window.end.strftime("%Y-%m")})


def escape_markdown(text: object) -> str:
    """User text (file or account names) made safe to place inside a markdown label."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text))


def issue_message(issue: IngestIssue, language: Language) -> str:
    """The issue's message in the UI language, rebuilt from the catalogue by its rule."""
    return issue.localised(language)


def issues_frame(
    issues: Iterable[IngestIssue], language: Language, columns: dict[str, str]
) -> pd.DataFrame:
    """Issues as a table with the given column titles (keys: file, line, column, value, message)."""
    rows = [
        {
            "file": issue.file,
            "line": "" if issue.line is None else str(issue.line),
            "column": issue.column or "",
            "value": issue.value if issue.value is not None else "",
            "message": issue_message(issue, language),
        }
        for issue in issues
    ]
    table = pd.DataFrame(rows, columns=["file", "line", "column", "value", "message"])
    return table.rename(columns=columns)


def issues_csv(issues: Iterable[IngestIssue], language: Language, columns: dict[str, str]) -> bytes:
    """Issues as CSV, UTF-8 with a BOM so Excel opens Chinese text correctly; a cell value
    quoted from the file cannot start a formula."""
    return safe_csv(issues_frame(issues, language, columns))


def download_table(
    frame: pd.DataFrame, file_name: str, key: str, csv_label: str | None = None
) -> None:
    """The table's downloads, side by side: CSV (UTF-8 with a BOM) and Excel (.xlsx), both
    with formula starts neutralised (core.export); each file is written only on click."""
    from ui.state import tr  # ui.state is the app's glue; this module stays importable alone

    stem = file_name.removesuffix(".csv")
    with st.container(horizontal=True):
        st.download_button(
            csv_label or tr("report.download.csv"),
            partial(safe_csv, frame),
            file_name=f"{stem}.csv",
            mime=CSV_MIME,
            key=key,
            icon=":material/download:",
        )
        st.download_button(
            tr("report.download.xlsx"),
            partial(safe_xlsx, frame),
            file_name=f"{stem}.xlsx",
            mime=XLSX_MIME,
            key=f"{key}_xlsx",
            icon=":material/table_view:",
        )
