"""Property tests: whatever bytes arrive, ingestion answers with rows or with structured errors."""

from __future__ import annotations

import csv
import io
import math
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from core.db import Database
from core.export import safe_csv
from core.ingest.models import PreparedUpload
from core.ingest.pipeline import prepare_upload
from core.sql import fetch_all
from core.store import StoreError, store_uploads
from tests.core.conftest import xlsx_bytes

FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
NAMES = st.sampled_from(["a.csv", "a.txt", "a.tsv", "a.xlsx", "a.parquet", "a"])
HEADERS = st.sampled_from(
    ["month", "月份", "customer", "客户名称", "客户编码", "net revenue", "销售额", "list revenue",
     "discount", "折扣率", "cost", "currency", "segment", "product", "remark", "", "month"]
)  # fmt: skip
CELLS = st.one_of(
    st.sampled_from(
        ["2026-03", "2026/3/1", "2026年3月", "202603", "Mar-26", "46082", "03/04/2026",
         "15/03/2026", "2026-02-30", "1,234.50", "(12)", "¥1,000", "８.５折", "15%", "0.15",
         "合计", "Total", "小计", "00123", "CNY", "USD", "strategic", "", " ", '"', "\n",
         "-", "1e3", "NaN", "inf", "\u200b", "Ａｃｍｅ"]
    ),
    st.text(max_size=12),
    st.integers(-10**12, 10**12).map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
)  # fmt: skip


def check(prepared: PreparedUpload) -> None:
    """Either clean rows that agree with the report, or errors a user can read."""
    report = prepared.report
    assert report.ok == (report.error_count == 0)
    if report.ok:
        assert prepared.rows is not None
        assert prepared.rows.num_rows == report.rows > 0
        assert report.months == sorted(set(report.months))
        assert all(len(m) == 7 and m[4] == "-" for m in report.months)
        total = sum(v for v in prepared.rows.column("net_revenue").to_pylist())
        assert math.isclose(total, report.net_revenue, rel_tol=1e-9, abs_tol=1e-6)
        assert None not in prepared.rows.column("account_key").to_pylist()
    else:
        assert prepared.rows is None
        assert report.errors
        assert report.error_count >= len(report.errors)
        for error in report.errors:
            assert error.message and error.rule and error.file == report.file
            assert error.line is None or error.line >= 1
            assert error.localised("zh")


@settings(FUZZ, max_examples=150)
@given(name=NAMES, data=st.binary(max_size=600))
def test_random_bytes(name, data):
    check(prepare_upload(name, data))


@settings(FUZZ, max_examples=100)
@given(
    headers=st.lists(HEADERS, min_size=1, max_size=6),
    body=st.lists(st.lists(CELLS, min_size=0, max_size=7), max_size=6),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    title=st.booleans(),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "gb18030"]),
)
def test_random_csv(headers, body, delimiter, title, encoding):
    lines = (["Export"] if title else []) + [delimiter.join(headers)]
    lines += [delimiter.join(_quote(c, delimiter) for c in row) for row in body]
    text = "\n".join(lines) + "\n"
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = text.encode("utf-8")
    check(prepare_upload("export.csv", data))


@FUZZ
@given(
    body=st.lists(st.tuples(CELLS, CELLS, CELLS), min_size=1, max_size=5),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
)
def test_random_cells_under_a_valid_header(body, delimiter):
    header = delimiter.join(["month", "customer", "net revenue"])
    text = header + "\n" + "\n".join(delimiter.join(_quote(c, delimiter) for c in r) for r in body)
    check(prepare_upload("export.csv", text.encode()))


def _quote(cell: str, delimiter: str) -> str:
    """Quote a cell the way spreadsheet programs do, when it needs it."""
    if any(ch in cell for ch in (delimiter, '"', "\n", "\r")):
        return '"' + cell.replace('"', '""') + '"'
    return cell


@settings(FUZZ, max_examples=50)
@given(
    body=st.lists(st.tuples(CELLS, CELLS, CELLS), min_size=1, max_size=5),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    newline=st.sampled_from(["\n", "\r\n", "\r"]),
    quote_all=st.booleans(),
    trailing_delimiter=st.booleans(),
    blank_lines=st.booleans(),
    bom=st.booleans(),
)
def test_random_dialects(body, delimiter, newline, quote_all, trailing_delimiter, blank_lines, bom):
    """Line endings, quoting, trailing delimiters, blank lines and a BOM, in any combination."""

    def line(cells: list[str]) -> str:
        written = [
            '"' + c.replace('"', '""') + '"' if quote_all else _quote(c, delimiter) for c in cells
        ]
        return delimiter.join(written) + (delimiter if trailing_delimiter else "")

    lines = [line(["month", "customer", "net revenue"])]
    for row in body:
        lines.append(line(list(row)))
        if blank_lines:
            lines.append("")
    text = ("\ufeff" if bom else "") + newline.join(lines) + newline
    check(prepare_upload("export.csv", text.encode()))


