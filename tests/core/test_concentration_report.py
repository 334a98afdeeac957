"""The page bundle: one pass over the rows gives the same figures as each function alone."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from core.concentration import account_revenue, concentration_summary, concentration_trend
from core.concentration_report import concentration_report
from core.metrics import Period
from core.stress import stress_test
from tests.core.concentration_reference import portfolio

# A moves from group Old to New in March, and in March carries both "New" and "Newer":
# the latest month decides, and within it the largest value.
ROWS = (
    ("2024-01", "A", 40, 10, "Old", "Acme"),
    ("2024-01", "B", 60, 20, "Old"),
    ("2024-03", "A", 30, 5, "New", "Acme Ltd"),
    ("2024-03", "A", 10, 2, "Newer", "Acme Co"),
    ("2024-03", "B", 50, -5, "Old"),
    ("2024-03", "C", 20, 4),
    ("2024-04", "C", -1, 0),
)
MARCH = Period(start=date(2024, 3, 1), end=date(2024, 4, 1))


class TestReport:
    @pytest.mark.parametrize("by", ["account", "group"])
    def test_agrees_with_each_function(self, by: str) -> None:
        con = portfolio(ROWS)
        report = concentration_report(con, MARCH, by=by)  # type: ignore[arg-type]
        alone = concentration_summary(con, MARCH, by=by)  # type: ignore[arg-type]
        assert report.summary == alone
        pd.testing.assert_frame_equal(report.accounts, account_revenue(con, MARCH))
        pd.testing.assert_frame_equal(report.groups, account_revenue(con, MARCH, by="group"))
        pd.testing.assert_frame_equal(report.trend, concentration_trend(con, by=by))  # type: ignore[arg-type]

    def test_names_and_groups_follow_the_latest_month(self) -> None:
        report = concentration_report(portfolio(ROWS), Period())
        accounts = report.accounts.set_index("key")
        assert accounts.loc["A", "name"] == "Acme Ltd"
        assert accounts.loc["A", "parent_group"] == "Newer"
        assert set(report.groups["key"]) == {"Old", "Newer", "C"}

    def test_comparison_periods(self) -> None:
        report = concentration_report(portfolio((*ROWS, ("2024-02", "B", 5))), MARCH)
        assert report.period == MARCH
        assert report.prior_period == Period(start=date(2024, 1, 1), end=date(2024, 2, 1))
        assert report.prior is not None and report.prior.n == 2
        assert report.last_year_period is None and report.last_year is None

    def test_a_prior_window_with_a_missing_month_is_no_comparison(self) -> None:
        report = concentration_report(portfolio(ROWS), MARCH)  # 2024-02 was never stored
        assert report.prior_period is None and report.prior is None

    def test_an_empty_period(self) -> None:
        report = concentration_report(portfolio(ROWS), Period(start=date(2030, 1, 1)))
        assert report.period is None and report.summary.n == 0
        assert report.accounts.empty and report.lorenz.empty and report.whale is None
        assert report.alerts == []
        assert len(report.trend) == 3  # the trend always covers stored history


class TestGroupMembers:
    def test_a_groups_accounts_with_their_share_of_it(self) -> None:
        """March: group Newer holds A (40), group Old holds B (50); C (20) stands alone."""
        report = concentration_report(portfolio(ROWS), MARCH)
        newer = report.group_members("Newer")
        assert list(newer["key"]) == ["A"] and list(newer["group_share"]) == [1.0]
        assert list(report.group_members("C")["net_revenue"]) == [pytest.approx(19.0)]
        assert report.group_members("nowhere").empty

    def test_shares_of_a_group_with_several_accounts(self) -> None:
        rows = [
            ("2024-01", "A", 30, None, "G"),
            ("2024-01", "B", 10, None, "G"),
            ("2024-01", "C", -5, None, "G"),
            ("2024-01", "D", 65),
        ]
        members = concentration_report(portfolio(rows), Period()).group_members("G")
        assert list(members["key"]) == ["A", "B", "C"]
        assert list(members["group_share"]) == pytest.approx([30 / 35, 10 / 35, -5 / 35])
        assert list(members["share"][:2]) == pytest.approx([30 / 105, 10 / 105])

    def test_a_group_at_zero_has_no_shares_of_it(self) -> None:
        rows = [
            ("2024-01", "A", 5, None, "G"),
            ("2024-01", "B", -5, None, "G"),
            ("2024-01", "D", 65),
        ]
        members = concentration_report(portfolio(rows), Period()).group_members("G")
        assert members["group_share"].isna().all()


class TestStressFromTheReport:
    @pytest.mark.parametrize("by", ["account", "group"])
    def test_equals_the_stress_test_on_stored_rows(self, by: str) -> None:
        con = portfolio(ROWS)
        report = concentration_report(con, MARCH, by=by)  # type: ignore[arg-type]
        removals = {"remove_groups": ["Old", "nowhere"], "remove_top_n": 1}
        from_report = report.stress_test(con, **removals)
        from_rows = stress_test(con, MARCH, by=by, **removals)  # type: ignore[arg-type]
        assert from_report.removed == from_rows.removed
        assert from_report.not_found == from_rows.not_found == ["nowhere"]
        for part in ("before", "after", "delta"):
            assert getattr(from_report, part).model_dump() == pytest.approx(
                getattr(from_rows, part).model_dump()
            ), part

    def test_a_group_table_is_refused(self) -> None:
        con = portfolio(ROWS)
        groups = account_revenue(con, MARCH, by="group")
        with pytest.raises(ValueError, match="per-account table of account_revenue"):
            stress_test(con, MARCH, accounts=groups)
