"""Companion files are stored whole per kind and source; the previous version is kept."""

from __future__ import annotations

import pytest

from core.db import Database
from core.history import list_uploads, restore_upload
from core.sql import fetch_all
from core.store import StoreError, store_uploads
from tests.core.conftest import prepare

V1 = "account id,contact,role,stance\nA1,Ann,coach,champion\nA1,Bob,economic buyer,neutral\n"
V2 = "account id,contact,role,stance\nA1,Ann,coach,champion\nA2,Cy,gatekeeper,detractor\n"
ACCOUNTS = "account id,name,segment,key account\nA1,Acme,strategic,yes\nA2,Beta,other,no\n"
SALES = "month,customer code,net revenue\n2026-03,A1,100\n"


def contacts(text: str, name: str = "contacts.csv", source: str = "default"):
    return prepare(name, text, kind="contacts", source=source)


def people(db: Database) -> list[tuple]:
    with db.connect() as con:
        return fetch_all(
            con, "SELECT account_id, contact_name, upload_id FROM active_contacts ORDER BY ALL"
        )


class TestReplaceWhole:
    def test_a_new_file_replaces_the_old_one_which_is_kept(self, db: Database) -> None:
        [first] = store_uploads(db, [contacts(V1)])
        [second] = store_uploads(db, [contacts(V2, "contacts_v2.csv")])
        assert (first.status, second.status) == ("stored", "replaced")
        assert people(db) == [("A1", "Ann", 2), ("A2", "Cy", 2)]
        with db.connect() as con:
            history = [(u.id, u.kind, u.status, u.can_restore) for u in list_uploads(con)]
            stored = fetch_all(con, "SELECT count(*) FROM contact_rows")[0][0]
            raw = fetch_all(con, "SELECT count(*) FROM upload_files")[0][0]
        assert history == [(2, "contacts", "replaced", True), (1, "contacts", "superseded", False)]
        assert stored == 4 and raw == 2

    def test_restore_brings_the_previous_version_back(self, db: Database) -> None:
        store_uploads(db, [contacts(V1)])
        store_uploads(db, [contacts(V2, "contacts_v2.csv")])
        assert restore_upload(db, 2) == []
        assert people(db) == [("A1", "Ann", 1), ("A1", "Bob", 1)]
        with pytest.raises(StoreError, match="upload 2 has already been restored"):
            restore_upload(db, 2)
        with pytest.raises(StoreError, match="upload 1 replaced nothing"):
            restore_upload(db, 1)

    def test_identical_bytes_change_nothing(self, db: Database) -> None:
        store_uploads(db, [contacts(V1)])
        version = db.data_version()
        [again] = store_uploads(db, [contacts(V1, "copy.csv")])
        assert (again.status, again.id, again.rows, again.accounts) == ("unchanged", 1, 2, 1)
        assert db.data_version() == version
        assert people(db) == [("A1", "Ann", 1), ("A1", "Bob", 1)]

    def test_sources_are_separate_and_both_count(self, db: Database) -> None:
        store_uploads(db, [contacts(V1, source="east")])
        store_uploads(db, [contacts(V2, source="west")])
        assert len(people(db)) == 4

    def test_two_files_of_one_kind_and_source_are_refused(self, db: Database) -> None:
        with pytest.raises(StoreError, match="two contacts files for source 'default'"):
            store_uploads(db, [contacts(V1, "a.csv"), contacts(V2, "b.csv")])
        assert not db.exists() or people(db) == []

    def test_exports_and_companions_in_one_batch(self, db: Database) -> None:
        batch = [
            prepare("sales.csv", SALES),
            contacts(V1),
            prepare("accounts.csv", ACCOUNTS, kind="accounts"),
        ]
        results = store_uploads(db, batch)
        assert [r.status for r in results] == ["stored"] * 3
        with db.connect() as con:
            master = fetch_all(
                con, "SELECT account_id, segment, key_account FROM account_master ORDER BY 1"
            )
            facts = fetch_all(con, "SELECT count(*) FROM active_rows")[0][0]
        assert master == [("A1", "strategic", True), ("A2", "other", False)]
        assert facts == 1

    def test_views_are_empty_before_any_companion_file(self, db: Database) -> None:
        store_uploads(db, [prepare("sales.csv", SALES)])
        with db.connect() as con:
            assert fetch_all(con, "SELECT count(*) FROM active_contacts")[0][0] == 0
            assert fetch_all(con, "SELECT count(*) FROM account_master")[0][0] == 0
