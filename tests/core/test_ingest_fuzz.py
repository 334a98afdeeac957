"""Property tests: whatever bytes arrive, ingestion answers with rows or with structured errors."""

from __future__ import annotations

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.ingest.models import PreparedUpload
from core.ingest.pipeline import prepare_upload

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


@FUZZ
@given(name=NAMES, data=st.binary(max_size=600))
def test_random_bytes(name, data):
    check(prepare_upload(name, data))


@FUZZ
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