SHEET_CELLS = st.one_of(
    CELLS.map(lambda text: ILLEGAL_CHARACTERS_RE.sub("", text)),  # Excel cannot hold them
    st.integers(-(10**9), 10**9),
    st.floats(allow_nan=False, allow_infinity=False),
    st.none(),
)


@settings(FUZZ, max_examples=20)
@given(
    headers=st.lists(HEADERS, min_size=1, max_size=5),
    body=st.lists(st.lists(SHEET_CELLS, max_size=5), min_size=1, max_size=4),
)
@example(headers=["month"], body=[[9.223372036854776e18]])  # once crashed the text conversion
@example(headers=["month"], body=[[1.7976931348623155e308]])  # once crashed the Excel reader
def test_random_workbooks(headers, body):
    """Excel files whose cells keep their Python types (numbers, text, empty)."""
    check(prepare_upload("export.xlsx", xlsx_bytes({"Sheet1": [headers, *body]})))


WORKBOOK = xlsx_bytes({"Sales": [["month", "customer", "net revenue"], ["2026-03", "A", 100]]})


@settings(FUZZ, max_examples=60)
@given(
    cut=st.integers(0, len(WORKBOOK)),
    flips=st.lists(st.tuples(st.integers(0, len(WORKBOOK) - 1), st.integers(1, 255)), max_size=4),
)
def test_damaged_workbooks(cut, flips):
    """A real workbook, truncated and with bytes flipped: read, or a structured error."""
    data = bytearray(WORKBOOK)
    for position, mask in flips:
        data[position] ^= mask
    check(prepare_upload("export.xlsx", bytes(data[: max(cut, 4)])))


HOSTILE_NAMES = st.one_of(
    st.sampled_from(
        ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[click](http://evil.example)",
         "=HYPERLINK(\"http://evil.example\",\"x\")", "+SUM(A1:A9)", "-2+3", "@cmd", "**bold**",
         "`code`", "<b>Acme</b> & Co", "javascript:alert(1)", "{{7*7}}", "${jndi:ldap://x}"]
    ),
    st.text(alphabet=st.sampled_from("<>[]()=+-@*_`&#'\"/\\ !aZ中"), min_size=1, max_size=20),
)  # fmt: skip


@pytest.fixture(scope="module")
def fuzz_db() -> Database:
    folder = tempfile.mkdtemp(prefix="keystone-fuzz-")
    return Database(Path(folder) / "fuzz.duckdb", lock_timeout_s=5)


@settings(FUZZ, max_examples=25)
@given(names=st.lists(HOSTILE_NAMES, min_size=1, max_size=4, unique=True))
def test_hostile_names_are_stored_verbatim_and_exported_inert(fuzz_db, names):
    """Every file is stored or refused with issues; names keep every character; the export
    prefixes formula starts with a quote."""
    rows = [["2026-03", name, str(10 + i)] for i, name in enumerate(names)]
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows([["month", "customer", "net revenue"], *rows])
    prepared = prepare_upload("names.csv", text.getvalue().encode())
    check(prepared)
    if not prepared.report.ok:
        return
    try:
        [result] = store_uploads(fuzz_db, [prepared], replace=True)
    except StoreError as exc:
        assert exc.issues and all(i.message for i in exc.issues)
        return
    with fuzz_db.connect() as con:
        stored = fetch_all(
            con,
            "SELECT account_name FROM facts WHERE upload_id = $id ORDER BY line",
            {"id": result.id},
        )
    expected = [" ".join(name.split()) for name in names]  # runs of spaces fold, as documented
    assert [name for (name,) in stored] == expected
    exported = pd.read_csv(io.BytesIO(safe_csv(pd.DataFrame({"account": expected}))), dtype=str)
    for original, cell in zip(expected, exported["account"].fillna(""), strict=True):
        if original.startswith(("=", "+", "-", "@")) and not original.lstrip("+-").isdigit():
            assert cell == "'" + original
        else:
            assert cell == original
