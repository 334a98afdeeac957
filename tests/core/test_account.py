"""The account drill-down on a portfolio small enough to work out by hand.

Rows (line, month, account, name, group, segment, product, net, list, discount, off, cost):

    2  2025-01 A100 Acme      G strategic P1  500  500   0   0 300
    3  2025-02 A100 Acme      G strategic P1  500  500   0   0 300
    4  2025-03 A100 Acme      G strategic P1  600  700 100  20 400
    5  2025-03 A100 Acme      G strategic P2  200  200   0   0 150
    6  2025-04 A100 Acme      G strategic P1  200  250  50   0 100
    7  2025-03 B200 Beta Co   G intrinsic P1  300   –    –   –   –
    8  2025-04 B200 Beta Co   G intrinsic P1  300   –    –   –   –
    9  2025-01 C300 Gamma Old – other     P3  400   –    –   –   –
    10 2025-03 C300 Gamma New – other     P3  900   –    –   –   –
    11 2025-04 D400 ＤＥＬＴＡ Trading – –  P1  100   –    –   –   –
    12 2025-03 E500 Echo      – –         P1  -50   –    –   –   –

Period 2025-03 … 2025-04 (prior: 2025-01 … 2025-02). Positive accounts: A100 1,000, C300 900,
B200 600, D400 100; n = 4, total 2,600, key accounts ceil(0.8) = 1: A100 only.
A100 in the period: net 600 + 200 + 200 = 1,000; gross profit 200 + 50 + 100 = 350, margin
35%; list 1,150, discount 150, rate 13.04%; concession (150 + 20) / 1,150 = 14.78%. Prior:
net 1,000, gross profit 400 (40%), discount 0 / 1,000 = 0%. Products: P1 800, P2 200, shares
0.8 and 0.2, HHI 80² + 20² = 6,800. Months: 800 and 200: largest 2025-03 with 80%, mean 500,
population sd 300, CV 0.6. Group G: A100 1,000 + B200 600 = 1,600 of 2,600 = 61.5%, rank 1.
Ingest stores D400's full-width name as 'DELTA Trading'; a search typed in full width
('ｄｅｌｔａ') must still find it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import duckdb
import pytest

from core.account import (
    account_figures,
    account_list,
    account_profile,
    account_rows,
    account_trend,
    figures_comparison,
    group_members,
    product_mix,
    search_accounts,
)
from core.db import Database
from core.metrics import Period
from core.store import store_uploads
from tests.core.conftest import prepare

PERIOD = Period(start=date(2025, 3, 1), end=date(2025, 4, 1))
MAR, APR = date(2025, 3, 1), date(2025, 4, 1)
HEADER = (
    "month,account_id,account_name,parent_group,segment,owner,region,currency,product,"
    "net_revenue,list_revenue,discount_amount,off_invoice,cost\n"
)
CSV = (
    HEADER
    + """2025-01,A100,Acme,G,strategic,Ann,East,CNY,P1,500,500,0,0,300
