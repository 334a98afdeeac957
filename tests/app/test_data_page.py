"""The Data page: upload through file_uploader, check, correct, confirm, store, restore."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from core.db import Database
from core.mappings import saved_mapping

OpenApp = Callable[..., AppTest]
DATA = "app_pages/data.py"

FEBRUARY_CSV = """Month,Account ID,Account Name,List Revenue,Discount,Net Revenue,Cost
2026-02,A1,Acme Ltd,1100,100,1000,700
2026-02,A5,*Epsilon* <i>AG</i>,400,40,360,200
"""
"""A new month on top of the portfolio: 2 rows, net revenue 1,360."""

BAD_CSV = """Month,Account ID,Net Revenue
2026-02,A1,100
2026-13,A2,200
2026-02,A3,abc
"""
"""Two errors: an impossible month on line 3, a non-number on line 4."""


def upload(at: AppTest, *files: tuple[str, str]) -> AppTest:
    """Put files (name, text) in the uploader and rerun."""
    values = [(name, text.encode("utf-8"), "text/csv") for name, text in files]
    at.file_uploader[0].set_value(values)
    return at.run()


def history(at: AppTest) -> pd.DataFrame:
    """The upload history table (the last table on the page)."""
    frame = at.dataframe[-1].value
    assert list(frame.columns)[:3] == ["id", "file", "source"]
    return frame


def store_button(at: AppTest):
    return at.button(key="data.store")


@pytest.mark.usefixtures("portfolio")
class TestUploadAndStore:
    def test_shows_detection_mapping_preview_and_warnings(self, open_app: OpenApp) -> None:
        at = upload(open_app(DATA), ("february.csv", FEBRUARY_CSV))
        assert not at.exception
        (expander,) = at.main.expander
        assert "february" in expander.label and "rows: 2" in expander.label
        facts = at.dataframe[0].value.iloc[0]
        assert (facts["Kind"], facts["Encoding"], facts["Delimiter"]) == ("CSV", "utf-8", ",")
        assert facts["Header row"] == "1" and facts["Months"] == "2026-02"
        mapping = at.data_editor[0].value.set_index("column")["field"].to_dict()
        assert mapping["Net Revenue"] == "net_revenue" and mapping["Account Name"] == "account_name"
        preview = at.dataframe[2].value
        assert preview["line"].tolist() == [2, 3]
        assert not at.error
        assert not store_button(at).disabled

    def test_account_names_render_as_text_not_markdown(self, open_app: OpenApp) -> None:
        at = upload(open_app(DATA), ("february.csv", FEBRUARY_CSV))
        preview = at.dataframe[2].value
        assert "*Epsilon* <i>AG</i>" in preview["Account Name"].tolist()
        assert not any("Epsilon" in element.value for element in at.markdown)

    def test_storing_adds_the_upload_to_the_history(self, open_app: OpenApp) -> None:
        at = open_app(DATA)
        assert len(history(at)) == 1
        upload(at, ("february.csv", FEBRUARY_CSV))
        store_button(at).click().run()
        assert not at.exception
        assert "Files processed: 1" in at.success[0].value
        outcome = at.dataframe[0].value
        assert outcome["Status"].tolist() == ["stored"]
        assert outcome["Net revenue"].tolist() == pytest.approx([1360])
        rows = history(at)
        assert rows["file"].tolist() == ["february.csv", "portfolio.csv"]
        assert rows["months"].tolist()[0] == "2026-02"
        assert not at.main.expander, "the uploader is emptied after a store"

    def test_identical_file_is_stored_once(self, open_app: OpenApp, portfolio_csv: str) -> None:
        at = upload(open_app(DATA), ("portfolio.csv", portfolio_csv))
        assert not at.checkbox, "an identical file is not a replace"
        store_button(at).click().run()
        assert at.dataframe[0].value["Status"].tolist() == ["unchanged (already stored)"]
        assert len(history(at)) == 1


@pytest.mark.usefixtures("portfolio")
class TestBadFile:
    def test_errors_name_line_column_and_value(self, open_app: OpenApp) -> None:
        at = upload(open_app(DATA), ("bad.csv", BAD_CSV))
        assert "Errors: 2" in at.error[0].value
        errors = _errors_table(at)
        assert errors[["Line", "Column", "Value"]].to_numpy().tolist() == [
            ["3", "Month", "2026-13"],
            ["4", "Net Revenue", "abc"],
        ]
        assert errors["Problem"].tolist() == ["impossible date", "not a number"]
        assert at.get("download_button"), "all errors can be downloaded"
        assert store_button(at).disabled

    def test_only_the_first_twenty_errors_are_listed(self, open_app: OpenApp) -> None:
        lines = "".join(f"2026-02,A{n},x{n}\n" for n in range(25))
        at = upload(open_app(DATA), ("many.csv", "Month,Account ID,Net Revenue\n" + lines))
        assert "Errors: 25" in at.error[0].value
        assert len(_errors_table(at)) == 20
        assert any("first 20 of 25" in caption.value for caption in at.caption)

    def test_a_file_that_is_not_what_its_name_claims(self, open_app: OpenApp) -> None:
        at = open_app(DATA)
        at.file_uploader[0].set_value(("sheet.xlsx", b"Month,Net Revenue\n", "text/csv")).run()
        assert not at.exception
        assert at.error and store_button(at).disabled


def _errors_table(at: AppTest) -> pd.DataFrame:
    (table,) = [d.value for d in at.dataframe if "Problem" in d.value.columns]
    return table


@pytest.mark.usefixtures("portfolio")
class TestMonthConflict:
    REVISED = """Month,Account ID,Account Name,List Revenue,Discount,Net Revenue,Cost
