"""Shared helpers for the core tests: tiny files written by hand, and a fresh database."""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from core.bootstrap import build_demo_database
from core.db import Database
from core.ingest.models import FileReport, IngestOptions, PreparedUpload
from core.ingest.pipeline import prepare_upload
from core.sql import fetch_all


def encode(content: str | bytes, encoding: str = "utf-8") -> bytes:
    """The file's bytes: text encoded as asked, bytes as they are."""
    return content if isinstance(content, bytes) else content.encode(encoding)


def write(tmp_path: Path, name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
    """Write a file under tmp_path and return its path."""
    path = tmp_path / name
    path.write_bytes(encode(content, encoding))
    return path


def prepare(
    name: str, content: str | bytes, encoding: str = "utf-8", **options: object
) -> PreparedUpload:
    """prepare_upload on text or bytes, with IngestOptions given as keywords."""
    return prepare_upload(name, encode(content, encoding), IngestOptions(**options))


def ok(name: str, content: str | bytes, encoding: str = "utf-8", **options: object) -> FileReport:
    """The report of a file that must ingest cleanly; fails the test with its errors if not."""
    prepared = prepare(name, content, encoding, **options)
    errors = [(e.line, e.column, e.value, e.rule, e.message) for e in prepared.report.errors]
    assert prepared.report.ok, errors
    assert prepared.rows is not None
    return prepared.report


def rows(name: str, content: str | bytes, encoding: str = "utf-8", **options: object) -> list:
    """The clean rows of a file that must ingest cleanly, as dicts."""
    prepared = prepare(name, content, encoding, **options)
    assert prepared.report.ok, [(e.line, e.rule, e.message) for e in prepared.report.errors]
    assert prepared.rows is not None
    return prepared.rows.to_pylist()


def xlsx_bytes(sheets: dict[str, Sequence[Sequence[object]]]) -> bytes:
    """An .xlsx workbook with one sheet per entry; cells keep their Python types."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, cells in sheets.items():
            width = max(len(row) for row in cells)
            padded = [[*row, *[None] * (width - len(row))] for row in cells]
            pd.DataFrame(padded).to_excel(writer, sheet_name=name, header=False, index=False)
    return buffer.getvalue()


def parquet_bytes(columns: dict[str, Sequence[object]]) -> bytes:
    """A Parquet file holding these columns."""
    buffer = io.BytesIO()
    pq.write_table(pa.table(columns), buffer)
    return buffer.getvalue()


def one_error(report: FileReport):
    """The single error of a report (fails when there are none or several)."""
    assert len(report.errors) == 1, [(e.line, e.rule, e.message) for e in report.errors]
    return report.errors[0]


@pytest.fixture
def db(tmp_path: Path) -> Database:
    """A database file that does not exist yet."""
    return Database(tmp_path / "keystone.duckdb", lock_timeout_s=2)


def snapshot(db: Database) -> dict[str, object]:
    """What a reader sees: active rows, net revenue per month, and the upload history."""
    with db.connect() as con:
        return {
            "rows": fetch_all(con, "SELECT count(*) FROM active_rows")[0][0],
            "by_month": fetch_all(
                con,
                "SELECT strftime(month, '%Y-%m'), source, round(sum(net_revenue), 2) "
                "FROM active_rows GROUP BY ALL ORDER BY ALL",
            ),
            "uploads": fetch_all(con, "SELECT id, file, outcome FROM uploads ORDER BY id"),
            "upload_months": fetch_all(
                con, "SELECT upload_id, source, month, active FROM upload_months ORDER BY ALL"
            ),
            "facts": fetch_all(con, "SELECT count(*) FROM facts")[0][0],
            "files": fetch_all(con, "SELECT count(*) FROM upload_files")[0][0],
        }


@pytest.fixture(scope="session")
def demo_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo portfolio, stored once per test run through the ordinary ingest path.

    Tests only read it; one that needs to write builds its own."""
    path = tmp_path_factory.mktemp("demo") / "keystone.duckdb"
    build_demo_database(Database(path))
    return path


@pytest.fixture(scope="module")
def demo(demo_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the demo portfolio."""
    connection = duckdb.connect(str(demo_path), read_only=True)
    yield connection
    connection.close()
