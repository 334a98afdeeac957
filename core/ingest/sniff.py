"""Recognise what a file is: its kind by magic bytes, its text encoding, delimiter and header row."""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass
from pathlib import PurePath

from core.fields import IGNORE, field_for_header, normalise_header

HEADER_SEARCH_ROWS = 60
"""How many leading rows may hold a title before the header."""
DELIMITERS = (",", ";", "\t", "|")

_EXTENSION_KIND = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".parquet": "parquet",
    ".pq": "parquet",
}
_KIND_NAMES = {
    "csv": "a text (CSV) file",
    "xlsx": "an Excel .xlsx file",
    "parquet": "a Parquet file",
}


class SniffError(ValueError):
    """The file cannot be read at all; the message says why."""

    def __init__(self, message: str, rule: str) -> None:
        super().__init__(message)
        self.rule = rule


def detect_kind(file_name: str, data: bytes) -> str:
    """The file's real kind from its magic bytes, checked against what its name claims."""
    if not data:
        raise SniffError("the file is empty", "empty_file")
    if data.startswith(b"PK\x03\x04"):
        actual = "xlsx"
    elif data.startswith(b"PAR1"):
        actual = "parquet"
        if len(data) < 12 or not data.endswith(b"PAR1"):
            raise SniffError("the Parquet file is truncated (no closing PAR1 footer)", "truncated")
    elif data.startswith(b"\xd0\xcf\x11\xe0"):
        raise SniffError(
            "this is a legacy Excel .xls file; save it as .xlsx or CSV and upload again",
            "unsupported_kind",
        )
    else:
        actual = "csv"
    claimed = _EXTENSION_KIND.get(PurePath(file_name).suffix.lower())
    if claimed is not None and claimed != actual:
        raise SniffError(
            f"the name says {_KIND_NAMES[claimed]}, but the content is {_KIND_NAMES[actual]}",
            "kind_mismatch",
        )
    return actual


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode strictly as UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030; never latin-1."""
    if data.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8", "gb18030"]
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            raise SniffError("the file holds binary data, not text", "binary_file")
        return text, encoding
    raise SniffError(
        "the text is neither UTF-8, UTF-16 with BOM, nor GBK/GB18030; save it as UTF-8 CSV",
        "encoding",
    )


@dataclass(frozen=True)
class HeaderGuess:
    """Where the header is and which delimiter splits it."""

    row_index: int
    """0-based index of the header among the parsed rows (Excel) or lines (text)."""
    line: int
    """1-based physical line (or Excel row) of the header."""
    headers: list[str]
    delimiter: str | None


def _score(cells: list[str], mapping: dict[str, str]) -> int:
    overrides = {normalise_header(k) for k, v in mapping.items() if v != IGNORE}
    return sum(1 for c in cells if c and (field_for_header(c) or normalise_header(c) in overrides))


def find_header_in_rows(rows: list[list[str]], mapping: dict[str, str]) -> int | None:
    """Index of the first row naming at least two known fields, among the leading rows."""
    best, best_score = None, 1
    for index, cells in enumerate(rows[:HEADER_SEARCH_ROWS]):
        score = _score(cells, mapping)
        if score > best_score:
            best, best_score = index, score
    return best


def find_text_header(text: str, mapping: dict[str, str]) -> HeaderGuess:
    """Pick the delimiter and header line that name the most known fields."""
    head = text[:256_000]
    best: tuple[int, int, HeaderGuess] | None = None
    for delimiter in DELIMITERS:
        reader = csv.reader(io.StringIO(head), delimiter=delimiter, quotechar='"', strict=False)
        rows, lines = [], []
        try:
            for cells in reader:
                rows.append([c.strip() for c in cells])
                lines.append(reader.line_num)
                if len(rows) >= HEADER_SEARCH_ROWS:
                    break
        except csv.Error:
            continue
        index = find_header_in_rows(rows, mapping)
        if index is None:
            continue
        score = _score(rows[index], mapping)
        guess = HeaderGuess(index, lines[index], rows[index], delimiter)
        key = (score, -index)
        if best is None or key > best[:2]:
            best = (score, -index, guess)
    if best is None:
        raise SniffError(
            "no header row found in the first 60 lines: expected columns such as "
            "month, customer name or code, and net revenue (or map them with --map)",
            "no_header",
        )
    return best[2]
