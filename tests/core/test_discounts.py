"""Discount figures on portfolios small enough to work out by hand, and their invariants."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date

import duckdb
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.db import Database
from core.demo import PLANTED
from core.discounts import (
    DiscountThresholds,
    buys_nothing,
    corridor_outliers,
    discount_creep,
    discount_metrics,
    discount_rates,
    price_waterfall,
)
from core.metrics import Period
from core.schema import SCHEMA_SQL
from core.store import store_uploads
from tests.core.conftest import prepare

ALL = Period()
HEADER = "month,account_id,segment,net_revenue,list_revenue,discount_amount,off_invoice,cost\n"


@pytest.fixture
def stored(db: Database):
    """Ingest CSV body lines (after HEADER) into the test database; yields a reader."""

    def store(*lines: str) -> Database:
        store_uploads(db, [prepare("sales.csv", HEADER + "\n".join(lines) + "\n")])
        return db

    return store


@pytest.fixture
def con(db: Database) -> Iterator[Callable[[], duckdb.DuckDBPyConnection]]:
    """A connection to the test database, opened after the test's rows are stored."""
    opened: list[duckdb.DuckDBPyConnection] = []

    def connect() -> duckdb.DuckDBPyConnection:
        opened.append(duckdb.connect(str(db.path), read_only=True))
        return opened[-1]

    yield connect
    for connection in opened:
        connection.close()


def by_key(rates: pd.DataFrame, column: str) -> dict[object, pd.Series]:
    return {row[column]: row for _, row in rates.iterrows()}


class TestWeightedRate:
    # A: 100 off 1,000 and a tiny row with 9 off 10 -> 109 / 1,010, not the row mean of 0.5.
    # B carries no list data: out of the rate, and 99 of 1,000 net revenue is not covered.
    ROWS = (
        "2024-01,A,intrinsic,900,1000,100,,",
        "2024-01,A,intrinsic,1,10,9,,",
        "2024-01,B,intrinsic,99,,,,",
    )

    def test_a_tiny_row_with_a_huge_rate_does_not_dominate(self, stored, con) -> None:
        stored(*self.ROWS)
        account = by_key(discount_rates(con(), ALL, "account"), "account")["A"]
        assert account["discount_rate"] == pytest.approx(109 / 1010)
        assert account["coverage"] == pytest.approx(1.0)

    def test_rows_without_list_data_are_left_out_and_reported_as_coverage(
        self, stored, con
    ) -> None:
        stored(*self.ROWS)
        portfolio = discount_rates(con(), ALL, "portfolio").iloc[0]
        assert portfolio["discount_rate"] == pytest.approx(109 / 1010)
        assert portfolio["net_revenue"] == pytest.approx(1000)
        assert portfolio["list_revenue"] == pytest.approx(1010)
        assert portfolio["coverage"] == pytest.approx(901 / 1000)
        b = by_key(discount_rates(con(), ALL, "account"), "account")["B"]
        assert pd.isna(b["discount_rate"]) and b["coverage"] == pytest.approx(0)

    def test_concession_degree_adds_off_invoice(self, stored, con) -> None:
        stored("2024-01,A,intrinsic,900,1000,100,50,", "2024-01,B,extrinsic,190,200,10,,")
        segments = by_key(discount_rates(con(), ALL, "segment"), "segment")
        assert segments["intrinsic"]["concession_degree"] == pytest.approx(150 / 1000)
        assert segments["extrinsic"]["concession_degree"] == pytest.approx(10 / 200)
        portfolio = discount_rates(con(), ALL, "portfolio").iloc[0]
        assert portfolio["concession_degree"] == pytest.approx(160 / 1200)

    def test_month_breakdown_and_period(self, stored, con) -> None:
        stored("2024-01,A,intrinsic,90,100,10,,", "2024-02,A,intrinsic,60,100,40,,")
        months = by_key(discount_rates(con(), ALL, "month"), "month")
        assert months[pd.Timestamp("2024-02-01")]["discount_rate"] == pytest.approx(0.4)
        january = Period(end=date(2024, 1, 1))
        assert discount_rates(con(), january, "portfolio").iloc[0]["discount_rate"] == (
            pytest.approx(0.1)
        )

    def test_unknown_breakdown_is_refused(self, stored, con) -> None:
        stored("2024-01,A,intrinsic,90,100,10,,")
        with pytest.raises(ValueError, match="cannot break discount rates down by 'region'"):
            discount_rates(con(), ALL, "region")  # type: ignore[arg-type]


class TestNullHandling:
    def test_zero_list_gives_a_null_rate_not_infinity(self, stored, con) -> None:
        # Z's credit note cancels its invoice: Σ list = 0.
        stored(
            "2024-01,Z,intrinsic,90,100,10,,",
            "2024-02,Z,intrinsic,-90,-100,-10,,",
            "2024-01,A,intrinsic,9,10,1,,",
        )
        rates = by_key(discount_rates(con(), ALL, "account"), "account")
        assert pd.isna(rates["Z"]["discount_rate"]) and pd.isna(rates["Z"]["concession_degree"])
        assert rates["A"]["discount_rate"] == pytest.approx(0.1)


