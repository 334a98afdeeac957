"""Two sessions confirming from the same preview: the second is refused, nothing is lost."""

from __future__ import annotations

import threading

import pytest

from core.db import Database
from core.history import list_uploads
from core.ingest.models import PreparedUpload
from core.store import StoreError, existing_versions, plan_uploads, store_uploads
from core.store_preview import Previewed, previewed
from tests.core.conftest import prepare, snapshot

MARCH = "month,customer,net revenue\n2026-03,A,100\n2026-03,B,50\n"
"""2026-03: 2 rows, net 150 (upload 1)."""
MARCH_ALICE = "month,customer,net revenue\n2026-03,A,120\n2026-03,C,10\n2026-03,D,5\n"
"""Session Alice's 2026-03: 3 rows, net 120 + 10 + 5 = 135."""
MARCH_BOB = "month,customer,net revenue\n2026-03,A,90\n"
"""Session Bob's 2026-03: 1 row, net 90."""
MARCH_APRIL_BOB = "month,customer,net revenue\n2026-03,A,90\n2026-04,A,40\n"
"""Bob's file holding 2026-03 (net 90) and the new 2026-04 (net 40)."""
CHANGED_TO_ALICE = (
    r"2026-03 of source 'default' changed since your preview: it now holds upload 2 "
    r"\(3 rows, net revenue 135\.00\); nothing was stored, check the preview again and confirm"
)
CONTACTS_V1 = "account id,contact,role,stance\nA1,Ann,coach,champion\n"
CONTACTS_ALICE = "account id,contact,role,stance\nA1,Ann,coach,champion\nA2,Cy,coach,neutral\n"
CONTACTS_BOB = "account id,contact,role,stance\nA1,Bob,economic buyer,neutral\n"


def preview(db: Database, prepared: PreparedUpload) -> Previewed:
    """What the Data page shows before the user confirms: the months the file would replace."""
    with db.connect() as con:
        return previewed(prepared, existing_versions(con, prepared))


@pytest.fixture
def march(db: Database) -> Database:
    """march.csv stored as upload 1 (2026-03, 2 rows, net 150)."""
    store_uploads(db, [prepare("march.csv", MARCH)])
    return db


class TestPreviewRecord:
    def test_names_each_month_with_the_upload_it_would_replace(self, march: Database) -> None:
        """2026-03 is held by upload 1; 2026-04 is not stored yet."""
        seen = preview(march, prepare("bob.csv", MARCH_APRIL_BOB))
        assert seen == {("default", "2026-03"): 1, ("default", "2026-04"): None}

    def test_a_companion_file_names_the_active_version(self) -> None:
        contacts = prepare("c.csv", CONTACTS_V1, kind="contacts", source="emea")
        assert previewed(contacts, [], replaces=7) == {("emea", "contacts"): 7}


