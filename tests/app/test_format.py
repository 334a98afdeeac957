"""How figures and issues read on screen (ui.format), without running the app."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from core.ingest.models import IngestIssue
from ui.format import (
    compact_money,
    escape_markdown,
    issue_message,
    issues_csv,
    money,
    month_span,
    rate,
    tile_money,
)

COLUMNS = {
    "file": "File",
    "line": "Line",
    "column": "Column",
    "value": "Value",
    "message": "Problem",
}


def issue(rule: str, message: str, line: int | None = 3, value: str | None = "x") -> IngestIssue:
    return IngestIssue(
        file="客户.csv", line=line, column="销售额", value=value, rule=rule, message=message
    )


class TestMoney:
    @pytest.mark.parametrize(
        ("value", "shown"), [(4320.0, "4,320"), (-100.4, "-100"), (None, "–"), (float("nan"), "–")]
    )
    def test_full_amounts_have_thousands_separators(self, value: float | None, shown: str) -> None:
        assert money(value) == shown

    @pytest.mark.parametrize(
        ("value", "language", "shown"),
        [
            (4_100_000, "en", "¥4.1M"),
            (4_100_000, "zh", "¥410万"),
            (850, "en", "¥850"),
            (1_059_700_000, "zh", "¥10.6亿"),
            (-2_500, "en", "-¥2.5K"),
        ],
    )
    def test_compact_amounts_read_naturally_in_each_language(
        self, value: float, language: str, shown: str
    ) -> None:
        assert compact_money(value, language, "CNY") == shown  # type: ignore[arg-type]

    def test_tiles_show_millions_in_english_and_yi_in_chinese(self) -> None:
        assert tile_money(1_059_745_123.0, "en") == "1,059.7M"
        assert tile_money(1_059_745_123.0, "zh") == "10.60亿"
        assert tile_money(4320.0, "en") == "4,320"

    def test_unknown_currency_code_is_written_out(self) -> None:
        assert compact_money(2_000_000, "en", "CHF") == "CHF 2.0M"


class TestRatesAndMonths:
    def test_rate_is_a_percentage_with_one_decimal(self) -> None:
        assert rate(380 / 4700) == "8.1%"
        assert rate(None) == "–"

    def test_month_span(self) -> None:
        assert month_span(["2026-03"]) == "2026-03"
        assert month_span(["2026-03", "2025-01", "2025-12"]) == "2025-01 – 2026-03"
        assert month_span([]) == "–"


class TestIssues:
    def test_chinese_message_when_the_catalogue_has_one_without_parameters(self) -> None:
        assert issue_message(issue("not_numeric", "not a number"), "zh") == "不是数字"

    def test_chinese_message_is_rebuilt_with_its_parameters(self) -> None:
        english = "the row does not have 4 cells like the header"
        ragged = issue("ragged_row", english).model_copy(update={"params": {"width": 4}})
        assert issue_message(ragged, "zh") == "该行的单元格数与表头的 4 列不一致"
        assert issue_message(ragged, "en") == english

    def test_error_csv_is_utf8_with_bom_and_holds_every_issue(self) -> None:
        issues = [issue("not_numeric", "not a number", line=n) for n in range(2, 40)]
        data = issues_csv(issues, "zh", COLUMNS)
        assert data.startswith("\ufeff".encode())
        table = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str)
        assert list(table.columns) == ["File", "Line", "Column", "Value", "Problem"]
        assert len(table) == 38
        assert table.iloc[0].tolist() == ["客户.csv", "2", "销售额", "x", "不是数字"]

    def test_whole_file_issue_has_an_empty_line(self) -> None:
        data = issues_csv(
            [issue("empty_file", "the file is empty", line=None, value=None)], "en", COLUMNS
        )
        assert data.decode("utf-8-sig").splitlines()[1] == "客户.csv,,销售额,,the file is empty"


class TestMarkdown:
    def test_file_names_cannot_format_a_label(self) -> None:
        assert escape_markdown("**big** [x](y).csv") == r"\*\*big\*\* \[x\]\(y\)\.csv"
