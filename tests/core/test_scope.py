"""The shared filters and period presets, on a portfolio small enough to check by hand."""

from __future__ import annotations

from datetime import date

import pytest

from core.db import Database
from core.metrics import Period, portfolio_metrics
from core.scope import Aliases, Filters, Scope, filter_options, preset_period, scope_connection
from core.sql import fetch_all, scalar
from core.store import store_uploads
from tests.core.conftest import prepare

EAST = """month,account_id,region,owner,segment,net_revenue
2026-01,A1,East,Li,intrinsic,100
2026-01,A2,East,Wang,,50
2026-02,A1,West,Li,strategic,200
2026-02,A3,West,Zhang,extrinsic,400
"""
NORTH = """month,account_id,region,owner,segment,net_revenue
2026-01,A4,North,Li,extrinsic,1000
"""
"""By hand. Source 'east' holds four rows (750), source 'north' one (1,000).
A1 was intrinsic in January and strategic in February: its latest segment is strategic.
A2 names no segment: unassigned."""

ALL = Period()


@pytest.fixture
def stored(db: Database) -> Database:
    store_uploads(db, [prepare("east.csv", EAST, source="east")])
    store_uploads(db, [prepare("north.csv", NORTH, source="north")])
    return db


def revenue(db: Database, filters: Filters) -> float:
    with db.connect() as con:
        scope_connection(con, filters)
        return portfolio_metrics(con, ALL).net_revenue


class TestFilters:
    def test_nothing_chosen_keeps_everything(self, stored: Database) -> None:
        assert revenue(stored, Filters()) == pytest.approx(1750)

    @pytest.mark.parametrize(
        ("filters", "expected"),
        [
            (Filters(sources=("north",)), 1000),
            (Filters(sources=("east",)), 750),
            (Filters(regions=("West",)), 600),
            (Filters(owners=("Li",)), 1300),
            (Filters(owners=("Li", "Zhang")), 1700),
            (Filters(sources=("east",), owners=("Li",)), 300),
            (Filters(regions=("Nowhere",)), 0),
        ],
    )
    def test_row_dimensions_combine(
        self, stored: Database, filters: Filters, expected: float
    ) -> None:
        assert (revenue(stored, filters) or 0) == pytest.approx(expected)

    def test_a_segment_keeps_whole_accounts_by_their_latest_segment(self, stored: Database) -> None:
        """A1's January row (tagged intrinsic) belongs to strategic, its latest segment."""
        assert revenue(stored, Filters(segments=("strategic",))) == pytest.approx(300)
        assert (revenue(stored, Filters(segments=("intrinsic",))) or 0) == 0
        assert revenue(stored, Filters(segments=("unassigned",))) == pytest.approx(50)
        assert revenue(stored, Filters(segments=("extrinsic",))) == pytest.approx(1400)

    def test_values_are_data_not_sql(self, stored: Database) -> None:
        hostile = Filters(owners=("Li') OR 1=1 --",))
        assert (revenue(stored, hostile) or 0) == 0

    def test_the_stored_view_is_untouched(self, stored: Database) -> None:
        with stored.connect() as con:
            scope_connection(con, Filters(sources=("north",)))
            assert scalar(con, "SELECT count(*) FROM active_rows") == 1
        with stored.connect() as con:
            assert scalar(con, "SELECT count(*) FROM active_rows") == 5

    def test_options(self, stored: Database) -> None:
        with stored.connect() as con:
            options = filter_options(con)
        assert options == {
            "sources": ["east", "north"],
            "regions": ["East", "North", "West"],
            "owners": ["Li", "Wang", "Zhang"],
            "segments": ["extrinsic", "strategic", "unassigned"],
        }

    def test_token_round_trip_is_canonical(self) -> None:
        one = Filters(owners=("Zhang", "Li"), segments=("strategic",))
        two = Filters(segments=("strategic",), owners=("Li", "Zhang"))
        assert one.token() == two.token()
        assert Filters.from_token(one.token()) == Filters(
            owners=("Li", "Zhang"), segments=("strategic",)
        )
        assert Filters().token() == "{}"
        assert Filters.from_token("not json") == Filters()
        assert Filters.from_token(None).is_empty()


class TestPresets:
    @pytest.mark.parametrize(
        ("preset", "anchor", "start"),
        [
            ("month", date(2026, 5, 1), date(2026, 5, 1)),
            ("quarter", date(2026, 5, 1), date(2026, 4, 1)),
            ("quarter", date(2026, 4, 1), date(2026, 4, 1)),
            ("quarter", date(2026, 12, 1), date(2026, 10, 1)),
            ("ytd", date(2026, 5, 1), date(2026, 1, 1)),
            ("t12m", date(2026, 5, 1), date(2025, 6, 1)),
            ("t12m", date(2026, 12, 1), date(2026, 1, 1)),
        ],
    )
    def test_ranges_end_at_the_anchor(self, preset, anchor: date, start: date) -> None:
        assert preset_period(preset, anchor) == Period(start=start, end=anchor)

    def test_never_before_the_first_stored_month(self) -> None:
        period = preset_period("t12m", date(2026, 3, 1), first_stored=date(2025, 11, 1))
        assert period == Period(start=date(2025, 11, 1), end=date(2026, 3, 1))