class TestSecondConfirmIsRefused:
    def test_two_plans_from_one_preview_the_second_store_is_refused(self, march: Database) -> None:
        """Both sessions saw upload 1 in 2026-03. Alice stores (upload 2, 3 rows, net 135);
        Bob's replace must not swap out Alice's month unseen."""
        alice, bob = prepare("alice.csv", MARCH_ALICE), prepare("bob.csv", MARCH_BOB)
        seen_alice, seen_bob = preview(march, alice), preview(march, bob)
        with march.connect() as con:
            plans = [
                plan_uploads(con, [f], True, s) for f, s in ((alice, seen_alice), (bob, seen_bob))
            ]
        assert [[p.status for p in plan] for plan in plans] == [["replaced"], ["replaced"]]

        [stored] = store_uploads(march, [alice], replace=True, seen=seen_alice)
        assert (stored.id, stored.status, stored.rows, stored.net_revenue) == (
            2,
            "replaced",
            3,
            135,
        )
        after_alice, version = snapshot(march), march.data_version()

        with pytest.raises(StoreError, match=CHANGED_TO_ALICE) as refused:
            store_uploads(march, [bob], replace=True, seen=seen_bob)
        [issue] = refused.value.issues
        assert (issue.rule, issue.file, issue.value) == ("month_changed", "bob.csv", "2026-03")
        assert issue.params == {
            "month": "2026-03",
            "source": "default",
            "upload": 2,
            "rows": 3,
            "revenue": "135.00",
        }
        assert snapshot(march) == after_alice
        assert after_alice["by_month"] == [("2026-03", "default", 135.0)]
        assert march.data_version() == version

    def test_a_new_preview_then_confirm_stores_and_keeps_both_versions(
        self, march: Database
    ) -> None:
        """After the refusal Bob previews again (upload 2 now) and confirms: upload 3 replaces
        2, which replaced 1; all three stay in the history."""
        alice, bob = prepare("alice.csv", MARCH_ALICE), prepare("bob.csv", MARCH_BOB)
        seen_bob = preview(march, bob)
        store_uploads(march, [alice], replace=True, seen=preview(march, alice))
        with pytest.raises(StoreError):
            store_uploads(march, [bob], replace=True, seen=seen_bob)
        again = preview(march, bob)
        assert again == {("default", "2026-03"): 2}
        [stored] = store_uploads(march, [bob], replace=True, seen=again)
        assert (stored.id, stored.status) == (3, "replaced")
        assert snapshot(march)["by_month"] == [("2026-03", "default", 90.0)]
        with march.connect() as con:
            history = [(u.id, u.status) for u in list_uploads(con)]
        assert history == [(3, "replaced"), (2, "superseded"), (1, "superseded")]

    def test_a_month_stored_by_another_session_after_an_empty_preview(
        self, march: Database
    ) -> None:
        """Bob saw 2026-04 empty; Alice stores 2026-04 first (upload 2, 1 row, net 10).
        Bob's file is refused for 2026-04 only; 2026-03 was as he saw it."""
        bob = prepare("bob.csv", MARCH_APRIL_BOB)
        seen_bob = preview(march, bob)
        store_uploads(march, [prepare("alice.csv", "month,customer,net revenue\n2026-04,Z,10\n")])
        with pytest.raises(StoreError, match="2026-04 of source 'default' changed") as refused:
            store_uploads(march, [bob], replace=True, seen=seen_bob)
        assert [(i.value, i.params["upload"], i.params["rows"]) for i in refused.value.issues] == [
            ("2026-04", 2, 1)
        ]
        assert snapshot(march)["by_month"] == [
            ("2026-03", "default", 150.0),
            ("2026-04", "default", 10.0),
        ]

    def test_the_same_file_stored_meanwhile_is_unchanged_not_refused(self, march: Database) -> None:
        """Identical bytes change nothing, so there is nothing to protect."""
        alice = prepare("alice.csv", MARCH_ALICE)
        seen = preview(march, alice)
        store_uploads(march, [alice], replace=True, seen=seen)
        [again] = store_uploads(march, [alice], replace=True, seen=seen)
        assert (again.status, again.id) == ("unchanged", 2)

    def test_without_a_preview_the_replace_goes_ahead(self, march: Database) -> None:
        """The CLI passes no preview: --replace swaps whatever is stored."""
        store_uploads(march, [prepare("alice.csv", MARCH_ALICE)], replace=True)
        [stored] = store_uploads(march, [prepare("bob.csv", MARCH_BOB)], replace=True)
        assert (stored.id, stored.status) == (3, "replaced")

    def test_a_companion_file_replaced_meanwhile(self, db: Database) -> None:
        """Both saw contacts upload 1; Alice's becomes upload 2; Bob's is refused."""
        store_uploads(db, [prepare("c1.csv", CONTACTS_V1, kind="contacts")])
        alice = prepare("alice.csv", CONTACTS_ALICE, kind="contacts")
        bob = prepare("bob.csv", CONTACTS_BOB, kind="contacts")
        seen = {("default", "contacts"): 1}
        store_uploads(db, [alice], seen=seen)
        with pytest.raises(
            StoreError, match="contacts file of source 'default' changed"
        ) as refused:
            store_uploads(db, [bob], seen=seen)
        assert [(i.rule, i.params["upload"]) for i in refused.value.issues] == [("kind_changed", 2)]

    def test_a_preview_that_saw_a_version_where_none_is_now(self, march: Database) -> None:
        """2026-04 holds nothing, but the caller claims upload 1 was there; a companion file
        likewise: the message says nothing is stored now, and nothing is written."""
        before = snapshot(march)
        april = prepare("april.csv", "month,customer,net revenue\n2026-04,A,30\n")
        contacts = prepare("c.csv", CONTACTS_V1, kind="contacts")
        seen = {("default", "2026-04"): 1, ("default", "contacts"): 1}
        with pytest.raises(StoreError) as refused:
            store_uploads(march, [april, contacts], replace=True, seen=seen)
        assert [(i.rule, i.message) for i in refused.value.issues] == [
            (
                "month_changed_empty",
                "2026-04 of source 'default' changed since your preview: it is no longer "
                "stored; nothing was stored, check the preview again and confirm",
            ),
            (
                "kind_changed_empty",
                "the contacts file of source 'default' changed since your preview: none is "
                "active now; nothing was stored, check the preview again and confirm",
            ),
        ]
        assert snapshot(march) == before


class TestAtTheSameMoment:
    def test_two_threads_confirming_together_store_exactly_one(self, march: Database) -> None:
        """Both confirm a replace of upload 1 at once: the write lock lets one in, and the
        other, planning inside its own transaction, finds the month changed."""
        files = [prepare("alice.csv", MARCH_ALICE), prepare("bob.csv", MARCH_BOB)]
        seen = [preview(march, f) for f in files]
        start = threading.Barrier(2)
        outcomes: dict[str, object] = {}

        def confirm(index: int) -> None:
            start.wait()
            try:
                [result] = store_uploads(march, [files[index]], replace=True, seen=seen[index])
                outcomes[files[index].report.file] = result.id
            except StoreError as exc:
                outcomes[files[index].report.file] = [i.rule for i in exc.issues]

        threads = [threading.Thread(target=confirm, args=(i,)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert sorted(outcomes.values(), key=str) == [2, ["month_changed"]]
        winner = next(name for name, outcome in outcomes.items() if outcome == 2)
        net = {"alice.csv": 135.0, "bob.csv": 90.0}[winner]
        assert snapshot(march)["by_month"] == [("2026-03", "default", net)]