2025-02,A100,Acme,G,strategic,Ann,East,CNY,P1,500,500,0,0,300
2025-03,A100,Acme,G,strategic,Ann,East,CNY,P1,600,700,100,20,400
2025-03,A100,Acme,G,strategic,Ann,East,CNY,P2,200,200,0,0,150
2025-04,A100,Acme,G,strategic,Ann,East,CNY,P1,200,250,50,0,100
2025-03,B200,Beta Co,G,intrinsic,Bo,West,CNY,P1,300,,,,
2025-04,B200,Beta Co,G,intrinsic,Bo,West,CNY,P1,300,,,,
2025-01,C300,Gamma Old,,other,Cy,North,CNY,P3,400,,,,
2025-03,C300,Gamma New,,other,Cy,North,CNY,P3,900,,,,
2025-04,D400,ＤＥＬＴＡ Trading,,,,,CNY,P1,100,,,,
2025-03,E500,Echo,,,,,CNY,P1,-50,,,,
"""
)


@pytest.fixture(scope="module")
def con(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    db = Database(tmp_path_factory.mktemp("account") / "keystone.duckdb", lock_timeout_s=2)
    store_uploads(db, [prepare("sales.csv", CSV)])
    connection = duckdb.connect(str(db.path), read_only=True)
    yield connection
    connection.close()


class TestProfile:
    def test_the_largest_account_is_the_one_key_account(self, con) -> None:
        profile = account_profile(con, "A100", PERIOD)
        assert profile is not None
        assert (profile.name, profile.parent_group, profile.segment) == ("Acme", "G", "strategic")
        assert (profile.owner, profile.region, profile.currency) == ("Ann", "East", "CNY")
        assert profile.rows == 3
        assert profile.net_revenue == pytest.approx(1000)
        assert (profile.revenue_rank, profile.ranked_accounts, profile.key_accounts) == (1, 4, 1)
        assert profile.key_account
        assert profile.revenue_share == pytest.approx(1000 / 2600)
        assert (profile.first_month, profile.last_month) == (date(2025, 1, 1), APR)

    def test_the_latest_name_and_a_rank_below_the_top_20_percent(self, con) -> None:
        profile = account_profile(con, "C300", PERIOD)
        assert profile is not None
        assert profile.name == "Gamma New"
        assert profile.parent_group is None
        assert (profile.revenue_rank, profile.key_account) == (2, False)
        assert profile.revenue_share == pytest.approx(900 / 2600)

    def test_an_account_at_or_below_zero_has_no_rank_or_share(self, con) -> None:
        profile = account_profile(con, "E500", PERIOD)
        assert profile is not None
        assert profile.segment == "unassigned"
        assert (profile.revenue_rank, profile.revenue_share, profile.key_account) == (
            None,
            None,
            False,
        )
        assert profile.net_revenue == pytest.approx(-50)

    def test_an_unknown_key_has_no_profile(self, con) -> None:
        assert account_profile(con, "Z999", PERIOD) is None


class TestFigures:
    def test_period_and_prior_by_hand(self, con) -> None:
        compared = figures_comparison(con, "A100", PERIOD)
        now, before = compared.current, compared.prior
        assert compared.prior_period == Period(start=date(2025, 1, 1), end=date(2025, 2, 1))
        assert now.net_revenue == pytest.approx(1000)
        assert now.gross_profit == pytest.approx(350)
        assert now.margin == pytest.approx(0.35)
        assert now.discount_rate == pytest.approx(150 / 1150)
        assert now.concession_degree == pytest.approx(170 / 1150)
        assert now.rows == 3
        assert before is not None
        assert (before.net_revenue, before.margin, before.discount_rate) == pytest.approx(
            (1000, 0.4, 0.0)
        )

    def test_without_list_or_cost_data_the_rates_are_none(self, con) -> None:
        figures = account_figures(con, "B200", {"current": PERIOD})["current"]
        assert figures.net_revenue == pytest.approx(600)
        assert (figures.gross_profit, figures.margin, figures.discount_rate) == (None, None, None)

    def test_a_period_without_rows_gives_zeros(self, con) -> None:
        january = Period(start=date(2025, 1, 1), end=date(2025, 1, 1))
        figures = account_figures(con, "B200", {"current": january})["current"]
        assert (figures.net_revenue, figures.rows, figures.discount_rate) == (0.0, 0, None)


class TestTrend:
    def test_monthly_revenue_margin_and_rates(self, con) -> None:
        trend = account_trend(con, "A100", PERIOD)
        assert list(trend["month"].dt.date) == [MAR, APR]
        assert list(trend["net_revenue"]) == pytest.approx([800, 200])
        assert list(trend["margin"]) == pytest.approx([250 / 800, 100 / 200])
        assert list(trend["discount_rate"]) == pytest.approx([100 / 900, 50 / 250])
        assert list(trend["concession_degree"]) == pytest.approx([120 / 900, 50 / 250])

    def test_a_stored_month_without_the_accounts_rows_counts_as_zero(self, con) -> None:
        trend = account_trend(con, "C300", PERIOD)
        assert list(trend["net_revenue"]) == pytest.approx([900, 0])
        assert list(trend["rows"]) == [1, 0]
        assert trend["discount_rate"].isna().all()


class TestProducts:
    def test_shares_top_share_and_hhi_by_hand(self, con) -> None:
        mix = product_mix(con, "A100", PERIOD)
        assert list(mix.table["product"]) == ["P1", "P2"]
        assert list(mix.table["net_revenue"]) == pytest.approx([800, 200])
        assert list(mix.table["share"]) == pytest.approx([0.8, 0.2])
        assert (mix.products, mix.top_product) == (2, "P1")
        assert mix.top_share == pytest.approx(0.8)
        assert mix.hhi == pytest.approx(80**2 + 20**2)
        assert mix.one_product, "a top share of 80% rests on one product"

    def test_largest_month_and_volatility_by_hand(self, con) -> None:
        mix = product_mix(con, "A100", PERIOD)
        assert mix.months == 2
        assert mix.largest_month == MAR
        assert mix.largest_month_share == pytest.approx(0.8)
        assert mix.cv == pytest.approx(300 / 500)
        assert mix.one_month

    def test_one_month_of_two_gives_cv_one(self, con) -> None:
        """C300: 900 and 0, mean 450, population sd 450."""
        mix = product_mix(con, "C300", PERIOD)
        assert mix.cv == pytest.approx(1.0)
        assert mix.largest_month_share == pytest.approx(1.0)
        assert mix.hhi == pytest.approx(10_000)

    def test_an_account_without_revenue_has_no_shares(self, con) -> None:
        mix = product_mix(con, "E500", PERIOD)
        assert (mix.products, mix.top_share, mix.hhi, mix.cv) == (0, None, None, None)
        assert list(mix.table["share"].isna()) == [True]


class TestRows:
    def test_the_stored_rows_trace_to_their_file_and_line(self, con) -> None:
        rows = account_rows(con, "A100", PERIOD)
        assert list(rows["line"]) == [4, 5, 6]
        assert set(rows["file"]) == {"sales.csv"}
        assert rows["upload_id"].nunique() == 1
        assert list(rows["product"]) == ["P1", "P2", "P1"]
        assert rows["net_revenue"].sum() == pytest.approx(1000)


class TestGroup:
    def test_members_and_the_groups_share(self, con) -> None:
        group = group_members(con, "G", PERIOD)
        assert list(group.members["account"]) == ["A100", "B200"]
        assert list(group.members["share"]) == pytest.approx([1000 / 1600, 600 / 1600])
        assert group.net_revenue == pytest.approx(1600)
        assert group.share == pytest.approx(1600 / 2600)
        assert group.rank == 1
        assert group.over_threshold


class TestSearch:
    def test_every_account_ranked_by_revenue(self, con) -> None:
        listed = account_list(con, PERIOD)
        assert list(listed["account"]) == ["A100", "C300", "B200", "D400", "E500"]
        assert list(listed["rank"]) == [1, 2, 3, 4, 5]

    def test_id_substring_ranked_by_revenue(self, con) -> None:
        found = search_accounts(con, PERIOD, "00")
        assert list(found["account"]) == ["A100", "C300", "B200", "D400", "E500"]

    def test_name_substring_ignores_case_and_full_width(self, con) -> None:
        assert list(search_accounts(con, PERIOD, "TA")["account"]) == ["B200", "D400"]
        assert list(search_accounts(con, PERIOD, "ｄｅｌｔａ")["account"]) == ["D400"]
        assert list(search_accounts(con, PERIOD, "gamma new")["account"]) == ["C300"]

    def test_an_exact_id_comes_first(self, con) -> None:
        """'a100' is A100 exactly; no other key or name holds it."""
        assert list(search_accounts(con, PERIOD, " a100 ")["account"]) == ["A100"]
        found = search_accounts(con, PERIOD, "e", limit=2)
        assert list(found["account"]) == ["A100", "C300"]  # Acme, Gamma New: largest first

    def test_no_match_is_empty(self, con) -> None:
        assert search_accounts(con, PERIOD, "zzz").empty