2026-01,A2,Beta Co,1200,50,1150,800
2026-01,A4,Delta GmbH,-100,0,-100,-80
2026-01,A6,Zeta Ltd,3000,0,3000,2000
"""
    """2026-01 again: 3 rows and 4,050 instead of 2 rows and 850."""

    def test_asks_for_confirmation_before_replacing(self, open_app: OpenApp) -> None:
        at = upload(open_app(DATA), ("january.csv", self.REVISED))
        question = "\n".join(w.value for w in at.warning)
        assert "Replace 2026-01 (2 rows, 850) with 3 rows, 4.0K?" in question
        assert store_button(at).disabled
        at.checkbox[0].check().run()
        assert not store_button(at).disabled

    def test_confirmed_replace_swaps_the_month_and_can_be_restored(self, open_app: OpenApp) -> None:
        at = upload(open_app(DATA), ("january.csv", self.REVISED))
        at.checkbox[0].check().run()
        store_button(at).click().run()
        assert at.dataframe[0].value["Status"].tolist() == ["replaced earlier data"]
        assert history(at)["status"].tolist() == ["replaced earlier data", "stored"]
        at.button(key="data.restore").click().run()
        assert "months 2026-01 are back" in at.success[0].value
        assert history(at)["status"].tolist() == ["superseded", "stored"]
        restore_boxes = [box for box in at.selectbox if box.key == "data.restore_choice"]
        assert restore_boxes == [], "nothing is left to restore"


class TestMappingCorrection:
    UNKNOWN_HEADER = "Month,Account ID,Umsatz netto\n2026-01,A1,100\n2026-01,A2,250\n"

    def test_corrected_mapping_makes_the_file_valid_and_is_remembered(
        self, open_app: OpenApp, make_database: Callable[..., Database]
    ) -> None:
        db = make_database()
        at = upload(open_app(DATA), ("umsatz.csv", self.UNKNOWN_HEADER))
        assert "Errors: 1" in at.error[0].value
        editor = at.data_editor[0]
        row = editor.value["column"].tolist().index("Umsatz netto")
        at.session_state[editor.key] = {
            "edited_rows": {row: {"field": "net_revenue"}},
            "added_rows": [],
            "deleted_rows": [],
        }
        at.run()
        assert not at.exception and not at.error
        assert "rows: 2" in at.main.expander[0].label
        with db.connect() as con:
            assert saved_mapping(con, "default") == {"Umsatz netto": "net_revenue"}
        again = upload(open_app(DATA), ("umsatz.csv", self.UNKNOWN_HEADER))
        assert not again.error, "the next upload of this source uses the remembered mapping"


class TestFileWithoutRecognisedHeader:
    GERMAN = "Monat,Kunde,Umsatz netto\n2026-01,Acme,100\n2026-01,Beta,250\n"

    def test_typed_column_names_let_the_file_be_read(
        self, open_app: OpenApp, make_database: Callable[..., Database]
    ) -> None:
        make_database()
        at = upload(open_app(DATA), ("german.csv", self.GERMAN))
        assert "Errors: 1" in at.error[0].value and "no header row" in at.error[0].value
        at.text_area[0].input("Monat=month\nKunde=account_name\nUmsatz netto=net_revenue")
        at.form_submit_button[0].click()
        at.run()
        assert not at.exception and not at.error
        assert "rows: 2" in at.main.expander[0].label

    def test_unreadable_lines_are_named(
        self, open_app: OpenApp, make_database: Callable[..., Database]
    ) -> None:
        make_database()
        at = upload(open_app(DATA), ("german.csv", self.GERMAN))
        at.text_area[0].input("Monat month")
        at.form_submit_button[0].click().run()
        assert any("Monat month" in error.value for error in at.error)


class TestSourcesAndSheets:
    def test_each_source_keeps_its_own_months(
        self, open_app: OpenApp, make_database: Callable[..., Database], portfolio_csv: str
    ) -> None:
        make_database({"portfolio.csv": portfolio_csv})
        make_database(
            {"north-nov.csv": "Month,Account ID,Net Revenue\n2025-11,N1,80\n"}, source="north"
        )
        at = open_app(DATA)
        # AppTest cannot type a new option into the selectbox, so the source already exists.
        assert at.selectbox(key="data.source").options == ["default", "north"]
        at.selectbox(key="data.source").set_value("north").run()
        upload(at, ("north-jan.csv", "Month,Account ID,Net Revenue\n2026-01,N1,500\n"))
        assert not at.checkbox, "2026-01 of source 'default' is not replaced by source 'north'"
        store_button(at).click().run()
        assert history(at)["source"].tolist() == ["north", "north", "default"]

    def test_the_same_file_under_another_source_is_stored_with_a_warning(
        self, open_app: OpenApp, make_database: Callable[..., Database]
    ) -> None:
        jan = "Month,Account ID,Net Revenue\n2026-01,N1,500\n"
        make_database({"jan.csv": jan})
        make_database(
            {"other.csv": "Month,Account ID,Net Revenue\n2025-11,N1,80\n"}, source="north"
        )
        at = open_app(DATA)
        at.selectbox(key="data.source").set_value("north").run()
        upload(at, ("jan.csv", jan))
        store_button(at).click().run()
        assert history(at)["source"].tolist()[0] == "north"
        notes = [e for e in at.main.expander if "Warnings on the stored files (1)" in e.label]
        assert notes and "already stored under source 'default'" in notes[0].text[0].value

    @pytest.mark.usefixtures("portfolio")
    def test_excel_export_reads_the_named_sheet(self, open_app: OpenApp, tmp_path: Path) -> None:
        workbook = tmp_path / "export.xlsx"
        with pd.ExcelWriter(workbook) as writer:
            pd.DataFrame({"Notes": ["not this sheet"]}).to_excel(writer, sheet_name="Cover")
            pd.DataFrame(
                {"Month": ["2026-02"], "Account ID": ["A1"], "Net Revenue": [75.5]}
            ).to_excel(writer, sheet_name="Sales", index=False)
        at = open_app(DATA)
        at.text_input(key="data.sheet").input("Sales").run()
        at.file_uploader[0].set_value(("export.xlsx", workbook.read_bytes(), "application/xlsx"))
        at.run()
        facts = at.dataframe[0].value.iloc[0]
        assert (facts["Kind"], facts["Sheet"], facts["Rows"]) == ("XLSX", "Sales", "1")
