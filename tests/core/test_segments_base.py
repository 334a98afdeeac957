"""The shared per-account × period sums: hand-worked sums, overlapping periods, reuse, and the
figures read from a base equal to those read straight from the rows."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pandas as pd
import pytest

from core.bridge import bridge_accounts, prior_bridge
from core.metrics import Period
from core.scorecard import scorecard
from core.segments import segment_mix, segment_mix_shift, segment_mix_trend
from core.segments_base import base_for, page_periods, period_base, segments_base
from core.sql import fetch_all
from tests.core.segments_reference import Row, portfolio


def months(first: str, last: str) -> Period:
    (y0, m0), (y1, m1) = (map(int, first.split("-")), map(int, last.split("-")))
    return Period(start=date(y0, m0, 1), end=date(y1, m1, 1))


JAN_FEB = months("2024-01", "2024-02")
FEB_MAR = months("2024-02", "2024-03")

# A: Jan 100 (cost 60, list 120, discount 15, off 5, P1); Feb 50 (no cost, no list data, P2);
#    Mar 30 (cost 10, list 40, discount 10, no off-invoice, P1).
# B: Feb 0.1 and 0.2 (no product), Mar 20 (P3), named 'Bee' in March, segment 'other' in Feb.
ROWS = [
    Row("2024-01", "A", "intrinsic", 100, 60, 120, 15, 5, "P1"),
    Row("2024-02", "A", "intrinsic", 50, product="P2"),
    Row("2024-03", "A", None, 30, 10, 40, 10, None, "P1"),
    Row("2024-02", "B", "other", 0.1),
    Row("2024-02", "B", None, 0.2),
    Row("2024-03", "B", None, 20, product="P3", name="Bee"),
]


def sums(base, period: Period) -> dict[str, dict]:
    """The base's sums of one period, by account."""
    table = base.sums.to_pandas()
    rows = table[table["bucket"] == base.periods.index(period)]
    return {row["account_key"]: row.to_dict() for _, row in rows.iterrows()}


class TestSums:
    def test_hand_worked_sums_of_one_period(self) -> None:
        """Jan–Feb. A: net 100 + 50 = 150; gross profit 100 − 60 = 40 from the one costed row,
        whose net 100 is costed_net (1 cost row); list data only in January: list 120,
        discount 15, off-invoice 5; products P1, P2 = 2. B: net 0.1 + 0.2, nothing else."""
        a, b = (sums(segments_base(portfolio(ROWS), [JAN_FEB]), JAN_FEB)[key] for key in "AB")
        assert a["net_revenue"] == pytest.approx(150)
        assert a["net_exact"] == Decimal("150")
        assert (a["gross_profit"], a["costed_net"], a["cost_rows"]) == (40, 100, 1)
        assert (a["list_revenue"], a["discount_amount"], a["off_invoice"]) == (120, 15, 5)
        assert a["products"] == 2
        # Exact: 0.1 + 0.2 is 0.3 in DECIMAL, not 0.30000000000000004.
        assert b["net_exact"] == Decimal("0.3")
        assert b["products"] == 0 and b["cost_rows"] == 0
        assert pd.isna(b["gross_profit"]) and pd.isna(b["list_revenue"])

    def test_overlapping_periods_are_summed_each_on_its_own(self) -> None:
        """Feb–Mar overlaps Jan–Feb in February. A there: net 50 + 30 = 80; the one costed row
        gives gross profit 30 − 10 = 20 on costed net 30; list 40, discount 10, off-invoice
        0 (a missing one counts 0); products P2, P1 = 2 (P1 is not counted from January)."""
        base = segments_base(portfolio(ROWS), [JAN_FEB, FEB_MAR])
        a = sums(base, FEB_MAR)["A"]
        assert a["net_revenue"] == pytest.approx(80)
        assert (a["gross_profit"], a["costed_net"], a["cost_rows"]) == (20, 30, 1)
        assert (a["list_revenue"], a["discount_amount"], a["off_invoice"]) == (40, 10, 0)
        assert a["products"] == 2
        assert sums(base, JAN_FEB)["A"]["net_revenue"] == pytest.approx(150)
        # B: 0.1 + 0.2 + 20 = 20.3 over February and March, one product.
        b = sums(base, FEB_MAR)["B"]
        assert (b["net_exact"], b["products"]) == (Decimal("20.3"), 1)

    def test_accounts_take_their_latest_segment_and_name_over_all_history(self) -> None:
        """A's latest named segment is January's and February's 'intrinsic' (March names none);
        B's is February's 'other'. B's latest name is March's 'Bee'."""
        base = segments_base(portfolio(ROWS), [JAN_FEB])
        accounts = {row["account_key"]: row for row in base.accounts.to_pylist()}
        assert accounts["A"]["segment"] == "intrinsic" and accounts["A"]["name"] == "Account A"
        assert accounts["B"]["segment"] == "other" and accounts["B"]["name"] == "Bee"

    def test_a_period_asked_twice_is_summed_once(self) -> None:
        base = segments_base(portfolio(ROWS), [JAN_FEB, FEB_MAR, JAN_FEB])
        assert base.periods == (JAN_FEB, FEB_MAR)
        assert base.sums.num_rows == 2 + 2

    def test_roles_sharing_a_period_each_get_its_rows(self) -> None:
        con = portfolio(ROWS)
        base = segments_base(con, [JAN_FEB])
        body, params = base.sums_sql({"start": JAN_FEB, "end": JAN_FEB})
        with base.view(con):
            rows = fetch_all(
                con, f"SELECT bucket, count(*) FROM ({body}) GROUP BY 1 ORDER BY 1", params
            )
        assert rows == [("end", 2), ("start", 2)]

    def test_a_role_name_must_be_an_identifier(self) -> None:
        base = segments_base(portfolio(ROWS), [JAN_FEB])
        with pytest.raises(ValueError, match="not an identifier"):
            base.sums_sql({"x'; --": JAN_FEB})


