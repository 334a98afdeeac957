"""The revenue bridge: a hand-worked portfolio, the identity as a property, and the prior period."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.bridge import bridge_accounts, bridge_identity_gap, prior_bridge, revenue_bridge
from core.metrics import Period, portfolio_metrics
from tests.core.segments_reference import Row, portfolio

JAN = Period(start=date(2024, 1, 1), end=date(2024, 1, 1))
FEB = Period(start=date(2024, 2, 1), end=date(2024, 2, 1))

# January -> February, per account:
#   A 100 -> 150 expansion +50        B 80 -> 30 contraction 50     (intrinsic)
#   C   0 -> 40  new 40               D 60 -> 0  lost 60            (extrinsic)
#   E  20 -> −5  lost 20              F −10 -> 25 new 25            G 70 -> 70 flat  (other)
#   H  −3 -> −4  inactive (no segment: unassigned)
# start = 100 + 80 + 60 + 20 + 70 = 330, end = 150 + 30 + 40 + 25 + 70 = 315
# 330 + 65 (new) + 50 (expansion) − 50 (contraction) − 80 (lost) = 315.
HAND = [
    Row("2024-01", "A", "intrinsic", 100),
    Row("2024-02", "A", "intrinsic", 150),
    Row("2024-01", "B", "intrinsic", 80),
    Row("2024-02", "B", "intrinsic", 30),
    Row("2024-02", "C", "extrinsic", 40),
    Row("2024-01", "D", "extrinsic", 60),
    Row("2024-01", "E", "other", 20),
    Row("2024-02", "E", "other", -5),
    Row("2024-01", "F", "other", -10),
    Row("2024-02", "F", "other", 25),
    Row("2024-01", "G", "other", 70),
    Row("2024-02", "G", "other", 70),
    Row("2024-01", "H", None, -3),
    Row("2024-02", "H", None, -4),
]


class TestHandWorked:
    def test_parts(self) -> None:
        bridge = revenue_bridge(portfolio(HAND), JAN, FEB)
        assert bridge.parts() == {
            "start": 330,
            "new": 65,
            "expansion": 50,
            "contraction": 50,
            "lost": 80,
            "end": 315,
        }
        total = bridge.total
        assert (total.nonpositive_start, total.nonpositive_end) == (-13, -9)
        assert (total.accounts_start, total.accounts_end) == (5, 5)
        counts = (
            total.new_accounts,
            total.expanded_accounts,
            total.contracted_accounts,
            total.lost_accounts,
            total.flat_accounts,
        )
        assert counts == (2, 1, 1, 2, 1)
        assert total.change == -15

    def test_start_plus_nonpositive_is_the_period_net_revenue(self) -> None:
        con = portfolio(HAND)
        bridge = revenue_bridge(con, JAN, FEB)
        assert bridge.total.start + bridge.total.nonpositive_start == pytest.approx(
            portfolio_metrics(con, JAN).net_revenue
        )

    def test_per_segment(self) -> None:
        bridge = revenue_bridge(portfolio(HAND), JAN, FEB)
        segments = {item.segment: item for item in bridge.segments}
        assert list(segments) == ["intrinsic", "extrinsic", "other", "unassigned"]
        assert (segments["intrinsic"].expansion, segments["intrinsic"].contraction) == (50, 50)
        assert (segments["extrinsic"].new, segments["extrinsic"].lost) == (40, 60)
        other = segments["other"]
        assert (other.start, other.new, other.lost, other.end) == (90, 25, 20, 95)
        unassigned = segments["unassigned"]
        assert (unassigned.start, unassigned.end, unassigned.nonpositive_end) == (0, 0, -4)
        for part in ("start", "new", "expansion", "contraction", "lost", "end"):
            assert sum(getattr(item, part) for item in bridge.segments) == getattr(
                bridge.total, part
            )

    def test_accounts_table(self) -> None:
        table = bridge_accounts(portfolio(HAND), JAN, FEB).set_index("account")
        assert table.loc["D", "movement"] == "lost" and table.loc["D", "change"] == -60
        assert table.loc["F", "movement"] == "new" and table.loc["F", "start"] == 0
        assert table.loc["H", "movement"] == "inactive"
        assert table.loc["G", "movement"] == "flat"
        assert table.loc["E", "segment"] == "other"
        assert table["change"].sum() == pytest.approx(-15)

    def test_a_period_without_rows_bridges_from_zero(self) -> None:
        bridge = revenue_bridge(
            portfolio(HAND), Period(start=date(2023, 1, 1), end=date(2023, 1, 1)), FEB
        )
        assert (bridge.total.start, bridge.total.new, bridge.total.end) == (0, 315, 315)


class TestPriorPeriod:
    def test_against_the_same_length_period_before(self) -> None:
        bridge = prior_bridge(portfolio(HAND), FEB)
        assert bridge is not None
        assert bridge.start_period == JAN and bridge.end_period == FEB
        assert bridge.total.start == 330

    def test_none_when_history_does_not_cover_the_prior_period(self) -> None:
        assert prior_bridge(portfolio(HAND), JAN) is None
        assert prior_bridge(portfolio(HAND), Period()) is None


AMOUNT = st.decimals(min_value=-1000, max_value=100_000, places=2, allow_nan=False)
ROWS = st.lists(
    st.tuples(
        st.sampled_from(["2024-01", "2024-02"]),
        st.sampled_from([f"K{i}" for i in range(10)]),
        st.sampled_from(["intrinsic", "extrinsic", "strategic", "other", None]),
        AMOUNT,
    ),
    min_size=1,
    max_size=40,
)


class TestIdentity:
    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(rows=ROWS)
    def test_parts_sum_exactly_to_the_change(self, rows) -> None:
        con = portfolio([Row(m, a, s, float(net)) for m, a, s, net in rows])
        # In DECIMAL the identity holds to the last digit, for the total and every segment.
        assert {gap for _, gap in bridge_identity_gap(con, JAN, FEB)} == {Decimal(0)}
        bridge = revenue_bridge(con, JAN, FEB)
        t = bridge.total
        assert t.start + t.new + t.expansion - t.contraction - t.lost == pytest.approx(
            t.end, abs=1e-6
        )
        expected_start = sum(
            max(
                Decimal(0),
                sum((n for m, a, _, n in rows if a == key and m == "2024-01"), start=Decimal(0)),
            )
            for key in {a for _, a, _, _ in rows}
        )
        assert t.start == pytest.approx(float(expected_start), abs=1e-6)
        assert t.new >= 0 and t.expansion >= 0 and t.contraction >= 0 and t.lost >= 0
        accounts = {a for _, a, _, _ in rows}
        moved = (
            t.new_accounts
            + t.expanded_accounts
            + t.contracted_accounts
            + t.lost_accounts
            + t.flat_accounts
        )
        assert moved <= len(accounts)
        assert (
            t.accounts_start
            == t.expanded_accounts + t.contracted_accounts + t.lost_accounts + t.flat_accounts
        )