CONTACTS = """account id,contact,role,stance,influence,last contact,owner
A1,Ann Secret,economic buyer,champion,5,2026-01-15,Li
A4,Bob Hidden,coach,supporter,3,2026-01-20,Wang
"""


class TestAnonymise:
    """By hand: all-history revenue A4 1,000 > A3 400 > A1 300 > A2 50, so A4 is Account 001
    … A2 Account 004; owners Li 1,300 > Zhang 400 > Wang 50."""

    def test_names_become_aliases_ranked_by_revenue(self, stored: Database) -> None:
        with stored.connect() as con:
            scope_connection(con, Scope(anonymise=True))
            rows = fetch_all(
                con,
                "SELECT DISTINCT account_key, account_name, account_id, owner FROM active_rows"
                " ORDER BY 1",
            )
            total = scalar(con, "SELECT sum(net_revenue) FROM active_rows")
        assert rows == [
            ("Account 001", "Account 001", "Account 001", "Owner 01"),
            ("Account 002", "Account 002", "Account 002", "Owner 02"),
            ("Account 003", "Account 003", "Account 003", "Owner 01"),
            ("Account 004", "Account 004", "Account 004", "Owner 03"),
        ]
        assert total == pytest.approx(1750), "figures do not change"

    def test_aliases_stay_the_same_under_a_filter_and_in_any_language(
        self, stored: Database
    ) -> None:
        with stored.connect() as con:
            scope_connection(
                con,
                Scope(
                    filters=Filters(sources=("east",)),
                    anonymise=True,
                    aliases=Aliases(account="客户", owner="经理"),
                ),
            )
            rows = fetch_all(con, "SELECT DISTINCT account_key, owner FROM active_rows ORDER BY 1")
        assert rows == [("客户 002", "经理 02"), ("客户 003", "经理 01"), ("客户 004", "经理 03")]

    def test_contacts_and_their_accounts_are_aliased_too(self, stored: Database) -> None:
        store_uploads(stored, [prepare("people.csv", CONTACTS, kind="contacts")])
        with stored.connect() as con:
            scope_connection(con, Scope(anonymise=True))
            contacts = fetch_all(
                con,
                "SELECT account_id, contact_name, owner FROM active_contacts ORDER BY 1",
            )
        assert contacts == [
            ("Account 001", "Contact 002", "Owner 03"),
            ("Account 003", "Contact 001", "Owner 01"),
        ]
        text = repr(contacts)
        assert "Ann" not in text and "Bob" not in text and "A1" not in text


class TestIndex:
    def test_money_is_an_index_of_the_chosen_month(self, stored: Database) -> None:
        """January's net revenue is 100 + 50 + 1,000 = 1,150, so everything is × 100 / 1,150:
        the total 1,750 becomes 152.17; the currency is dropped, shares stay."""
        with stored.connect() as con:
            scope_connection(con, Scope(index_month=date(2026, 1, 1)))
            january = scalar(
                con, "SELECT sum(net_revenue) FROM active_rows WHERE month = DATE '2026-01-01'"
            )
            total = scalar(con, "SELECT sum(net_revenue) FROM active_rows")
            currencies = scalar(con, "SELECT count(currency) FROM active_rows")
        assert january == pytest.approx(100)
        assert total == pytest.approx(1750 * 100 / 1150)
        assert currencies == 0

    def test_a_scope_round_trips_through_its_token(self) -> None:
        scope = Scope(filters=Filters(owners=("Li",)), anonymise=True, index_month=date(2026, 1, 1))
        assert Scope.from_token(scope.token()) == scope
        assert Scope.from_token("garbage") == Scope()
        assert Scope().is_plain() and not scope.is_plain()


def test_aliases_stay_unique_past_999(db: Database) -> None:
    """1,005 accounts: 'Account 1000' and the rest get four digits, none shares an alias."""
    lines = [f"2026-01,K{i:04d},{1000 + i}" for i in range(1005)]
    store_uploads(db, [prepare("many.csv", "month,account_id,net_revenue\n" + "\n".join(lines))])
    with db.connect() as con:
        scope_connection(con, Scope(anonymise=True))
        count, distinct, widest = fetch_all(
            con,
            "SELECT count(*), count(DISTINCT account_key), max(length(account_key))"
            " FROM active_rows",
        )[0]
        first = scalar(con, "SELECT account_key FROM active_rows WHERE net_revenue = 2004")
    assert (count, distinct, widest) == (1005, 1005, len("Account 0001"))
    assert first == "Account 0001", "the largest account comes first, padded to four digits"
