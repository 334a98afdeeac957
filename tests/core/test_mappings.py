"""Column mappings remembered per source, and how a mapping edit becomes overrides."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.db import Database
from core.mappings import edited_mapping, parse_mapping_text, save_mapping, saved_mapping


@pytest.fixture
def db(tmp_path: Path) -> Database:
    return Database(tmp_path / "keystone.duckdb")


class TestRememberedMapping:
    def test_nothing_remembered_before_the_first_save(self, db: Database) -> None:
        with db.connect() as con:
            assert saved_mapping(con, "default") == {}

    def test_saved_mapping_comes_back_for_its_source_only(self, db: Database) -> None:
        save_mapping(db, "east", {"Umsatz": "net_revenue", "Notiz": "ignore"})
        with db.connect() as con:
            assert saved_mapping(con, "east") == {"Notiz": "ignore", "Umsatz": "net_revenue"}
            assert saved_mapping(con, "west") == {}

    def test_saving_again_replaces_the_whole_mapping(self, db: Database) -> None:
        save_mapping(db, "east", {"Umsatz": "net_revenue", "Notiz": "ignore"})
        save_mapping(db, "east", {"Kunde": "account_name"})
        with db.connect() as con:
            assert saved_mapping(con, "east") == {"Kunde": "account_name"}

    def test_unknown_field_is_refused_and_nothing_changes(self, db: Database) -> None:
        save_mapping(db, "east", {"Umsatz": "net_revenue"})
        with pytest.raises(ValueError, match="not Keystone fields: turnover"):
            save_mapping(db, "east", {"Umsatz": "turnover"})
        with db.connect() as con:
            assert saved_mapping(con, "east") == {"Umsatz": "net_revenue"}


class TestEditedMapping:
    SHOWN = {"Month": "month", "Amount": "net_revenue", "Gross": "ignore"}

    def test_unchanged_edit_keeps_the_overrides(self) -> None:
        assert edited_mapping({"X": "ignore"}, self.SHOWN, dict(self.SHOWN)) == {"X": "ignore"}

    def test_changed_column_becomes_an_override(self) -> None:
        chosen = {**self.SHOWN, "Amount": "list_revenue"}
        assert edited_mapping({}, self.SHOWN, chosen) == {"Amount": "list_revenue"}

    def test_taking_a_field_from_another_column_sets_that_column_to_ignore(self) -> None:
        chosen = {**self.SHOWN, "Gross": "net_revenue"}
        assert edited_mapping({}, self.SHOWN, chosen) == {
            "Gross": "net_revenue",
            "Amount": "ignore",
        }


class TestParseMappingText:
    def test_lines_become_header_to_field(self) -> None:
        text = "Monat=month\n  Umsatz netto = net_revenue \n\nNotiz=ignore"
        assert parse_mapping_text(text) == (
            {"Monat": "month", "Umsatz netto": "net_revenue", "Notiz": "ignore"},
            [],
        )

    def test_a_header_may_contain_an_equals_sign(self) -> None:
        assert parse_mapping_text("a=b=month") == ({"a=b": "month"}, [])

    def test_unreadable_lines_are_returned_not_guessed(self) -> None:
        text = "Monat month\nUmsatz=turnover\n=month\nKunde=account_id"
        mapping, rejected = parse_mapping_text(text)
        assert mapping == {"Kunde": "account_id"}
        assert rejected == ["Monat month", "Umsatz=turnover", "=month"]
