"""Typed inputs and results of ingestion."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import pyarrow as pa
from pydantic import BaseModel, ConfigDict, Field

from core.i18n import Language, catalogue, t
from core.reference_fields import FileKind

Param = str | int | float | None
"""A value filled into a message."""


def plain_params(params: dict[str, object]) -> dict[str, Param]:
    """Message parameters as JSON-friendly values: numbers stay numbers, the rest is text."""
    return {k: v if v is None or isinstance(v, int | float) else str(v) for k, v in params.items()}


class IngestOptions(BaseModel):
    """What the user may tell the reader about a file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str = Field(default="default", min_length=1, max_length=100)
    """Business unit or system the file comes from; months are unique per source."""
    kind: FileKind = "export"
    """What the file holds: monthly sales rows, or a companion file (contacts, accounts)."""
    sheet: str | None = None
    """Excel sheet to read; the first sheet when None."""
    mapping: dict[str, str] = Field(default_factory=dict)
    """Header text -> field (or 'ignore'), overriding the synonym table."""
    date_order: Literal["auto", "dmy", "mdy"] = "auto"
    """Order of day and month in slash dates; 'auto' rejects ambiguous files."""
    max_bytes: int = 200 * 1024 * 1024
    """Largest accepted file."""
    max_field_chars: int = 1000
    """Longest accepted cell."""
    max_errors: int = 10_000
    """Errors kept per file."""


class IngestIssue(BaseModel):
    """One problem found in a file: an error blocks the file, a warning does not."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    file: str
    """The file's name as uploaded."""
    line: int | None = None
    """Line as the user counts it in Excel or a text editor (1-based); None for the whole file."""
    column: str | None = None
    """The column's header as written in the file."""
    value: str | None = None
    """The offending cell, as text."""
    message: str
    """What is wrong, in words a user can act on."""
    rule: str
    """Machine-readable rule name, e.g. 'not_numeric'; the catalogue key is ingest.<rule>."""
    count: int = 1
    """How many rows a warning covers."""
    params: dict[str, Param] = Field(default_factory=dict)
    """The values filled into the message, so that it can be rebuilt in another language."""

    def localised(self, language: Language) -> str:
        """The message in `language`, rebuilt from the catalogue by rule; as stored if unknown."""
        for section in ("ingest", "store"):
            key = f"{section}.{self.rule}"
            if key in catalogue(language):
                return t(key, language, **self.params)
        return self.message

    def as_line(self) -> str:
        """'FILE:LINE: column: value: message', the CLI's stderr form."""
        return (
            f"{self.file}:{self.line if self.line is not None else ''}: "
            f"{self.column or ''}: {self.value if self.value is not None else ''}: {self.message}"
        )


class FileReport(BaseModel):
    """What the reader found out about a file's shape and content."""

    model_config = ConfigDict(extra="forbid")

    file: str
    sha256: str
    size_bytes: int
    kind: Literal["csv", "xlsx", "parquet"]
    encoding: str | None = None
    """Text encoding used (csv only), e.g. 'utf-8', 'gb18030'."""
    delimiter: str | None = None
    decimal_comma: bool = False
    header_line: int | None = None
    """1-based line (or Excel row) of the header."""
    sheet: str | None = None
    headers: list[str] = Field(default_factory=list)
    """Headers as written in the file."""
    mapping: dict[str, str] = Field(default_factory=dict)
    """Header -> field for every mapped column."""
    unmapped: list[str] = Field(default_factory=list)
    rows: int = 0
    """Data rows read, excluding title, header, blank and subtotal rows."""
    subtotal_rows: int = 0
    months: list[str] = Field(default_factory=list)
    """YYYY-MM of every month in the file."""
    accounts: int = 0
    """Distinct accounts with rows in the file."""
    net_revenue: float = 0.0
    errors: list[IngestIssue] = Field(default_factory=list)
    error_count: int = 0
    """All errors found, including any beyond those kept."""
    warnings: list[IngestIssue] = Field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the file can be stored."""
        return self.error_count == 0


@dataclass(frozen=True)
class PreparedUpload:
    """A parsed file: its report, its clean rows (Arrow) and its raw bytes for rebuilds."""

    report: FileReport
    """Shape, mapping, errors and warnings."""
    options: IngestOptions
    """The options it was read with."""
    data: bytes = field(repr=False)
    """The file exactly as uploaded."""
    rows: pa.Table | None = field(default=None, repr=False)
    """Clean rows in the facts schema (or the companion kind's); None when the file has errors."""
    preview: pa.Table | None = field(default=None, repr=False)
    """The first raw rows with their line numbers, for the mapping preview."""
