"""Concentration figures on portfolios small enough to work out by hand, and their invariants."""

from __future__ import annotations

import subprocess
import sys
from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.concentration import (
    account_revenue,
    concentration_metrics,
    concentration_summary,
    concentration_trend,
    hhi_band,
    lorenz_curve,
)
from core.metrics import Period
from tests.core.concentration_reference import figures, portfolio

ALL = Period()


def one_month(*revenues: float, groups: dict[str, str] | None = None):
    """A database holding one month, accounts A, B, C … with these net revenues."""
    groups = groups or {}
    keys = [chr(ord("A") + i) for i in range(len(revenues))]
    return portfolio(
        ("2024-01", key, net, None, groups.get(key))
        for key, net in zip(keys, revenues, strict=True)
    )


class TestHandWorkedSummary:
    def test_five_accounts(self) -> None:
        # shares .50 .30 .10 .05 .05; HHI 2500+900+100+25+25; Gini (−4·5 −2·5 +0 +2·30 +4·50)/500
        summary = concentration_summary(one_month(50, 30, 10, 5, 5), ALL)
        assert summary.n == 5
        assert summary.total == pytest.approx(100)
        assert summary.top1_share == pytest.approx(0.5)
        assert summary.top5_share == pytest.approx(1.0)
        assert summary.top10_share == pytest.approx(1.0)
        assert summary.top20pct_n == 1
        assert summary.top20pct_share == pytest.approx(0.5)
        assert summary.pareto_k == 2
        assert summary.pareto_share == pytest.approx(0.4)
        assert summary.hhi == pytest.approx(3550)
        assert summary.effective_accounts == pytest.approx(10_000 / 3550)
        assert summary.gini == pytest.approx(0.46)
        assert summary.hhi_band == "high"
        assert summary.accounts_nonpositive == 0

    def test_single_account(self) -> None:
        summary = concentration_summary(one_month(7), ALL)
        assert (summary.n, summary.pareto_k, summary.top20pct_n) == (1, 1, 1)
        assert summary.top1_share == pytest.approx(1)
        assert summary.hhi == pytest.approx(10_000)
        assert summary.effective_accounts == pytest.approx(1)
        assert summary.gini == pytest.approx(0)

    def test_all_equal_accounts(self) -> None:
        summary = concentration_summary(one_month(10, 10, 10, 10), ALL)
        assert summary.hhi == pytest.approx(2500)
        assert summary.effective_accounts == pytest.approx(4)
        assert summary.gini == pytest.approx(0, abs=1e-12)
        assert summary.top1_share == pytest.approx(0.25)
        assert summary.pareto_k == 4  # .25 .50 .75 1.0: only all four reach 80%

    def test_ties_at_the_pareto_line_count_as_reaching_it(self) -> None:
        # Ten accounts of 0.1: the float running sum of eight is 0.7999999999999999.
        summary = concentration_summary(one_month(*[0.1] * 10), ALL)
        assert summary.pareto_k == 8
        assert concentration_summary(one_month(40, 40, 20), ALL).pareto_k == 2

    def test_ties_do_not_change_any_figure(self) -> None:
        first = concentration_summary(one_month(30, 20, 20, 20, 10), ALL)
        second = concentration_summary(one_month(20, 10, 20, 30, 20), ALL)
        numbers = {"groups_over_10pct", "by", "hhi_band"}
        assert first.model_dump(exclude=numbers) == pytest.approx(
            second.model_dump(exclude=numbers)
        )
        assert [g.share for g in first.groups_over_10pct] == pytest.approx(
            [g.share for g in second.groups_over_10pct]
        )

    def test_top20pct_rounds_n_over_5_up_with_integer_arithmetic(self) -> None:
        # n = 15: 0.2 · 15 is 3.0000000000000004 in floats, yet the top 20% is 3 accounts.
        summary = concentration_summary(one_month(*range(15, 0, -1)), ALL)
        assert summary.top20pct_n == 3
        assert summary.top20pct_share == pytest.approx((15 + 14 + 13) / 120)
        assert concentration_summary(one_month(*range(16, 0, -1)), ALL).top20pct_n == 4

    def test_nonpositive_accounts_are_reported_apart(self) -> None:
        con = portfolio(
            [
                ("2024-01", "A", 60),
                ("2024-01", "B", 40),
                ("2024-01", "C", -10),
                ("2024-01", "D", 0),
                ("2024-01", "E", 50),
                ("2024-02", "E", -50),
            ]
        )
        summary = concentration_summary(con, ALL)
        assert (summary.n, summary.accounts_nonpositive) == (2, 3)
        assert summary.total == pytest.approx(100)
        assert summary.net_revenue == pytest.approx(90)
        assert summary.nonpositive_revenue == pytest.approx(-10)
        assert summary.hhi == pytest.approx(3600 + 1600)
        assert summary.gini == pytest.approx((-40 + 60) / 200)

    def test_empty_period_has_no_figures(self) -> None:
        summary = concentration_summary(one_month(5, 5), Period(start=date(2030, 1, 1)))
        assert summary.n == 0
        assert summary.hhi is None and summary.gini is None and summary.pareto_k is None
        assert summary.groups_over_10pct == []

    def test_period_bounds_are_inclusive(self) -> None:
        con = portfolio([("2024-01", "A", 10), ("2024-02", "B", 30), ("2024-03", "C", 60)])
        feb = concentration_summary(con, Period(start=date(2024, 2, 1), end=date(2024, 2, 1)))
        assert (feb.n, feb.total) == (1, pytest.approx(30))
        spring = concentration_summary(con, Period(start=date(2024, 2, 1)))
        assert spring.total == pytest.approx(90)

    @pytest.mark.parametrize(
        ("hhi", "band"),
        [(999.9, "low"), (1000, "moderate"), (1800, "moderate"), (1800.1, "high"), (None, None)],
    )
    def test_hhi_bands(self, hhi: float | None, band: str | None) -> None:
        assert hhi_band(hhi) == band


