"""Recognise what a file is: its kind by magic bytes, its encoding, delimiter and header row."""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass
from pathlib import PurePath

from core.fields import IGNORE, field_for_header, normalise_header
from core.i18n import t
from core.ingest.models import plain_params
from core.reference_fields import FileKind

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
_KIND_NAMES = {"csv": "CSV", "xlsx": "Excel (.xlsx)", "parquet": "Parquet"}
"""Format names, the same in every language."""
COMMON_HANZI_SHARE = 0.5
"""Least share of GB2312 (common) characters among a GB18030 text's non-ASCII ones.

Latin-1 or cp1252 bytes often decode as rare GBK characters ('Müller' -> 'M黮ler'); real
Chinese text is overwhelmingly GB2312."""


class SniffError(ValueError):
    """The file cannot be read at all; `rule` and `params` rebuild the message in any language."""

    def __init__(self, rule: str, **params: object) -> None:
        super().__init__(t(f"ingest.{rule}", "en", **params))
        self.rule = rule
        self.params = plain_params(params)


def detect_kind(file_name: str, data: bytes) -> str:
    """The file's real kind from its magic bytes, checked against what its name claims."""
    if not data:
        raise SniffError("empty_file")
    if data.startswith(b"PK\x03\x04"):
        actual = "xlsx"
    elif data.startswith(b"PAR1"):
        actual = "parquet"
        if len(data) < 12 or not data.endswith(b"PAR1"):
            raise SniffError("truncated")
    elif data.startswith(b"\xd0\xcf\x11\xe0"):
        raise SniffError("unsupported_kind")
    else:
        actual = "csv"
    claimed = _EXTENSION_KIND.get(PurePath(file_name).suffix.lower())
    if claimed is not None and claimed != actual:
        raise SniffError(
            "kind_mismatch",
            suffix=PurePath(file_name).suffix,
            claimed=_KIND_NAMES[claimed],
            actual=_KIND_NAMES[actual],
        )
    return actual


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode strictly as UTF-8 (BOM or not), UTF-16 with BOM, or GB18030; never latin-1."""
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
            raise SniffError("binary_file")
        if not text.strip():
            raise SniffError("empty_file")
        if encoding == "gb18030" and not _looks_chinese(text):
            break
        return text, encoding
    raise SniffError("encoding")


def _looks_chinese(text: str) -> bool:
    """True when most non-ASCII characters are common (GB2312) ones; C-speed, no loop."""
    ascii_count = len(text.encode("ascii", errors="ignore"))
    others = len(text) - ascii_count
    common = (len(text.encode("gb2312", errors="ignore")) - ascii_count) // 2
    return others == 0 or common >= COMMON_HANZI_SHARE * others


@dataclass(frozen=True)
class HeaderGuess:
    """Where the header is and which delimiter splits it."""

    row_index: int
    """0-based index of the header among the parsed rows (Excel) or lines (text)."""
    line: int
    """1-based physical line (or Excel row) of the header."""
    headers: list[str]
    delimiter: str | None


def _score(cells: list[str], mapping: dict[str, str], kind: FileKind = "export") -> int:
    overrides = {normalise_header(k) for k, v in mapping.items() if v != IGNORE}
    return sum(
        1 for c in cells if c and (field_for_header(c, kind) or normalise_header(c) in overrides)
    )


def find_header_in_rows(
    rows: list[list[str]], mapping: dict[str, str], kind: FileKind = "export"
) -> int | None:
    """Index of the first row naming at least two known fields, among the leading rows."""
    best, best_score = None, 1
    for index, cells in enumerate(rows[:HEADER_SEARCH_ROWS]):
        score = _score(cells, mapping, kind)
        if score > best_score:
            best, best_score = index, score
    return best


def find_text_header(text: str, mapping: dict[str, str], kind: FileKind = "export") -> HeaderGuess:
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
            pass  # e.g. a huge cell further down: the rows above it still count
        index = find_header_in_rows(rows, mapping, kind)
        if index is None:
            continue
        score = _score(rows[index], mapping, kind)
        guess = HeaderGuess(index, lines[index], rows[index], delimiter)
        key = (score, -index)
        if best is None or key > best[:2]:
            best = (score, -index, guess)
    if best is None:
        raise SniffError("no_header", rows=HEADER_SEARCH_ROWS)
    return best[2]
