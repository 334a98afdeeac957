"""Segment mix on portfolios small enough to work out by hand, and against pandas on the demo."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.metrics import Period, portfolio_metrics
from core.segments import segment_mix, segment_mix_shift, segment_mix_trend
from tests.core.segments_reference import Row, close, pandas_mix, portfolio, stored_rows

ALL = Period()


def by_segment(mix: pd.DataFrame) -> dict[str, pd.Series]:
    return {row["segment"]: row for _, row in mix.iterrows()}


# A: 100 + 50 net, cost 60 + 30 -> gp 60.   B: 50 net, cost 40 -> gp 10.   (intrinsic: 200, 70)
# C: 200 net without cost (extrinsic).      D: 100 net, cost 50, no segment (unassigned).
# E: a credit note of −20, cost −10 -> gp −10 (strategic, not a positive account).
# Total net 480; gross profit 70 + 50 − 10 = 110.
HAND = [
    Row("2024-01", "A", "intrinsic", 100, cost=60),
    Row("2024-02", "A", "intrinsic", 50, cost=30),
    Row("2024-01", "B", "intrinsic", 50, cost=40),
    Row("2024-01", "C", "extrinsic", 200),
    Row("2024-02", "D", None, 100, cost=50),
    Row("2024-01", "E", "strategic", -20, cost=-10),
]


class TestMix:
    def test_hand_worked_money_shares_and_margin(self) -> None:
        mix = by_segment(segment_mix(portfolio(HAND), ALL))
        intrinsic = mix["intrinsic"]
        assert (intrinsic["accounts"], intrinsic["net_revenue"]) == (2, 200)
        assert intrinsic["gross_profit"] == pytest.approx(70)
        assert intrinsic["margin"] == pytest.approx(70 / 200)
        assert intrinsic["revenue_share"] == pytest.approx(200 / 480)
        assert intrinsic["profit_share"] == pytest.approx(70 / 110)
        # Extrinsic has no cost data: no gross profit, margin or profit share.
        assert mix["extrinsic"]["revenue_share"] == pytest.approx(200 / 480)
        assert pd.isna(mix["extrinsic"]["gross_profit"]) and pd.isna(mix["extrinsic"]["margin"])
        assert pd.isna(mix["extrinsic"]["profit_share"])
        # The credit-note account is not counted as an account, but its money stays.
        strategic = mix["strategic"]
        assert (strategic["accounts"], strategic["nonpositive_accounts"]) == (0, 1)
        assert strategic["revenue_share"] == pytest.approx(-20 / 480)
        assert strategic["profit_share"] == pytest.approx(-10 / 110)

    def test_unassigned_accounts_are_kept_not_dropped(self) -> None:
        mix = segment_mix(portfolio(HAND), ALL)
        assert list(mix["segment"]) == ["intrinsic", "extrinsic", "strategic", "unassigned"]
        unassigned = by_segment(mix)["unassigned"]
        assert unassigned["net_revenue"] == 100 and unassigned["margin"] == pytest.approx(0.5)
        assert mix["net_revenue"].sum() == pytest.approx(480)
        assert mix["revenue_share"].sum() == pytest.approx(1)

    def test_accounts_add_up_to_the_portfolio_count(self) -> None:
        con = portfolio(HAND)
        assert segment_mix(con, ALL)["accounts"].sum() == portfolio_metrics(con, ALL).accounts

    def test_period_filter(self) -> None:
        mix = by_segment(segment_mix(portfolio(HAND), Period(start=date(2024, 2, 1))))
        assert set(mix) == {"intrinsic", "unassigned"}
        assert mix["intrinsic"]["revenue_share"] == pytest.approx(50 / 150)

    def test_an_account_sits_in_its_latest_named_segment_in_every_period(self) -> None:
        # F was 'other' in January and 'intrinsic' in March; February names none.
        rows = [
            Row("2024-01", "F", "other", 10),
            Row("2024-02", "F", None, 20),
            Row("2024-03", "F", "intrinsic", 30),
        ]
        january = segment_mix(portfolio(rows), Period(end=date(2024, 1, 1)))
        assert list(january["segment"]) == ["intrinsic"]


class TestTrend:
    def test_month_and_quarter_buckets(self) -> None:
        con = portfolio([*HAND, Row("2024-04", "A", "intrinsic", 40, cost=20)])
        months = segment_mix_trend(con, "month")
        assert sorted(months["bucket"].dt.strftime("%Y-%m").unique()) == [
            "2024-01",
            "2024-02",
            "2024-04",
        ]
        february = by_segment(months[months["bucket"] == pd.Timestamp("2024-02-01")])
        # A 50 and D 100 in February.
        assert february["intrinsic"]["revenue_share"] == pytest.approx(50 / 150)
        quarters = segment_mix_trend(con, "quarter")
        q1 = by_segment(quarters[quarters["bucket"] == pd.Timestamp("2024-01-01")])
        assert q1["intrinsic"]["net_revenue"] == pytest.approx(200)
        q2 = by_segment(quarters[quarters["bucket"] == pd.Timestamp("2024-04-01")])
        assert q2["intrinsic"]["revenue_share"] == pytest.approx(1)

    def test_grain_is_checked(self) -> None:
        with pytest.raises(ValueError, match="grain must be 'month' or 'quarter'"):
            segment_mix_trend(portfolio(HAND), "week")  # type: ignore[arg-type]


class TestShift:
    # 2023: intrinsic 100, other 100 (Jan–Jun), then 2024-01..06 intrinsic 300, other 100.
    def rows(self) -> list[Row]:
        rows = []
        for year, intrinsic in (("2023", 100), ("2024", 300)):
            for number in range(1, 7):
                rows.append(Row(f"{year}-{number:02d}", "I", "intrinsic", intrinsic / 6))
                rows.append(Row(f"{year}-{number:02d}", "O", "other", 100 / 6))
        for number in range(7, 13):  # H2 2023: only other, 200
            rows.append(Row(f"2023-{number:02d}", "O", "other", 200 / 6))
        return rows

    def test_points_against_prior_and_last_year(self) -> None:
        shift = segment_mix_shift(
            portfolio(self.rows()), Period(start=date(2024, 1, 1), end=date(2024, 6, 1))
        )
        assert shift.prior == Period(start=date(2023, 7, 1), end=date(2023, 12, 1))
        assert shift.last_year == Period(start=date(2023, 1, 1), end=date(2023, 6, 1))
        table = by_segment(shift.table)
        # Now intrinsic 300 / 400 = 75%; prior 0 (absent: 0, not missing); last year 50%.
        intrinsic = table["intrinsic"]
        assert intrinsic["revenue_share"] == pytest.approx(0.75)
        assert intrinsic["revenue_share_prior"] == pytest.approx(0)
        assert intrinsic["revenue_share_pts_prior"] == pytest.approx(75)
        assert intrinsic["revenue_share_pts_last_year"] == pytest.approx(25)
        assert table["other"]["revenue_share_pts_prior"] == pytest.approx(-75)
        assert table["other"]["revenue_share_pts_last_year"] == pytest.approx(-25)
        assert shift.table["revenue_share_pts_prior"].sum() == pytest.approx(0)

    def test_uncovered_comparisons_are_missing(self) -> None:
        shift = segment_mix_shift(portfolio(HAND), ALL)
        assert shift.prior is None and shift.last_year is None
        assert shift.table["revenue_share_prior"].isna().all()
        assert shift.table["revenue_share_pts_last_year"].isna().all()


SEGMENT = st.sampled_from(["intrinsic", "extrinsic", "strategic", "other", None])
ROWS = st.lists(
    st.builds(
        Row,
        month=st.sampled_from(["2024-01", "2024-02", "2024-03"]),
        account=st.sampled_from([f"K{i}" for i in range(8)]),
        segment=SEGMENT,
        net=st.integers(-500, 5000).map(float),
        cost=st.one_of(st.none(), st.integers(0, 3000).map(float)),
    ),
    min_size=1,
    max_size=30,
)


class TestProperties:
    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(rows=ROWS)
    def test_mix_matches_pandas_and_shares_sum_to_one(self, rows: list[Row]) -> None:
        con = portfolio(rows)
        mix = segment_mix(con, ALL).set_index("segment")
        expected = pandas_mix(stored_rows(con), date(2024, 1, 1), date(2024, 3, 1))
        assert set(mix.index) == set(expected.index)
        for segment, row in mix.iterrows():
            assert row["accounts"] == expected.loc[segment, "accounts"]
            assert close(row["net_revenue"], expected.loc[segment, "net_revenue"], 1e-9)
        total = mix["net_revenue"].sum()
        if abs(total) > 1e-6:
            assert mix["revenue_share"].sum() == pytest.approx(1)


class TestDemoAgainstPandas:
    START, END = date(2025, 11, 1), date(2026, 10, 1)

    def test_mix(self, demo) -> None:
        mix = segment_mix(demo, Period(start=self.START, end=self.END)).set_index("segment")
        expected = pandas_mix(stored_rows(demo), self.START, self.END)
        assert (
            set(mix.index)
            == set(expected.index)
            == {
                "intrinsic",
                "extrinsic",
                "strategic",
                "other",
            }
        )
        for column in ("accounts", "net_revenue", "gross_profit", "margin", "revenue_share"):
            for segment in mix.index:
                assert close(mix.loc[segment, column], expected.loc[segment, column], 1e-9), (
                    segment,
                    column,
                )
        for segment in mix.index:
            assert close(mix.loc[segment, "profit_share"], expected.loc[segment, "profit_share"])

    def test_quarter_trend_sums_to_the_months(self, demo) -> None:
        months = segment_mix_trend(demo, "month")
        quarters = segment_mix_trend(demo, "quarter")
        assert quarters["net_revenue"].sum() == pytest.approx(months["net_revenue"].sum())
        per_quarter = quarters.groupby("bucket")["revenue_share"].sum()
        assert per_quarter.to_numpy() == pytest.approx([1.0] * len(per_quarter))