class TestGroups:
    ROWS = (
        ("2024-01", "A", 30, None, "G1"),
        ("2024-01", "B", 20, None, "G1"),
        ("2024-01", "C", 40, None, None, "Cedar Ltd"),
        ("2024-01", "D", 10, None, "G2"),
    )

    def test_groups_roll_up_and_lone_accounts_stand_alone(self) -> None:
        summary = concentration_summary(portfolio(self.ROWS), ALL, by="group")
        assert summary.n == 3
        assert summary.hhi == pytest.approx(2500 + 1600 + 100)
        frame = account_revenue(portfolio(self.ROWS), ALL, by="group")
        assert frame["key"].tolist() == ["G1", "C", "G2"]
        assert frame["name"].tolist() == ["G1", "Cedar Ltd", "G2"]
        assert frame["members"].tolist() == [2, 1, 1]
        assert frame["share"].tolist() == pytest.approx([0.5, 0.4, 0.1])

    def test_groups_at_or_over_10pct_are_listed_whatever_the_level(self) -> None:
        for by in ("account", "group"):
            summary = concentration_summary(portfolio(self.ROWS), ALL, by=by)
            listed = [(g.group, g.share, g.members) for g in summary.groups_over_10pct]
            assert listed == [
                ("G1", pytest.approx(0.5), 2),
                ("C", pytest.approx(0.4), 1),
                ("G2", pytest.approx(0.1), 1),
            ]

    def test_an_account_belongs_to_its_latest_group(self) -> None:
        con = portfolio(
            [
                ("2024-01", "A", 10, None, "Old"),
                ("2024-02", "A", 10, None, "New"),
                ("2024-02", "B", 30, None, "Old"),
                ("2024-03", "A", 5, None, None),
            ]
        )
        frame = account_revenue(con, ALL, by="group")
        assert dict(zip(frame["key"], frame["net_revenue"], strict=True)) == {"Old": 30, "New": 25}

    def test_a_group_nets_its_members_before_the_sign_test(self) -> None:
        con = portfolio(
            [
                ("2024-01", "A", 30, None, "G"),
                ("2024-01", "B", -10, None, "G"),
                ("2024-01", "C", -5, None, "H"),
                ("2024-01", "D", 5, None, "H"),
            ]
        )
        summary = concentration_summary(con, ALL, by="group")
        assert (summary.n, summary.accounts_nonpositive) == (1, 1)
        assert concentration_summary(con, ALL).accounts_nonpositive == 2


