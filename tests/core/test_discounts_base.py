"""The shared account × month table: the figures it answers equal pandas over the stored rows."""

from __future__ import annotations

from datetime import date

import duckdb
import numpy as np
import pandas as pd
import pytest

from core.directory import DIRECTORY_DDL
from core.discounts import (
    corridor_outliers,
    discount_creep,
    discount_rates,
    price_waterfall,
)
from core.discounts_base import discount_base
from core.discounts_creep import creep_end_month
from core.discounts_views import creep_sparklines
from core.metrics import Period
from core.sql import frame

PERIOD = Period(start=date(2025, 11, 1), end=date(2026, 10, 1))


@pytest.fixture(scope="module")
def rows(demo: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The stored rows, fetched once, for pandas to recompute the figures independently."""
    return frame(demo, "SELECT * FROM active_rows")


def _period_rows(rows: pd.DataFrame, first: date, last: date) -> pd.DataFrame:
    month = rows["month"].dt.date
    return rows[(month >= first) & (month <= last)]


def _listed(rows: pd.DataFrame) -> pd.DataFrame:
    return rows[rows["list_revenue"].notna() & rows["discount_amount"].notna()]


class TestAgainstPandas:
    def test_portfolio_and_segment_rates(self, demo, rows) -> None:
        base = discount_base(demo, PERIOD)
        in_period = _period_rows(rows, PERIOD.start, PERIOD.end)
        listed = _listed(in_period)
        portfolio = discount_rates(demo, PERIOD, "portfolio", base).iloc[0]
        assert portfolio["net_revenue"] == pytest.approx(in_period["net_revenue"].sum())
        assert portfolio["discount_rate"] == pytest.approx(
            listed["discount_amount"].sum() / listed["list_revenue"].sum()
        )
        off = listed["off_invoice"].fillna(0).sum()
        assert portfolio["concession_degree"] == pytest.approx(
            (listed["discount_amount"].sum() + off) / listed["list_revenue"].sum()
        )
        assert portfolio["rows"] == len(in_period)
        segments = discount_rates(demo, PERIOD, "segment", base).set_index("segment")
        by_pandas = listed.groupby("segment")[["discount_amount", "list_revenue"]].sum()
        expected = by_pandas["discount_amount"] / by_pandas["list_revenue"]
        for segment, rate in expected.items():
            assert segments.loc[segment, "discount_rate"] == pytest.approx(rate)

    def test_waterfall(self, demo, rows) -> None:
        fall = price_waterfall(demo, PERIOD, base=discount_base(demo, PERIOD))
        listed = _listed(_period_rows(rows, PERIOD.start, PERIOD.end))
        cost = listed["cost"].fillna(listed["net_revenue"] - listed["gross_profit"])
        costed = listed[cost.notna()]
        cost = cost[cost.notna()]
        assert fall.list_revenue == pytest.approx(costed["list_revenue"].sum())
        assert fall.on_invoice_discount == pytest.approx(costed["discount_amount"].sum())
        assert fall.off_invoice == pytest.approx(costed["off_invoice"].fillna(0).sum())
        assert fall.cost == pytest.approx(cost.sum())
        assert fall.gross_profit == pytest.approx(
            costed["list_revenue"].sum()
            - costed["discount_amount"].sum()
            - costed["off_invoice"].fillna(0).sum()
            - cost.sum()
        )

    def test_creep_points(self, demo, rows) -> None:
        base = discount_base(demo, PERIOD)
        end = creep_end_month(demo, PERIOD, base)
        assert end == date(2026, 10, 1)
        creep = discount_creep(demo, end, base).set_index("account")
        listed = _listed(rows)

        def rates(first: date, last: date) -> pd.Series:
            window = _period_rows(listed, first, last).groupby("account_key")
            sums = window[["discount_amount", "list_revenue"]].sum()
            return sums["discount_amount"] / sums["list_revenue"].replace(0, np.nan)

        points = 100 * (
            rates(date(2026, 8, 1), date(2026, 10, 1)) - rates(date(2026, 5, 1), date(2026, 7, 1))
        )
        points = points.dropna()
        assert len(points) > 500
        compared = creep.loc[points.index, "points"]
        assert np.allclose(compared.to_numpy(), points.to_numpy(), rtol=1e-9, atol=1e-9)


class TestCoverage:
    def test_a_short_period_also_holds_its_six_creep_months(self, demo) -> None:
        short = Period(start=date(2026, 9, 1), end=date(2026, 10, 1))
        base = discount_base(demo, short)
        assert base.answers(short)
        assert not base.answers(PERIOD)
        assert base.creep_months == (date(2026, 5, 1), date(2026, 10, 1))
        assert base.covers_creep(date(2026, 5, 1), date(2026, 10, 1))
        assert not base.covers_creep(date(2026, 4, 1), date(2026, 9, 1))
        assert base.months is not None
        assert set(base.months.column("month").to_pylist()) == {
            date(2026, month, 1) for month in range(5, 11)
        }
        # The accounts table sums the two months only: its rows are those of the period.
        rows = sum(base.accounts.column("rows").to_pylist())
        assert rows == discount_rates(demo, short, "portfolio").iloc[0]["rows"]
        without = discount_base(demo, short, creep=False)
        assert without.months is None and not without.covers_creep(
            date(2026, 5, 1), date(2026, 10, 1)
        )

    def test_a_base_of_another_period_is_not_used(self, demo) -> None:
        """A narrow base handed to a wider figure must not narrow the figure."""
        october = Period(start=date(2026, 10, 1), end=date(2026, 10, 1))
        narrow = discount_base(demo, october)
        with_narrow = corridor_outliers(demo, PERIOD, base=narrow)
        direct = corridor_outliers(demo, PERIOD)
        pd.testing.assert_frame_equal(with_narrow, direct)
        wide = discount_rates(demo, PERIOD, "portfolio", narrow).iloc[0]
        assert wide["rows"] == discount_rates(demo, PERIOD, "portfolio").iloc[0]["rows"]
        assert wide["rows"] > discount_rates(demo, october, "portfolio").iloc[0]["rows"]
        # The creep of the period's end is answered from the narrow base's 6 months (the
        # same months), and equals a fresh read.
        pd.testing.assert_frame_equal(
            discount_creep(demo, date(2026, 10, 1), narrow),
            discount_creep(demo, date(2026, 10, 1)),
        )
        pd.testing.assert_frame_equal(
            creep_sparklines(demo, date(2026, 10, 1), narrow),
            creep_sparklines(demo, date(2026, 10, 1)),
        )

    def test_mixed_rows_in_one_account_month(self, tmp_path) -> None:
        """Listed, unlisted and uncosted rows of one account-month are summed apart.

        By hand: the rate uses the two listed rows, 30 / 300 = 10%; coverage is the listed
        rows' revenue 270 of 370; the waterfall keeps the one listed row with cost: list 100,
        discount 10, cost 50, gross profit 40.
        """
        con = duckdb.connect(str(tmp_path / "mixed.duckdb"))
        con.sql(
            """CREATE TABLE active_rows AS SELECT * FROM (VALUES
                ('A', DATE '2026-01-01', 'intrinsic', 'Acme', 90.0, 100.0, 10.0, NULL, 50.0,
                 NULL),
                ('A', DATE '2026-01-01', 'intrinsic', 'Acme', 180.0, 200.0, 20.0, NULL, NULL,
                 NULL),
                ('A', DATE '2026-01-01', 'intrinsic', 'Acme', 100.0, NULL, NULL, NULL, 60.0,
                 NULL)
            ) AS t(account_key, month, segment, account_name, net_revenue, list_revenue,
                   discount_amount, off_invoice, cost, gross_profit)"""
        )
        con.execute(DIRECTORY_DDL)
        period = Period(start=date(2026, 1, 1), end=date(2026, 1, 1))
        base = discount_base(con, period)
        rate = discount_rates(con, period, "portfolio", base).iloc[0]
        assert rate["discount_rate"] == pytest.approx(0.10)
        assert rate["coverage"] == pytest.approx(270 / 370)
        assert rate["rows"] == 3
        fall = price_waterfall(con, period, base=base)
        assert (fall.list_revenue, fall.on_invoice_discount, fall.cost) == (100, 10, 50)
        assert fall.gross_profit == pytest.approx(40)
        assert fall.rows == 1
        con.close()
