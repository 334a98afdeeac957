"""The stress test: figures before and after losing accounts, groups or the top N."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.metrics import Period
from core.stress import stress_test
from tests.core.concentration_reference import portfolio

ALL = Period()
# Revenue 50 30 10 5 5 (HHI 3550, Pareto k 2); A and B form group G.
ROWS = (
    ("2024-01", "A", 50, 20, "G"),
    ("2024-01", "B", 30, 10, "G"),
    ("2024-01", "C", 10, 4),
    ("2024-01", "D", 5, 1),
    ("2024-01", "E", 5, -2),
    ("2024-01", "N", -3, -1),
)


class TestRemoval:
    def test_removing_the_largest_account(self) -> None:
        # After: 30 10 5 5 of 50 → shares .6 .2 .1 .1, HHI 3600+400+100+100, k 2.
        result = stress_test(portfolio(ROWS), ALL, remove_accounts=["A"])
        assert result.before.revenue == pytest.approx(97)
        assert result.after.revenue == pytest.approx(47)
        assert result.before.gross_profit == pytest.approx(32)
        assert result.after.gross_profit == pytest.approx(12)
        assert result.before.hhi == pytest.approx(3550)
        assert result.after.hhi == pytest.approx(4200)
        assert (result.before.pareto_k, result.after.pareto_k) == (2, 2)
        assert result.after.top5_share == pytest.approx(1)
        assert result.delta.revenue == pytest.approx(-50)
        assert result.delta.revenue_pct == pytest.approx(-50 / 97)
        assert result.delta.hhi == pytest.approx(650)
        assert result.delta.n == -1
        assert [r.account_key for r in result.removed] == ["A"]
        assert result.not_found == []

    def test_removing_the_top_two(self) -> None:
        # After: 10 5 5 of 20 → .5 .25 .25, HHI 3750, k 3.
        result = stress_test(portfolio(ROWS), ALL, remove_top_n=2)
        assert result.after.hhi == pytest.approx(3750)
        assert result.after.pareto_k == 3
        assert result.delta.pareto_k == 1
        assert [r.account_key for r in result.removed] == ["A", "B"]

    def test_removing_a_group_removes_its_members(self) -> None:
        by_group = stress_test(portfolio(ROWS), ALL, remove_groups=["G", "Nowhere"])
        by_accounts = stress_test(portfolio(ROWS), ALL, remove_accounts=["A", "B", "ghost"])
        assert by_group.after.hhi == pytest.approx(by_accounts.after.hhi)
        assert by_group.after.hhi == pytest.approx(3750)
        assert by_group.not_found == ["Nowhere"]
        assert by_accounts.not_found == ["ghost"]

    def test_top_n_at_group_level_removes_whole_groups(self) -> None:
        result = stress_test(portfolio(ROWS), ALL, remove_top_n=1, by="group")
        assert [r.account_key for r in result.removed] == ["A", "B"]
        assert result.before.hhi == pytest.approx(6400 + 100 + 25 + 25)  # G 80 C 10 D 5 E 5

    def test_removing_everything_leaves_no_figures(self) -> None:
        result = stress_test(portfolio(ROWS), ALL, remove_top_n=99)
        assert result.after.n == 0
        assert result.after.hhi is None and result.delta.hhi is None
        assert result.after.revenue == pytest.approx(-3)  # the credit note stays

    def test_a_negative_top_n_is_refused(self) -> None:
        with pytest.raises(ValueError, match="remove_top_n must be 0 or more"):
            stress_test(portfolio(ROWS), ALL, remove_top_n=-1)


class TestIdentity:
    @settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        st.lists(
            st.tuples(st.integers(-100, 10**6), st.sampled_from([None, "G1", "G2"])),
            min_size=1,
            max_size=25,
        ),
        st.sampled_from(["account", "group"]),
    )
    def test_removing_nothing_changes_nothing(self, accounts: list, by: str) -> None:
        con = portfolio(
            ("2024-01", f"K{i}", float(net), float(net) / 3, group)
            for i, (net, group) in enumerate(accounts)
        )
        result = stress_test(con, ALL, remove_accounts=["not-there"], by=by)  # type: ignore[arg-type]
        assert result.removed == []
        assert result.after.model_dump() == pytest.approx(result.before.model_dump(), abs=1e-6)
        for name, change in result.delta.model_dump().items():
            assert change in (None, pytest.approx(0, abs=1e-6)), name