class TestCreep:
    # A misses Feb and May. Prior window (Jan, Mar): 40 / 400 = 10%; last (Apr, Jun):
    # 80 / 400 = 20%: +10 points. Monthly rates 10, 10, 15, 25 at t = 0, 2, 3, 5:
    # slope = Sxy / Sxx = 40 / 13. Net 360 before, 320 after, over 3 stored months each.
    # B is flat at 5% every month; C only buys in June.
    ROWS = (
        "2024-01,A,intrinsic,90,100,10,,",
        "2024-03,A,intrinsic,270,300,30,,",
        "2024-04,A,intrinsic,170,200,30,,",
        "2024-06,A,intrinsic,150,200,50,,",
        *(f"2024-0{m},B,intrinsic,95,100,5,," for m in range(1, 7)),
        "2024-06,C,intrinsic,50,100,50,,",
    )

    def test_uneven_month_coverage(self, stored, con) -> None:
        stored(*self.ROWS)
        creep = by_key(discount_creep(con(), date(2024, 6, 1)), "account")
        a = creep["A"]
        assert (a["rate_prior"], a["rate_last"]) == (pytest.approx(0.1), pytest.approx(0.2))
        assert a["points"] == pytest.approx(10)
        assert a["slope"] == pytest.approx(40 / 13)
        assert a["rate_months"] == 4
        assert a["revenue_change"] == pytest.approx(320 / 360 - 1)
        assert creep["B"]["points"] == pytest.approx(0, abs=1e-9)
        assert creep["B"]["slope"] == pytest.approx(0, abs=1e-9)
        c = creep["C"]
        assert pd.isna(c["points"]) and pd.isna(c["slope"]) and pd.isna(c["revenue_change"])

    def test_windows_end_at_the_given_month(self, stored, con) -> None:
        stored(*self.ROWS)
        creep = by_key(discount_creep(con(), date(2024, 4, 20)), "account")
        # Nov-Jan before, Feb-Apr last: A 10% then 60 / 500 = 12%.
        assert creep["A"]["points"] == pytest.approx(2)
        assert "C" not in creep

    def test_buys_nothing_needs_creep_and_no_growth(self, stored, con) -> None:
        stored(*self.ROWS)
        creep = discount_creep(con(), date(2024, 6, 1))
        assert buys_nothing(creep)["account"].tolist() == ["A"]
        assert buys_nothing(creep, threshold_points=10).empty

    def test_creep_with_growth_is_not_buying_nothing(self, stored, con) -> None:
        stored("2024-01,G,intrinsic,90,100,10,,", "2024-04,G,intrinsic,400,500,100,,")
        creep = discount_creep(con(), date(2024, 6, 1))
        assert creep.iloc[0]["points"] == pytest.approx(10)
        assert buys_nothing(creep).empty

    def test_a_month_missing_from_the_store_is_not_a_revenue_drop(self, stored, con) -> None:
        # Nothing stored for May: each window's revenue is per stored month (90 / 3, 60 / 2).
        stored(*(f"2024-0{m},B,intrinsic,30,40,10,," for m in (1, 2, 3, 4, 6)))
        creep = discount_creep(con(), date(2024, 6, 1))
        assert creep.iloc[0]["revenue_change"] == pytest.approx(0, abs=1e-12)


class TestWaterfall:
    # A: 1,000 - 100 - 50 - 600 = 250; B: 500 - 25 - 0 - 300 = 175; C has no list data.
    ROWS = (
        "2024-01,A,intrinsic,900,1000,100,50,600",
        "2024-01,B,extrinsic,475,500,25,,300",
        "2024-01,C,extrinsic,100,,,,50",
    )

    def test_portfolio_by_hand(self, stored, con) -> None:
        stored(*self.ROWS)
        fall = price_waterfall(con(), ALL)
        assert (fall.list_revenue, fall.on_invoice_discount) == (1500, 125)
        assert (fall.invoice, fall.off_invoice, fall.pocket) == (1375, 50, 1325)
        assert (fall.cost, fall.gross_profit) == (900, 425)
        assert fall.coverage == pytest.approx(1375 / 1475)
        shares = {step.name: step.share_of_list for step in fall.steps}
        assert shares["gross_profit"] == pytest.approx(425 / 1500)
        assert shares["on_invoice_discount"] == pytest.approx(-125 / 1500)

    def test_list_minus_the_steps_is_gross_profit_exactly(self, stored, con) -> None:
        stored(
            "2024-01,A,intrinsic,0.7,1.0,0.3,0.1,0.2",
            "2024-01,B,intrinsic,1.99,3.33,1.34,0.11,1.01",
        )
        fall = price_waterfall(con(), ALL)
        steps = [step.amount for step in fall.steps if step.kind == "step"]
        assert fall.steps[0].amount + sum(steps) == fall.steps[-1].amount == fall.gross_profit
        totals = [step.amount for step in fall.steps if step.kind == "total"]
        assert totals == [fall.list_revenue, fall.invoice, fall.pocket, fall.gross_profit]

    def test_scoped_to_an_account_or_segment(self, stored, con) -> None:
        stored(*self.ROWS)
        assert price_waterfall(con(), ALL, account="A").gross_profit == 250
        assert price_waterfall(con(), ALL, segment="extrinsic").gross_profit == 175

    def test_without_cost_it_stops_at_pocket(self, stored, con) -> None:
        stored("2024-01,A,intrinsic,900,1000,100,50,")
        fall = price_waterfall(con(), ALL)
        assert fall.cost is None and fall.gross_profit is None
        assert [step.name for step in fall.steps][-1] == "pocket"