class TestAccountRevenue:
    def test_ranked_with_cumulative_share_and_nonpositive_last(self) -> None:
        con = portfolio(
            [
                ("2024-01", "A", 20, None, None, "Acme"),
                ("2024-01", "B", 60),
                ("2024-01", "C", 20),
                ("2024-01", "N", -5),
            ]
        )
        frame = account_revenue(con, ALL)
        assert frame["key"].tolist() == ["B", "A", "C", "N"]
        assert frame["name"].tolist() == ["B", "Acme", "C", "N"]
        assert frame["rank"].iloc[:3].tolist() == [1, 2, 3]
        assert frame["rank"].isna().tolist() == [False, False, False, True]
        assert frame["share"].iloc[:3].tolist() == pytest.approx([0.6, 0.2, 0.2])
        assert frame["cum_share"].iloc[:3].tolist() == pytest.approx([0.6, 0.8, 1.0])
        assert frame["positive"].tolist() == [True, True, True, False]
        assert pd.isna(frame["share"].iloc[3])

    def test_gross_profit_only_where_cost_data_exist(self) -> None:
        con = portfolio([("2024-01", "A", 20, 5), ("2024-01", "B", 60)])
        frame = account_revenue(con, ALL).set_index("key")
        assert frame.loc["A", "gross_profit"] == pytest.approx(5)
        assert pd.isna(frame.loc["B", "gross_profit"])

    def test_unknown_level_is_refused(self) -> None:
        with pytest.raises(ValueError, match="by must be 'account' or 'group'"):
            account_revenue(one_month(1), ALL, by="region")  # type: ignore[arg-type]


class TestLorenz:
    def test_points_by_hand(self) -> None:
        frame = lorenz_curve(one_month(50, 30, 10, 5, 5), ALL)
        assert frame["account_share"].tolist() == pytest.approx([0, 0.2, 0.4, 0.6, 0.8, 1])
        assert frame["revenue_share"].tolist() == pytest.approx([0, 0.05, 0.1, 0.2, 0.5, 1])
        assert frame["key"].iloc[-1] == "A"

    def test_empty_without_positive_revenue(self) -> None:
        assert lorenz_curve(one_month(-3), ALL).empty


class TestTrend:
    ROWS = (
        ("2024-01", "A", 50),
        ("2024-01", "B", 50),
        ("2024-02", "A", 90),
        ("2024-02", "B", 10),
        ("2024-04", "A", 10),
    )

    def test_per_month(self) -> None:
        trend = concentration_trend(portfolio(self.ROWS))
        assert trend["period_start"].dt.strftime("%Y-%m").tolist() == [
            "2024-01",
            "2024-02",
            "2024-04",
        ]
        assert trend["hhi"].tolist() == pytest.approx([5000, 8200, 10_000])
        assert trend["top5_share"].tolist() == pytest.approx([1, 1, 1])
        assert trend["gini"].tolist() == pytest.approx([0, 0.4, 0])
        assert trend["pareto_k"].tolist() == [2, 1, 1]
        assert trend["months"].tolist() == [1, 1, 1]

    def test_per_quarter_sums_the_quarter_first(self) -> None:
        trend = concentration_trend(portfolio(self.ROWS), grain="quarter")
        assert trend["months"].tolist() == [2, 1]
        assert trend["hhi"].tolist() == pytest.approx([4900 + 900, 10_000])  # 140 / 60

    def test_per_group_and_within_a_period(self) -> None:
        con = portfolio(
            [
                ("2024-01", "A", 50, None, "G"),
                ("2024-01", "B", 50, None, "G"),
                ("2024-02", "A", 10, None, "G"),
                ("2024-02", "C", 10),
            ]
        )
        trend = concentration_trend(con, by="group", period=Period(start=date(2024, 2, 1)))
        assert trend["n"].tolist() == [2]
        assert trend["hhi"].tolist() == pytest.approx([5000])

    def test_unknown_grain_is_refused(self) -> None:
        with pytest.raises(ValueError, match="grain must be 'month' or 'quarter'"):
            concentration_trend(one_month(1), grain="week")  # type: ignore[arg-type]


