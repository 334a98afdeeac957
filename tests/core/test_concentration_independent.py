"""Every concentration figure checked against a plain numpy/pandas implementation.

On the demo portfolio (built through the ordinary ingest path) and on random portfolios; the
reference lives in tests/core/concentration_reference.py and shares no code with core.
"""

from __future__ import annotations

from datetime import date

import duckdb
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
    lorenz_curve,
)
from core.concentration_alerts import dependency_alerts
from core.concentration_report import concentration_report
from core.demo import PLANTED
from core.metrics import Period
from core.stress import stress_test
from core.whale import whale_curve, whale_summary
from tests.core.concentration_reference import (
    figures,
    lorenz,
    per_account,
    per_unit,
    portfolio,
    stored_rows,
    whale,
)

LAST_12 = Period(start=date(2025, 11, 1), end=date(2026, 10, 1))
BIG_GROUP = "华辰重工集团"
PERIODS = {
    "last 12 months": LAST_12,
    "all history": Period(),
    "one month": Period(start=date(2026, 2, 1), end=date(2026, 2, 1)),
}


@pytest.fixture(scope="module")
def rows(demo: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return stored_rows(demo)


def units(rows: pd.DataFrame, period: Period, by: str) -> pd.DataFrame:
    return per_unit(per_account(rows, period.start, period.end), by)


def assert_summary_matches(summary: object, expected: dict) -> None:
    got = summary.model_dump()  # type: ignore[attr-defined]
    assert got["accounts_nonpositive"] == expected.pop("nonpositive")
    for name, value in expected.items():
        assert got[name] == pytest.approx(value, rel=1e-9, abs=1e-6), name


class TestDemoFigures:
    @pytest.mark.parametrize("by", ["account", "group"])
    @pytest.mark.parametrize("label", list(PERIODS))
    def test_summary(self, demo, rows: pd.DataFrame, label: str, by: str) -> None:
        period = PERIODS[label]
        expected = units(rows, period, by)
        assert_summary_matches(
            concentration_summary(demo, period, by=by),  # type: ignore[arg-type]
            figures(expected["net"].to_numpy()),
        )

    def test_the_planted_group_is_flagged(self, demo, rows: pd.DataFrame) -> None:
        groups = units(rows, LAST_12, "group")
        shares = groups["net"] / groups.loc[groups["net"] > 0, "net"].sum()
        expected = shares[shares >= 0.10].sort_values(ascending=False)
        summary = concentration_summary(demo, LAST_12)
        assert [g.group for g in summary.groups_over_10pct] == expected.index.tolist()
        assert [g.share for g in summary.groups_over_10pct] == pytest.approx(expected.tolist())
        assert BIG_GROUP in expected.index
        members = set(PLANTED["big_group"])
        alerts = [a for a in dependency_alerts(demo, LAST_12) if a.rule == "group_share"]
        assert [a.params["group"] for a in alerts] == [BIG_GROUP]
        assert set(alerts[0].accounts) <= members
        assert concentration_metrics(demo, LAST_12)["groups_over_10pct"][0]["group"] == BIG_GROUP

    @pytest.mark.parametrize("by", ["account", "group"])
    def test_account_revenue(self, demo, rows: pd.DataFrame, by: str) -> None:
        expected = units(rows, LAST_12, by)
        frame = account_revenue(demo, LAST_12, by=by).set_index("key")  # type: ignore[arg-type]
        assert sorted(frame.index) == sorted(expected.index)
        got = frame.loc[expected.index]
        np.testing.assert_allclose(got["net_revenue"], expected["net"], rtol=1e-9)
        positive = expected[expected["net"] > 0].sort_values("net", ascending=False)
        shares = positive["net"] / positive["net"].sum()
        np.testing.assert_allclose(frame.loc[shares.index, "share"], shares, rtol=1e-9)
        ranked = frame[frame["positive"]].sort_values("rank")
        np.testing.assert_allclose(ranked["net_revenue"], positive["net"], rtol=1e-9)
        np.testing.assert_allclose(ranked["cum_share"], np.cumsum(shares), rtol=1e-9)
        if by == "account":
            names = per_account(rows, LAST_12.start, LAST_12.end)["name"]
            assert (frame.loc[names.index, "name"] == names).all()
        else:
            assert frame.loc[BIG_GROUP, "members"] == expected.loc[BIG_GROUP, "members"]

    def test_lorenz(self, demo, rows: pd.DataFrame) -> None:
        x, y = lorenz(units(rows, LAST_12, "account")["net"].to_numpy())
        frame = lorenz_curve(demo, LAST_12)
        np.testing.assert_allclose(frame["account_share"], x, atol=1e-12)
        np.testing.assert_allclose(frame["revenue_share"], y, atol=1e-9)

    @pytest.mark.parametrize("by", ["account", "group"])
    def test_whale(self, demo, rows: pd.DataFrame, by: str) -> None:
        profits = units(rows, LAST_12, by)["profit"].dropna().to_numpy()
        expected = whale(profits)
        summary = whale_summary(demo, LAST_12, by=by)  # type: ignore[arg-type]
        assert summary is not None
        for name, value in expected.items():
            assert getattr(summary, name) == pytest.approx(value, rel=1e-9), name
        curve = whale_curve(demo, LAST_12, by=by)  # type: ignore[arg-type]
        ordered = np.sort(profits)[::-1]
        np.testing.assert_allclose(
            curve["cum_profit_share"].iloc[1:], np.cumsum(ordered) / ordered.sum(), rtol=1e-9
        )

    def test_the_loss_makers_are_the_planted_negative_margin_accounts(self, demo) -> None:
        curve = whale_curve(demo, LAST_12)
        assert set(curve.loc[curve["gross_profit"] < 0, "key"]) == set(PLANTED["negative_margin"])
        assert concentration_metrics(demo, LAST_12)["whale"]["negative_accounts"] == 4

    @pytest.mark.parametrize(("grain", "by"), [("month", "account"), ("quarter", "group")])
    def test_trend(self, demo, rows: pd.DataFrame, grain: str, by: str) -> None:
        trend = concentration_trend(demo, grain=grain, by=by)  # type: ignore[arg-type]
        starts = pd.to_datetime(rows["month"]).dt.to_period("M" if grain == "month" else "Q")
        assert len(trend) == starts.nunique()
        for (_, got), bucket in zip(trend.iterrows(), sorted(starts.unique()), strict=True):
            start, end = bucket.start_time.date(), bucket.end_time.date().replace(day=1)
            expected = figures(units(rows, Period(start=start, end=end), by)["net"].to_numpy())
            got = got.rename({"accounts_nonpositive": "nonpositive"})
            for name, value in expected.items():
                assert got[name] == pytest.approx(value, rel=1e-9, abs=1e-6), (bucket, name)

    def test_stress_test_without_the_big_group(self, demo, rows: pd.DataFrame) -> None:
        accounts = per_account(rows, LAST_12.start, LAST_12.end)
        kept = accounts[accounts["group"] != BIG_GROUP]
        result = stress_test(demo, LAST_12, remove_groups=[BIG_GROUP])
        expected = figures(kept["net"].to_numpy())
        assert result.after.revenue == pytest.approx(kept["net"].sum(), rel=1e-9)
        assert result.after.gross_profit == pytest.approx(kept["profit"].sum(), rel=1e-9)
        for name in ("n", "hhi", "top5_share", "pareto_k", "pareto_share"):
            assert getattr(result.after, name) == pytest.approx(expected[name], rel=1e-9), name
        assert {r.account_key for r in result.removed} == set(
            accounts.index[accounts["group"] == BIG_GROUP]
        )

    def test_the_page_report_agrees_with_each_function(self, demo) -> None:
        report = concentration_report(demo, LAST_12)
        alone = concentration_summary(demo, LAST_12)
        assert report.summary.model_dump(exclude={"groups_over_10pct"}) == pytest.approx(
            alone.model_dump(exclude={"groups_over_10pct", "by", "hhi_band"})
            | {"by": "account", "hhi_band": alone.hhi_band}
        )
        assert report.prior_period == Period(start=date(2024, 11, 1), end=date(2025, 10, 1))
        assert report.prior is not None and report.last_year is not None
        assert report.prior.n == concentration_summary(demo, report.prior_period).n
        pd.testing.assert_frame_equal(
            report.accounts, account_revenue(demo, LAST_12), check_exact=False, rtol=1e-9
        )
        pd.testing.assert_frame_equal(
            report.trend, concentration_trend(demo), check_exact=False, rtol=1e-9
        )
        assert report.whale == whale_summary(demo, LAST_12)
        assert [a.rule for a in report.alerts] == [a.rule for a in dependency_alerts(demo, LAST_12)]


rows_strategy = st.lists(
    st.tuples(
        st.sampled_from(["2024-01", "2024-02", "2024-03", "2024-05"]),
        st.sampled_from([f"K{i}" for i in range(9)]),
        st.one_of(st.integers(-500, 10**6).map(float), st.just(100.0)),
        st.one_of(st.none(), st.integers(-5000, 10**5).map(float)),
        st.sampled_from([None, None, "G1", "G2"]),
        st.sampled_from([None, "Name A", "Name B"]),
    ),
    min_size=1,
    max_size=60,
)


class TestRandomPortfolios:
    @settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(rows_strategy, st.sampled_from(["account", "group"]))
    def test_summary_trend_and_whale_match_pandas(self, data: list, by: str) -> None:
        con = portfolio(data)
        stored = stored_rows(con)
        expected_units = units(stored, Period(), by)
        assert_summary_matches(
            concentration_summary(con, Period(), by=by),  # type: ignore[arg-type]
            figures(expected_units["net"].to_numpy()),
        )
        profits = expected_units["profit"].dropna().to_numpy()
        summary = whale_summary(con, Period(), by=by)  # type: ignore[arg-type]
        if len(profits) == 0:
            assert summary is None
        else:
            assert summary is not None
            for name, value in whale(profits).items():
                expected = value if value is None else pytest.approx(value, rel=1e-9, abs=1e-9)
                assert getattr(summary, name) == expected, name
        trend = concentration_trend(con, by=by).set_index("period_start")  # type: ignore[arg-type]
        for start in sorted(pd.to_datetime(stored["month"]).dt.date.unique()):
            expected = figures(units(stored, Period(start=start, end=start), by)["net"])
            got = trend.loc[pd.Timestamp(start)]
            assert got["n"] == expected["n"]
            if expected["n"]:
                assert got["hhi"] == pytest.approx(expected["hhi"], rel=1e-9)
                assert got["gini"] == pytest.approx(expected["gini"], rel=1e-9, abs=1e-12)
                assert got["pareto_k"] == expected["pareto_k"]
                assert got["top20pct_share"] == pytest.approx(expected["top20pct_share"])