class TestCorridor:
    # One band (revenue_bands=1): E at 20% against peers 5, 6, 7, 8% -> p90 at position
    # 0.9 · 3 = 2.7: 7% + 0.7 · 1% = 7.7%. D's peers 5, 6, 7, 20% -> 16.1%, so D is inside.
    # Segment extrinsic sits at 30% and has too few peers to be judged.
    ROWS = (
        *(
            f"2024-01,{key},intrinsic,{100 - rate},100,{rate},,"
            for key, rate in zip("ABCDE", (5, 6, 7, 8, 20), strict=True)
        ),
        "2024-01,X,extrinsic,70,100,30,,",
        "2024-01,Y,extrinsic,60,100,40,,",
    )
    ONE_BAND = DiscountThresholds(revenue_bands=1)

    def test_peer_percentile_by_hand(self, stored, con) -> None:
        stored(*self.ROWS)
        outliers = corridor_outliers(con(), ALL, self.ONE_BAND)
        assert outliers["account"].tolist() == ["E"]
        e = outliers.iloc[0]
        assert (e["segment"], e["peers"]) == ("intrinsic", 4)
        assert e["peer_p90"] == pytest.approx(0.077)
        assert e["excess_points"] == pytest.approx(20 - 7.7)

    def test_quintiles_leave_small_segments_unjudged(self, stored, con) -> None:
        stored(*self.ROWS)
        assert corridor_outliers(con(), ALL).empty  # bands of one account have no peers

    def test_metrics_lists_the_outlier(self, stored, con) -> None:
        stored(*self.ROWS)
        metrics = discount_metrics(con(), ALL, self.ONE_BAND)
        [outlier] = metrics["corridor_outliers"]
        assert outlier["account"] == "E" and outlier["rate"] == pytest.approx(0.2)
        assert outlier["peer_p90"] == pytest.approx(0.077)


def memory_db(rows: list[tuple[str, float, float]]) -> duckdb.DuckDBPyConnection:
    """An in-memory database whose active rows are (account, list, discount) in 2024-01."""
    con = duckdb.connect()
    for statement in SCHEMA_SQL:
        con.sql(statement)
    incoming = pd.DataFrame(rows, columns=["account", "list", "discount"])
    con.register("incoming", incoming)
    con.sql(
        """INSERT INTO facts (upload_id, line, month, account_key, net_revenue, list_revenue,
                              discount_amount)
           SELECT 1, row_number() OVER (), DATE '2024-01-01', account, list - discount, list,
                  discount
           FROM incoming"""
    )
    con.sql("INSERT INTO upload_months VALUES (1, 'test', DATE '2024-01-01', true, NULL)")
    con.unregister("incoming")
    return con


@st.composite
def valid_rows(draw: st.DrawFn) -> list[tuple[str, float, float]]:
    """Rows with positive list revenue and a discount in [0, list)."""
    count = draw(st.integers(1, 12))
    rows = []
    for _ in range(count):
        listed = draw(st.floats(0.01, 1e7, allow_nan=False))
        fraction = draw(st.floats(0, 0.99))
        rows.append((draw(st.sampled_from("ABCD")), listed, listed * fraction))
    return rows


class TestProperties:
    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(valid_rows())
    def test_rate_lies_in_unit_interval_and_between_its_parts(self, rows) -> None:
        con = memory_db(rows)
        accounts = discount_rates(con, ALL, "account")["discount_rate"]
        rate = discount_rates(con, ALL, "portfolio").iloc[0]["discount_rate"]
        assert 0 <= rate < 1
        assert accounts.between(0, 1, inclusive="left").all()
        assert accounts.min() - 1e-12 <= rate <= accounts.max() + 1e-12


class TestDemo:
    def test_planted_creep_accounts_are_found_and_buy_nothing(self, demo) -> None:
        planted = set(PLANTED["discount_creep"])
        assert planted == {"C00221", "C00720"}
        metrics = discount_metrics(demo, ALL)
        assert {item["account"] for item in metrics["creep"]} == planted
        assert all(2 < item["points"] < 5 and item["slope"] > 0 for item in metrics["creep"])
        creep = discount_creep(demo, date(2026, 10, 1))
        assert set(buys_nothing(creep)["account"]) == planted

    def test_portfolio_figures(self, demo) -> None:
        metrics = discount_metrics(demo, ALL)
        assert 0.05 < metrics["discount_rate"] < metrics["concession_degree"] < 0.2
        assert metrics["rate_coverage"] == pytest.approx(1)
        fall = price_waterfall(demo, ALL)
        assert fall.gross_profit is not None and fall.gross_profit > 0
