"""The account charts on small frames: what each trace draws, and names kept as text."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from core.account_charts import (
    contributions_figure,
    products_figure,
    quarter_label,
    tier_history_figure,
    trend_figure,
)

TREND = pd.DataFrame(
    {
        "month": pd.to_datetime(["2025-03-01", "2025-04-01"]),
        "net_revenue": [800.0, 0.0],
        "margin": [0.3125, None],
        "discount_rate": [100 / 900, None],
        "concession_degree": [120 / 900, None],
    }
)
TREND_LABELS = {
    "x": "Month",
    "revenue": "Net revenue",
    "margin": "Margin",
    "discount_rate": "Discount rate",
    "concession": "Concession",
}
PRODUCTS = pd.DataFrame(
    {
        "product": ["<b>Gear</b>", "P2", None],
        "net_revenue": [800.0, 200.0, 50.0],
        "share": [0.8, 0.2, None],
    }
)
CONTRIBUTIONS = pd.DataFrame(
    {
        "indicator": ["revenue", "margin", "growth", "discount", "breadth"],
        "pct": [100.0, 50.0, 0.0, 25.0, 50.0],
        "weight": [30.0, 25.0, 20.0, 15.0, 10.0],
        "points": [30.0, 12.5, 0.0, 3.75, 5.0],
    }
)
NAMES = {
    "revenue": "Revenue",
    "margin": "Margin",
    "growth": "Growth",
    "discount": "Discount",
    "breadth": "Breadth",
    "weight": "Weight",
    "points": "Points",
    "gold": "Gold",
    "lead": "Lead",
}
HISTORY = pd.DataFrame(
    {
        "quarter": pd.to_datetime(["2025-01-01", "2025-04-01", "2025-07-01"]),
        "months": [3, 3, 1],
        "score": [61.0, None, 20.5],
        "rank": [2.0, None, 9.0],
        "n": [10, 9, 9],
        "tier": ["gold", None, "lead"],
    }
)
HISTORY_LABELS = {
    "score": "Score",
    "quarter": "{year} Q{quarter}",
    "partial": "{label} ({months}/3)",
    "unscored": "not scored",
}


class TestTrend:
    def test_revenue_bars_and_three_rate_lines(self) -> None:
        figure = trend_figure(TREND, "Trend", TREND_LABELS)
        bars, margin, rate, concession = figure.data
        assert bars.type == "bar" and list(bars.y) == [800.0, 0.0]
        assert margin.y == (0.3125, None), "a month without cost leaves a gap"
        assert rate.y[0] == pytest.approx(100 / 900)
        assert concession.line.dash == "dot"
        assert {margin.yaxis, rate.yaxis, concession.yaxis} == {"y2"}
        assert figure.layout.yaxis2.tickformat == ".0%"


class TestProducts:
    def test_largest_on_top_with_shares_and_escaped_names(self) -> None:
        figure = products_figure(PRODUCTS, "Products", {"revenue": "Rev", "unnamed": "(none)"})
        bars = figure.data[0]
        assert list(bars.y) == ["(none)", "P2", "&lt;b&gt;Gear&lt;/b&gt;"]
        assert list(bars.x) == [50.0, 200.0, 800.0]
        assert list(bars.text) == ["", "20%", "80%"]

    def test_only_the_top_products(self) -> None:
        figure = products_figure(PRODUCTS, "P", {"revenue": "", "unnamed": ""}, top=2)
        assert list(figure.data[0].y) == ["P2", "&lt;b&gt;Gear&lt;/b&gt;"]


class TestContributions:
    def test_points_over_weights_adding_up_to_the_score(self) -> None:
        weights, points = contributions_figure(CONTRIBUTIONS, "Score", NAMES).data
        assert list(weights.y) == ["Breadth", "Discount", "Growth", "Margin", "Revenue"]
        assert list(weights.x) == [10.0, 15.0, 20.0, 25.0, 30.0]
        assert sum(points.x) == pytest.approx(51.25)
        assert list(points.customdata) == [50.0, 25.0, 0.0, 50.0, 100.0]


class TestTierHistory:
    def test_quarters_tiers_and_a_gap(self) -> None:
        line = tier_history_figure(HISTORY, "Tiers", NAMES, HISTORY_LABELS).data[0]
        assert list(line.x) == ["2025 Q1", "2025 Q2", "2025 Q3 (1/3)"]
        assert line.y == (61.0, None, 20.5)
        assert list(line.text) == ["Gold", "not scored", "Lead"]
        assert list(line.customdata) == ["2 / 10", "–", "9 / 9"]

    def test_quarter_label(self) -> None:
        assert quarter_label(date(2026, 10, 1), 3, HISTORY_LABELS) == "2026 Q4"
        assert quarter_label(date(2026, 10, 1), 2, HISTORY_LABELS) == "2026 Q4 (2/3)"
