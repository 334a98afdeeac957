"""safe_csv: spreadsheets open the file as text and numbers, never as formulas."""

from __future__ import annotations

import io

import pandas as pd

from core.export import neutralise, safe_csv


class TestSafeCsv:
    def test_formula_cells_are_prefixed_and_numbers_stay_numbers(self) -> None:
        frame = pd.DataFrame(
            {
                "name": ['=HYPERLINK("x")', "+1+2", "-2+3", "@SUM(A1)", "Acme", "-5"],
                "net_revenue": [-100.5, 2.0, 3.0, 4.0, 5.0, 6.0],
            }
        )
        text = safe_csv(frame).decode("utf-8-sig")
        back = pd.read_csv(io.StringIO(text), dtype={"name": str})
        assert list(back["name"]) == [
            '\'=HYPERLINK("x")',
            "'+1+2",
            "'-2+3",
            "'@SUM(A1)",
            "Acme",
            "-5",
        ]
        assert back["net_revenue"].tolist() == [-100.5, 2.0, 3.0, 4.0, 5.0, 6.0]
        assert "\n-100.5" not in text and ",-100.5" in text

    def test_utf8_with_bom_keeps_chinese(self) -> None:
        data = safe_csv(pd.DataFrame({"名称": ["华辰重工集团"]}))
        assert data.startswith(b"\xef\xbb\xbf")
        assert "华辰重工集团" in data.decode("utf-8-sig")

    def test_header_and_missing_values(self) -> None:
        frame = pd.DataFrame({"=bad": [None, "ok"], "n": [1, None]})
        text = safe_csv(frame).decode("utf-8-sig")
        assert text.splitlines()[0] == "'=bad,n"
        assert neutralise(None) is None and neutralise(-3) == -3
