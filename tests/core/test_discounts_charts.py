"""Discount chart builders on small frames: the right traces, values and labels as text."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from core.discounts import Waterfall, WaterfallStep
from core.discounts_charts import (
    account_months_figure,
    creep_scatter_figure,
    pocket_band_figure,
    segment_trend_figure,
    waterfall_figure,
)

QUADRANTS = {
    "q_up_up": "UU",
    "q_up_down": "paid more, got nothing",
    "q_down_up": "DU",
    "q_down_down": "DD",
}
SCATTER_LABELS = {
    "x": "Creep",
    "y": "Revenue",
    "flagged": "Buys nothing",
    "other": "Other",
    **QUADRANTS,
}


def waterfall() -> Waterfall:
    """List 1,000 − discount 100 = 900 − off-invoice 50 = 850 − cost 600 = 250."""
    bars = [
        ("list", "total", 1000),
        ("on_invoice_discount", "step", -100),
        ("invoice", "total", 900),
        ("off_invoice", "step", -50),
        ("pocket", "total", 850),
        ("cost", "step", -600),
        ("gross_profit", "total", 250),
    ]
    return Waterfall(
        list_revenue=1000,
        on_invoice_discount=100,
        invoice=900,
        off_invoice=50,
        pocket=850,
        cost=600,
        gross_profit=250,
        coverage=1.0,
        rows=3,
        steps=[WaterfallStep(name=n, kind=k, amount=a, share_of_list=a / 1000) for n, k, a in bars],
    )


class TestWaterfall:
    def test_totals_stand_and_steps_hang(self) -> None:
        figure = waterfall_figure(waterfall(), "Price <b>waterfall</b>", {"list": "List"})
        trace = figure.data[0]
        assert isinstance(trace, go.Waterfall)
        assert list(trace.measure) == ["absolute", "relative"] * 3 + ["absolute"]
        assert list(trace.y) == [1000, -100, 900, -50, 850, -600, 250]
        assert trace.x[0] == "List" and trace.x[1] == "on_invoice_discount"
        assert list(trace.text)[:2] == ["100.0%", "-10.0%"]
        assert "&lt;b&gt;" in figure.layout.title.text, "titles are text, never HTML"

    def test_list_minus_steps_is_gross_profit(self) -> None:
        steps = waterfall().steps
        assert steps[0].amount + sum(s.amount for s in steps if s.kind == "step") == 250


class TestCreepScatter:
    def creep(self) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "account": ["A", "B", "C"],
                "name": ["<i>Acme</i>", "Beta", "Gamma"],
                "points": [3.0, -1.0, None],
                "revenue_change": [-0.1, 0.2, 0.1],
            }
        )

    def test_flagged_accounts_stand_out_and_missing_changes_are_left_out(self) -> None:
        figure = creep_scatter_figure(self.creep(), "Scatter", SCATTER_LABELS, {"A"})
        other, flagged = figure.data
        assert list(flagged.x) == [3.0] and list(flagged.y) == [-0.1]
        assert list(other.x) == [-1.0]
        assert list(flagged.customdata[0]) == ["&lt;i&gt;Acme&lt;/i&gt; (A)", "A"]

    def test_a_few_extreme_accounts_do_not_squash_the_axis(self) -> None:
        """100 accounts within ±10% revenue change and one at +900%: the y-axis spans the
        bulk. By hand, the 1%/99% quantiles of the y values are about −0.098 and 0.108 (the
        99th lies between 0.1 and 9.0 only by 1% of the way), so the top stays far below 9."""
        changes = [(-0.1 + 0.2 * i / 99) for i in range(100)] + [9.0]
        creep = pd.DataFrame(
            {
                "account": [f"K{i}" for i in range(101)],
                "name": [f"Acct {i}" for i in range(101)],
                "points": [0.5] * 101,
                "revenue_change": changes,
            }
        )
        figure = creep_scatter_figure(creep, "Scatter", SCATTER_LABELS, set())
        low, high = figure.layout.yaxis.range
        assert -0.2 < low < -0.09 and 0.1 < high < 0.3
        assert figure.layout.xaxis.range is None, "discount points are never clipped"

    def test_flagged_accounts_are_always_on_screen(self) -> None:
        changes = [(-0.1 + 0.2 * i / 99) for i in range(100)] + [2.5]
        creep = pd.DataFrame(
            {
                "account": [f"K{i}" for i in range(101)],
                "name": [f"Acct {i}" for i in range(101)],
                "points": [0.5] * 101,
                "revenue_change": changes,
            }
        )
        figure = creep_scatter_figure(creep, "Scatter", SCATTER_LABELS, {"K100"})
        assert figure.layout.yaxis.range[1] > 2.5

    def test_the_four_quadrants_are_named(self) -> None:
        figure = creep_scatter_figure(self.creep(), "Scatter", SCATTER_LABELS, set())
        texts = {note.text for note in figure.layout.annotations}
        assert texts == set(QUADRANTS.values())


class TestSegmentTrend:
    def test_one_line_per_segment_and_the_portfolio_dashed(self) -> None:
        months = pd.to_datetime(["2025-01-01"] * 3 + ["2025-02-01"] * 3)
        trend = pd.DataFrame(
            {
                "month": months,
                "segment": [None, "other", "strategic"] * 2,
                "discount_rate": [0.09, 0.05, 0.1, 0.2, None, 0.2],
            }
        )
        figure = segment_trend_figure(
            trend,
            "Trend",
            {"x": "Month", "y": "Rate", "portfolio": "Portfolio"},
            {"other": "Other", "strategic": "Strategic"},
        )
        assert [trace.name for trace in figure.data] == ["Other", "Strategic", "Portfolio"]
        assert figure.data[-1].line.dash == "dash"
        assert list(figure.data[-1].y) == pytest.approx([0.09, 0.2])


class TestPocketBand:
    def test_bars_sum_revenue(self) -> None:
        band = pd.DataFrame({"pocket_ratio": [0.8, 0.95], "net_revenue": [1700.0, 190.0]})
        figure = pocket_band_figure(band, "Band", {"x": "Pocket / list", "y": "Revenue"})
        (trace,) = figure.data
        # By hand: the span 0.15 over about 30 bins gives round 0.5-point bins from 80%.
        assert isinstance(trace, go.Bar) and trace.width == pytest.approx(0.005)
        assert trace.customdata[0] == pytest.approx([0.8, 0.805])
        assert trace.y[0] == 1700.0 and trace.y[-1] == 190.0
        assert sum(trace.y) == 1890.0 and 30 <= len(trace.y) <= 31
        assert trace.customdata[-1][0] <= 0.95 <= trace.customdata[-1][1]
        assert figure.layout.xaxis.tickformat == ".0%"

    def test_thousands_of_accounts_become_about_thirty_bars(self) -> None:
        """Every account's revenue lands in exactly one bar: the bars sum to the total."""
        rng = np.random.default_rng(7)
        band = pd.DataFrame(
            {
                "pocket_ratio": rng.uniform(0.6, 1.0, 20_000),
                "net_revenue": rng.uniform(0, 1e5, 20_000),
            }
        )
        (trace,) = pocket_band_figure(band, "Band", {"x": "x", "y": "y"}).data
        assert len(trace.y) <= 31
        assert sum(trace.y) == pytest.approx(band["net_revenue"].sum())
        assert trace.width in (0.01, 0.02)

    def test_one_ratio_is_one_bar(self) -> None:
        band = pd.DataFrame({"pocket_ratio": [0.9, 0.9], "net_revenue": [5.0, 6.0]})
        (trace,) = pocket_band_figure(band, "Band", {"x": "x", "y": "y"}).data
        assert list(trace.y) == [11.0]


class TestAccountMonths:
    def test_revenue_bars_and_rate_on_the_right(self) -> None:
        monthly = pd.DataFrame(
            {
                "month": pd.to_datetime(["2025-01-01", "2025-02-01"]),
                "net_revenue": [190.0, 100.0],
                "discount_rate": [0.05, None],
            }
        )
        figure = account_months_figure(
            monthly, "Beta", {"x": "Month", "revenue": "Revenue", "rate": "Rate"}
        )
        bars, line = figure.data
        assert isinstance(bars, go.Bar) and list(bars.y) == [190.0, 100.0]
        assert line.yaxis == "y2" and figure.layout.yaxis2.side == "right"