class TestMetricsForTheCommandLine:
    def test_exactly_the_issue_keys(self) -> None:
        con = portfolio(
            [("2024-01", "A", 60, 30, "G"), ("2024-01", "B", 40, -10), ("2024-01", "C", -5, -1)]
        )
        metrics = concentration_metrics(con, ALL)
        assert set(metrics) == {
            "top1_share",
            "top5_share",
            "top10_share",
            "top20pct_share",
            "pareto_k",
            "hhi",
            "effective_accounts",
            "gini",
            "accounts_nonpositive",
            "groups_over_10pct",
            "whale",
        }
        assert metrics["top1_share"] == pytest.approx(0.6)
        assert metrics["hhi"] == pytest.approx(5200)
        assert metrics["accounts_nonpositive"] == 1
        assert metrics["groups_over_10pct"] == [
            {"group": "G", "share": 0.6},
            {"group": "B", "share": 0.4},
        ]
        assert metrics["whale"] == {
            "peak": pytest.approx(30 / 19),
            "negative_accounts": 2,
            "profit_destroyed": pytest.approx(11),
        }

    def test_whale_is_none_without_cost_data(self) -> None:
        assert concentration_metrics(one_month(3, 2), ALL)["whale"] is None


revenues = st.lists(
    st.one_of(
        st.integers(1, 10**7).map(lambda cents: cents / 100), st.sampled_from([5.0, 5.0, 1000.0])
    ),
    min_size=1,
    max_size=40,
)
PROPERTY = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


class TestInvariants:
    @PROPERTY
    @given(revenues)
    def test_shares_sum_to_one_and_cum_share_ends_at_one(self, values: list[float]) -> None:
        frame = account_revenue(one_month(*values), ALL)
        assert frame["share"].sum() == pytest.approx(1)
        assert frame["cum_share"].iloc[-1] == pytest.approx(1)
        assert (np.diff(frame["cum_share"]) >= 0).all()

    @PROPERTY
    @given(revenues)
    def test_hhi_and_gini_bounds(self, values: list[float]) -> None:
        summary = concentration_summary(one_month(*values), ALL)
        n = len(values)
        assert 10_000 / n * (1 - 1e-9) <= summary.hhi <= 10_000 * (1 + 1e-12)
        assert -1e-12 <= summary.gini <= (n - 1) / n + 1e-12
        assert 1 <= summary.pareto_k <= n

    @PROPERTY
    @given(revenues)
    def test_lorenz_is_convex_from_origin_to_one_one(self, values: list[float]) -> None:
        frame = lorenz_curve(one_month(*values), ALL)
        x, y = frame["account_share"].to_numpy(), frame["revenue_share"].to_numpy()
        assert (x[0], y[0]) == (0, 0)
        assert (x[-1], y[-1]) == (1, 1)
        slopes = np.diff(y) / np.diff(x)
        assert (np.diff(slopes) >= -1e-9 * slopes.max()).all()
        assert (y <= x + 1e-12).all()

    @PROPERTY
    @given(st.lists(st.integers(-50, 10**6).map(float), min_size=1, max_size=30))
    def test_every_figure_matches_numpy(self, values: list[float]) -> None:
        summary = concentration_summary(one_month(*values), ALL).model_dump()
        expected = figures(values)
        assert summary["accounts_nonpositive"] == expected.pop("nonpositive")
        for name, value in expected.items():
            assert summary[name] == pytest.approx(value, rel=1e-9, abs=1e-9), name


class TestImportHygiene:
    def test_the_concentration_core_never_imports_streamlit(self) -> None:
        code = (
            "import sys, core.concentration_report, core.stress; "
            "sys.exit('streamlit' in sys.modules)"
        )
        assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