class TestReuse:
    def test_a_covering_base_is_returned_as_is(self) -> None:
        con = portfolio(ROWS)
        base = segments_base(con, [JAN_FEB, FEB_MAR])
        assert base_for(con, base, [FEB_MAR]) is base

    def test_missing_periods_are_added_and_the_accounts_kept(self) -> None:
        """March alone: A 30, B 20."""
        con = portfolio(ROWS)
        base = segments_base(con, [JAN_FEB])
        march = months("2024-03", "2024-03")
        wider = base_for(con, base, [JAN_FEB, march])
        assert wider.periods == (JAN_FEB, march)
        assert wider.accounts is base.accounts
        added = sums(wider, march)
        assert (added["A"]["net_revenue"], added["B"]["net_revenue"]) == (30, 20)
        assert sums(wider, JAN_FEB)["A"]["net_revenue"] == pytest.approx(150)

    def test_no_base_reads_one(self) -> None:
        base = base_for(portfolio(ROWS), None, [FEB_MAR])
        assert base.periods == (FEB_MAR,) and base.accounts.num_rows == 2


def long_history() -> list[Row]:
    """36 months (2022-01..2024-12) of three accounts in two segments, with costs, list data
    and products, and one account that only starts in 2024."""
    rows = []
    for index in range(36):
        month = f"{2022 + index // 12}-{index % 12 + 1:02d}"
        rows.append(Row(month, "A", "intrinsic", 100 + index, 60, 130 + index, 20, 2, "P1"))
        rows.append(
            Row(month, "B", "extrinsic", 80 - index, None, None, None, None, f"P{index % 3}")
        )
        if index >= 24:
            rows.append(Row(month, "C", None, 40, 30, 50, 5, 1, "P2"))
    return rows


class TestPageBase:
    def test_the_page_periods(self) -> None:
        """2024 against 2023 (its prior and last year alike) and 2022 (the prior's prior)."""
        con = portfolio(long_history())
        year = months("2024-01", "2024-12")
        assert page_periods(con, year) == [
            year,
            months("2023-01", "2023-12"),
            months("2023-01", "2023-12"),
            months("2022-01", "2022-12"),
        ]
        assert period_base(con, year).periods == (
            year,
            months("2023-01", "2023-12"),
            months("2022-01", "2022-12"),
        )
        assert page_periods(con, months("2025-01", "2025-12")) == []

    def test_figures_from_the_base_equal_those_from_the_rows(self) -> None:
        con = portfolio(long_history())
        year = months("2024-01", "2024-12")
        base = period_base(con, year)
        pd.testing.assert_frame_equal(segment_mix(con, year, base), segment_mix(con, year))
        pd.testing.assert_frame_equal(
            segment_mix_shift(con, year, base).table, segment_mix_shift(con, year).table
        )
        pd.testing.assert_frame_equal(
            segment_mix_trend(con, "quarter", base=base), segment_mix_trend(con, "quarter")
        )
        assert prior_bridge(con, year, base) == prior_bridge(con, year)
        previous = months("2023-01", "2023-12")
        pd.testing.assert_frame_equal(
            bridge_accounts(con, previous, year, base), bridge_accounts(con, previous, year)
        )
        with_base, without = scorecard(con, year, base=base), scorecard(con, year)
        pd.testing.assert_frame_equal(with_base.table, without.table)
        pd.testing.assert_frame_equal(with_base.compared_table, without.compared_table)
        # Nothing was added: every figure of the year was answered from the page's periods.
        assert base_for(con, base, page_periods(con, year)) is base
