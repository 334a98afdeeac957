"""Table downloads: XLSX and CSV open as text and numbers in a spreadsheet, never as formulas."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import openpyxl
import pandas as pd
import pytest

from core.export import neutralised, safe_csv, safe_xlsx

HOSTILE = '=HYPERLINK("http://x","y")'


def workbook(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def cells(data: bytes) -> list[list[openpyxl.cell.Cell]]:
    sheet = workbook(data).active
    assert sheet is not None
    return [list(row) for row in sheet.iter_rows()]


@pytest.fixture
def hostile() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "name": [HOSTILE, "+1+2", "-2+3", "@SUM(A1)", "\tcmd", "Acme", "-5", "华辰重工集团"],
            "net_revenue": [-100.5, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0],
        }
    )


class TestXlsxIsInert:
    def test_a_formula_name_is_a_string_cell(self, hostile: pd.DataFrame) -> None:
        rows = cells(safe_xlsx(hostile))
        first = rows[1][0]
        assert first.data_type == "s"
        assert first.value == "'" + HOSTILE
        assert all(row[0].data_type == "s" for row in rows)

    def test_every_formula_start_is_prefixed_like_the_csv(self, hostile: pd.DataFrame) -> None:
        names = [row[0].value for row in cells(safe_xlsx(hostile))[1:]]
        assert names == [
            "'" + HOSTILE, "'+1+2", "'-2+3", "'@SUM(A1)", "'\tcmd", "Acme", "-5", "华辰重工集团"
        ]  # fmt: skip
        csv = pd.read_csv(io.BytesIO(safe_csv(hostile)), encoding="utf-8-sig", dtype=str)
        assert csv["name"].tolist() == names

    def test_numbers_stay_numbers(self, hostile: pd.DataFrame) -> None:
        rows = cells(safe_xlsx(hostile))
        assert [row[1].data_type for row in rows[1:]] == ["n"] * len(hostile)
        assert [row[1].value for row in rows[1:]] == hostile["net_revenue"].tolist()

    def test_a_hostile_header_is_neutralised(self) -> None:
        rows = cells(safe_xlsx(pd.DataFrame({"=cmd()": ["x"], "ok": [1]})))
        assert [cell.value for cell in rows[0]] == ["'=cmd()", "ok"]
        assert rows[0][0].data_type == "s"

    def test_no_cell_of_the_sheet_is_a_formula(self) -> None:
        """' =1+1' (after a space) is no formula start and stays as written; '=A1' is one."""
        frame = pd.DataFrame({"a": [" =1+1", "=A1", None], "b": [1, 2, 3]})
        rows = cells(safe_xlsx(frame))
        assert not [cell for row in rows for cell in row if cell.data_type == "f"]
        assert rows[1][0].value == " =1+1" and rows[2][0].value == "'=A1"

    def test_control_characters_xml_cannot_hold_are_dropped(self) -> None:
        rows = cells(safe_xlsx(pd.DataFrame({"name": ["bad\x01name", ["a", "b"]]})))
        assert rows[1][0].value == "badname"
        assert rows[2][0].value == "['a', 'b']"

    def test_time_zones_are_dropped_not_refused(self) -> None:
        stamp = datetime(2026, 3, 1, 12, 30, tzinfo=UTC)
        rows = cells(safe_xlsx(pd.DataFrame({"uploaded_at": pd.Series([stamp])})))
        assert rows[1][0].value == datetime(2026, 3, 1, 12, 30)

    def test_sheet_name_is_made_valid(self) -> None:
        book = workbook(safe_xlsx(pd.DataFrame({"a": [1]}), sheet="Discounts: creep/corridor"))
        assert book.sheetnames == ["Discounts  creep corridor"]


class TestCsv:
    def test_starts_with_the_utf8_bom(self, hostile: pd.DataFrame) -> None:
        data = safe_csv(hostile)
        assert data.startswith(b"\xef\xbb\xbf")
        assert "华辰重工集团" in data[3:].decode("utf-8")

    def test_neutralising_leaves_the_input_alone(self, hostile: pd.DataFrame) -> None:
        before = hostile.copy()
        neutralised(hostile)
        pd.testing.assert_frame_equal(hostile, before)

    def test_duplicate_column_titles_are_kept(self) -> None:
        frame = pd.DataFrame([["=x", "=y"]], columns=["same", "same"])
        assert safe_csv(frame).decode("utf-8-sig").splitlines() == ["same,same", "'=x,'=y"]
