"""The Discounts page's extra queries on a portfolio small enough to work out by hand.

Rows (month, account, segment, net, list, discount, off-invoice, cost):
2025-01 A strategic 900 1000 100 50 600 · 2025-01 B other 190 200 10 0 100 ·
2025-02 A strategic 800 1000 200 0 500 · 2025-02 B other 100 without list data or cost.
Over both months: discount 310 / list 2,200 = 14.09%; concession (310 + 50) / 2,200 = 16.36%;
coverage 1,890 / 1,990; pocket 2,200 − 310 − 50 = 1,840, cost 1,200, margin 640 / 1,840.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import date

import duckdb
import pytest

from core.db import Database
from core.discounts_views import (
    account_monthly,
    creep_sparklines,
    discount_kpis,
    kpi_comparison,
    pocket_price_band,
    rate_by_segment_month,
)
from core.metrics import Period
from core.store import store_uploads
from tests.core.conftest import prepare

ALL = Period()
JAN, FEB = date(2025, 1, 1), date(2025, 2, 1)
CSV = """month,account_id,segment,net_revenue,list_revenue,discount_amount,off_invoice,cost
2025-01,A,strategic,900,1000,100,50,600
2025-01,B,other,190,200,10,0,100
2025-02,A,strategic,800,1000,200,0,500
2025-02,B,other,100,,,,
"""


@pytest.fixture
def con(db: Database) -> Iterator[duckdb.DuckDBPyConnection]:
    store_uploads(db, [prepare("sales.csv", CSV)])
    connection = duckdb.connect(str(db.path), read_only=True)
    yield connection
    connection.close()


class TestKpis:
    def test_portfolio_by_hand(self, con) -> None:
        kpis = discount_kpis(con, ALL)
        assert kpis.discount_rate == pytest.approx(310 / 2200)
        assert kpis.concession_degree == pytest.approx(360 / 2200)
        assert kpis.coverage == pytest.approx(1890 / 1990)
        assert kpis.pocket_margin == pytest.approx(640 / 1840)
        assert kpis.net_revenue == pytest.approx(1990)

    def test_compared_with_the_prior_month_but_not_last_year(self, con) -> None:
        compared = kpi_comparison(con, Period(start=FEB, end=FEB))
        assert compared.period == Period(start=FEB, end=FEB)
        assert compared.current is not None and compared.prior is not None
        assert compared.current.discount_rate == pytest.approx(0.2)
        assert compared.prior.discount_rate == pytest.approx(110 / 1200)
        assert compared.prior_period == Period(start=JAN, end=JAN)
        assert compared.last_year is None and compared.last_year_period is None

    def test_a_period_outside_stored_history(self, con) -> None:
        compared = kpi_comparison(con, Period(start=date(2030, 1, 1), end=date(2030, 2, 1)))
        assert compared.period is None and compared.current is None


class TestSegmentTrend:
    def test_rates_per_segment_and_portfolio(self, con) -> None:
        trend = rate_by_segment_month(con, ALL)
        rates = {
            (row.month.date(), row.segment if isinstance(row.segment, str) else None): (
                row.discount_rate
            )
            for row in trend.itertuples()
        }
        assert rates[(JAN, None)] == pytest.approx(110 / 1200)
        assert rates[(JAN, "strategic")] == pytest.approx(0.1)
        assert rates[(JAN, "other")] == pytest.approx(0.05)
        assert rates[(FEB, None)] == pytest.approx(0.2)
        assert math.isnan(rates[(FEB, "other")]), "no list data: a null rate, never 0"
        assert len(trend) == 6


class TestPocketBand:
    def test_pocket_over_list_per_account(self, con) -> None:
        band = pocket_price_band(con, ALL).set_index("account")
        assert band.loc["A", "pocket_ratio"] == pytest.approx(1650 / 2000)
        assert band.loc["A", "net_revenue"] == pytest.approx(1700)
        assert band.loc["B", "pocket_ratio"] == pytest.approx(0.95)
        assert band.loc["B", "net_revenue"] == pytest.approx(190), "only rows with list data"


class TestAccountMonths:
    def test_one_account_per_month(self, con) -> None:
        monthly = account_monthly(con, "B", ALL)
        assert monthly["net_revenue"].tolist() == pytest.approx([190, 100])
        assert monthly["discount_rate"].iloc[0] == pytest.approx(0.05)
        assert math.isnan(monthly["discount_rate"].iloc[1])

    def test_an_unknown_account_has_no_months(self, con) -> None:
        assert account_monthly(con, "nobody", ALL).empty


class TestSparklines:
    def test_six_months_oldest_first_with_gaps(self, con) -> None:
        lines = creep_sparklines(con, FEB).set_index("account")["rates"]
        assert len(lines.loc["A"]) == 6
        assert all(math.isnan(value) for value in lines.loc["A"][:4])
        assert list(lines.loc["A"][4:]) == pytest.approx([10.0, 20.0])
        assert lines.loc["B"][4] == pytest.approx(5.0) and math.isnan(lines.loc["B"][5])
